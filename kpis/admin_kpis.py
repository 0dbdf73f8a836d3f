"""Monthly KPI records in the admin: added from a chooser, evaluated in words.

Adding a record starts with a small chooser (a B2B agreement of the user's agency and a
month); the add form then opens pre-filled from that month's sale lines
(``kpi_prefill``), the agreement and month fixed. A month already recorded opens its
record instead. The evaluation against the minimums reads as sentences in the active
language with money as money ("销售额 ¥120,000.00 ≥ ¥100,000.00 ✓").
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import ActionForm
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from common import clock
from common.admin_helpers import (
    ACTION_BAR_INPUT,
    PeriodFieldFilter,
    ScopedAdminMixin,
    ScopedInlineMixin,
)
from common.i18n import one_language
from common.templatetags.portal import money_text, number_text, percent_text
from contracts.models import Agreement
from contracts.selectors import agreements_in_scope
from core.exceptions import RuleViolation
from core.periods import Period
from kpis.evaluation import KpiEvaluation
from kpis.models import FeeWaiver, KpiRecord
from kpis.services import (
    KPI_FIELDS,
    PeriodOutsideAgreement,
    b2b_targets,
    kpi_evaluation_or_reason,
    kpi_prefill,
    kpi_record_save,
    kpi_waive,
    period_inside_agreement_check,
)

MET, MISSED = "✓", "✗"
GREEN, RED = "#1a7f37", "#cf222e"

MINIMUM_LABELS = {
    "distributors": _("distributors recruited"),
    "cartons": _("cartons shipped"),
    "sales_amount": _("sales amount"),
}
WEB_LABELS = {
    "baidu_first_page": _("Baidu first page"),
    "google_first_page": _("Google first page"),
    "unique_visitors": _("monthly unique visitors"),
    "daily_inquiries": _("daily inquiries"),
    "conversion_rate": _("conversion rate"),
}


def kpi_agreements(user: Any) -> Any:
    """The agreements a KPI record can be added for: the user's B2B agreements in force
    or ended (a draft takes no sales, so it has no month to judge)."""
    return (
        agreements_in_scope(user)
        .filter(kind=Agreement.Kind.B2B_COMMISSION)
        .exclude(status=Agreement.Status.DRAFT)
        .select_related("brand")
        .order_by("-starts_on", "number")
    )


# --- the evaluation in words ---------------------------------------------------------------


def _minimum_figures(record: KpiRecord) -> dict[str, Decimal]:
    return {
        "distributors": Decimal(record.distributors_recruited),
        "cartons": record.cartons_shipped,
        "sales_amount": record.sales_amount,
    }


def _figure_text(name: str, value: Decimal) -> str:
    if name == "sales_amount":
        return money_text(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return number_text(value)


def minimum_lines(record: KpiRecord, evaluation: KpiEvaluation) -> list[tuple[bool, str]]:
    """Each minimum as "销售额 ¥120,000.00 ≥ ¥100,000.00 ✓" (met) or with "<" and ✗."""
    figures = _minimum_figures(record)
    lines = []
    for name, required in evaluation.required.items():
        met = name not in evaluation.missed
        lines.append(
            (
                met,
                f"{MINIMUM_LABELS[name]} {_figure_text(name, figures[name])} "
                f"{'≥' if met else '<'} {_figure_text(name, required)} {MET if met else MISSED}",
            )
        )
    return lines


def web_target_lines(record: KpiRecord, evaluation: KpiEvaluation) -> list[tuple[bool, str]]:
    """Each web target as words with the figure against the target where it has one."""
    targets = b2b_targets(record.agreement)
    measured = {
        "unique_visitors": (
            number_text(record.unique_visitors),
            number_text(targets.min_unique_visitors),
        ),
        "daily_inquiries": (
            number_text(record.daily_inquiries),
            number_text(targets.min_daily_inquiries),
        ),
        "conversion_rate": (
            percent_text(record.conversion_rate),
            percent_text(targets.min_conversion_rate),
        ),
    }
    lines = []
    for name, met in evaluation.web_targets.items():
        mark = MET if met else MISSED
        if name in measured:
            value, target = measured[name]
            text = f"{WEB_LABELS[name]} {value} {'≥' if met else '<'} {target} {mark}"
        else:
            text = f"{WEB_LABELS[name]} {mark}"
        lines.append((met, text))
    return lines


def _coloured(lines: list[tuple[bool, str]]) -> str:
    return format_html_join(
        "",
        '<li style="color:{}">{}</li>',
        ((GREEN if ok else RED, text) for ok, text in lines),
    )


def verdict_html(
    evaluation: KpiEvaluation | None, reason: str = "", record: KpiRecord | None = None
) -> str:
    """One line for the list: met, or which minimums were missed, in words."""
    if evaluation is None:
        if reason and record is not None:  # a month outside the agreement: say why
            agreement = record.agreement
            return format_html(
                '— <span class="help">{}</span>',
                gettext(
                    "%(period)s has no day inside the agreement (%(starts)s to %(ends)s): "
                    "no evaluation."
                )
                % {
                    "period": record.period,
                    "starts": agreement.starts_on,
                    "ends": agreement.effective_ends_on,
                },
            )
        return "—"
    if evaluation.minimums_met:
        return format_html('<b style="color:{}">{} {}</b>', GREEN, MET, gettext("All met"))
    missed = gettext(", ").join(str(MINIMUM_LABELS[name]) for name in evaluation.missed)
    return format_html(
        '<b style="color:{}">{} {}</b>',
        RED,
        MISSED,
        gettext("Missed: %(names)s") % {"names": missed},
    )


# --- forms ---------------------------------------------------------------------------------


class KpiChooserForm(forms.Form):
    """Which agreement and month a new KPI record is for."""

    agreement = forms.ModelChoiceField(
        label=_("Agreement"),
        queryset=Agreement.objects.none(),
        widget=UnfoldAdminSelectWidget(),
        help_text=_("Your agency's B2B commission agreements."),
    )
    period = forms.CharField(
        label=_("Month"),
        widget=UnfoldAdminTextInputWidget(attrs={"type": "month", "placeholder": "2026-10"}),
        help_text=_("The month the figures are for, written YYYY-MM."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agreement"]
        field.queryset = kpi_agreements(user)
        field.label_from_instance = lambda a: f"{a.number} · {a.brand.name} · {a.title}"

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"].strip())
        except ValueError:
            raise forms.ValidationError(
                gettext("Write the month as YYYY-MM, e.g. 2026-10.")
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        agreement, period = data.get("agreement"), data.get("period")
        if agreement is not None and period is not None:
            try:
                period_inside_agreement_check(agreement=agreement, period=period)
            except PeriodOutsideAgreement:
                self.add_error(
                    "period",
                    gettext("%(period)s is outside %(number)s (%(starts)s to %(ends)s).")
                    % {
                        "period": period,
                        "number": agreement.number,
                        "starts": agreement.starts_on,
                        "ends": agreement.effective_ends_on,
                    },
                )
        return data


class FeeWaiverInline(ScopedInlineMixin, TabularInline):
    model = FeeWaiver
    extra = 0
    can_delete = False
    fields = readonly_fields = ["reason", "consent_ref", "by", "on"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Waived by"))
    def by(self, obj):
        return obj.waived_by or "—"

    @admin.display(description=_("Waived at"))
    def on(self, obj):
        return f"{timezone.localtime(obj.waived_at):%Y-%m-%d %H:%M}" if obj.waived_at else "—"


class WaiverActionForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.TextInput(attrs=ACTION_BAR_INPUT)
    )
    consent_ref = forms.CharField(
        label=_("Brand's consent ref."),
        required=False,
        widget=forms.TextInput(attrs=ACTION_BAR_INPUT),
    )


# --- the admin -----------------------------------------------------------------------------


@admin.register(KpiRecord)
class KpiRecordAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "agreement_number",
        "period",
        "distributors",
        "cartons",
        "sales",
        "evaluation",
        "web_targets",
        "waived",
    ]
    list_display_links = ["agreement_number", "period"]
    list_filter = [PeriodFieldFilter, "agreement__kind", "agreement__brand", "agreement"]
    search_fields = ["agreement__number", "period"]
    list_select_related = ["agreement__b2b_terms", "agreement__brand"]
    inlines = [FeeWaiverInline]
    actions = ["waive_withholding"]
    action_form = WaiverActionForm
    readonly_fields = ["evaluation_detail"]
    fieldsets = [
        (None, {"fields": ["agreement", "period", "evaluation_detail"]}),
        (
            _("Figures from the sales"),
            {"fields": ["distributors_recruited", "cartons_shipped", "sales_amount"]},
        ),
        (
            _("Web figures"),
            {
                "fields": [
                    "unique_visitors",
                    "daily_inquiries",
                    "conversion_rate",
                    "baidu_first_page",
                    "google_first_page",
                ]
            },
        ),
        (None, {"fields": ["notes"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("waivers")

    def get_inlines(self, request, obj):
        # Waivers are recorded by the list action, on a saved record: none on the add form.
        return [] if obj is None else super().get_inlines(request, obj)

    def _evaluation_or_reason(self, obj):
        if not hasattr(obj, "_evaluated"):  # two columns read it: evaluate once per row
            obj._evaluated = kpi_evaluation_or_reason(record=obj)
        return obj._evaluated

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description=_("Agreement"), ordering="agreement__number")
    def agreement_number(self, obj):
        agreement = obj.agreement
        return format_html(
            '<span class="whitespace-nowrap" title="{} · {}">{}</span>',
            agreement.brand.name,
            agreement.title,
            agreement.number,
        )

    @admin.display(description=_("New distributors"), ordering="distributors_recruited")
    def distributors(self, obj):
        return number_text(obj.distributors_recruited)

    @admin.display(description=_("Cartons"), ordering="cartons_shipped")
    def cartons(self, obj):
        return number_text(obj.cartons_shipped)

    @admin.display(description=_("Sales amount"), ordering="sales_amount")
    def sales(self, obj):
        return money_text(obj.sales_amount)

    @admin.display(description=_("Minimums"))
    def evaluation(self, obj):
        return verdict_html(*self._evaluation_or_reason(obj), record=obj)

    @admin.display(description=_("Web targets"))
    def web_targets(self, obj):
        evaluation = self._evaluation_or_reason(obj)[0]
        if evaluation is None or not evaluation.web_targets_apply:
            return "—"
        lines = web_target_lines(obj, evaluation)
        met = sum(1 for ok, _text in lines if ok)
        return format_html(
            '<span title="{}" style="color:{}">{}</span>',
            "\n".join(text for _ok, text in lines),
            GREEN if met == len(lines) else RED,
            gettext("%(met)s of %(all)s met") % {"met": met, "all": len(lines)},
        )

    @admin.display(description=_("Withholding"))
    def waived(self, obj):
        # Only a waiver is worth a mark: an empty cell is the usual case, not a red cross.
        return gettext("Withholding waived") if obj.waivers.all() else ""

    @admin.display(description=_("Evaluation"))
    def evaluation_detail(self, obj):
        if obj is None or obj.pk is None:
            return gettext("Saved records are judged against the agreement's minimums.")
        evaluation, reason = self._evaluation_or_reason(obj)
        if evaluation is None:
            if reason:
                return verdict_html(evaluation, reason, record=obj)
            return gettext("This kind of agreement has no monthly minimums.")
        parts = [verdict_html(evaluation)]
        if evaluation.active_days < evaluation.days_in_period:
            parts.append(
                gettext(
                    "Minimums prorated: %(days)s of the month's %(all)s days are inside the "
                    "agreement."
                )
                % {"days": evaluation.active_days, "all": evaluation.days_in_period}
            )
        parts.append(
            format_html('<ul class="admin-list">{}</ul>', _coloured(minimum_lines(obj, evaluation)))
        )
        if evaluation.web_targets_apply:
            parts.append(
                format_html(
                    '{}<ul class="admin-list">{}</ul>',
                    gettext("Web targets:"),
                    _coloured(web_target_lines(obj, evaluation)),
                )
            )
        else:
            parts.append(
                gettext("Web targets apply from month %(month)s of the agreement.")
                % {"month": obj.agreement.b2b_terms.web_targets_from_month}
            )
        return format_html_join("", "<div>{}</div>", ((part,) for part in parts))

    # --- adding: the chooser, then the pre-filled form ----------------------------------------

    def _chosen(self, request: HttpRequest) -> KpiChooserForm | None:
        """The chooser bound to the query string (``?agreement=ID&period=YYYY-MM``)."""
        if "agreement" not in request.GET and "period" not in request.GET:
            return None
        if not hasattr(request, "_kpi_chooser"):
            request._kpi_chooser = KpiChooserForm(request.GET, user=request.user)
        return request._kpi_chooser

    def add_view(self, request, form_url="", extra_context=None):
        chooser = self._chosen(request)
        if request.method == "POST" or (chooser is not None and chooser.is_valid()):
            if chooser is not None and chooser.is_valid():
                existing = self.get_queryset(request).filter(
                    agreement=chooser.cleaned_data["agreement"],
                    period=str(chooser.cleaned_data["period"]),
                )
                record = existing.first()
                if record is not None and request.method != "POST":
                    self.message_user(
                        request,
                        gettext("%(record)s is already recorded: correct it here.")
                        % {"record": record},
                        messages.INFO,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:kpis_kpirecord_change", args=[record.pk])
                    )
            return super().add_view(request, form_url, extra_context)
        return self.chooser_view(request, chooser)

    def chooser_view(self, request: HttpRequest, chooser: KpiChooserForm | None) -> HttpResponse:
        if not self.has_add_permission(request):
            return super().add_view(request)  # the admin's own refusal
        if chooser is None:
            last_month = Period.of(clock.today()).previous()
            chooser = KpiChooserForm(user=request.user, initial={"period": str(last_month)})
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Add a monthly KPI record"),
            "opts": self.model._meta,
            "form": chooser,
            # the admin's own name for the page's form (the admin-wall tests read it)
            "adminform": helpers.AdminForm(
                chooser, [(None, {"fields": ["agreement", "period"]})], {}
            ),
            "has_choices": chooser.fields["agreement"].queryset.exists(),
        }
        return TemplateResponse(request, "admin/kpis/kpirecord/choose.html", context)

    def get_changeform_initial_data(self, request):
        """The chosen month's figures from its sale lines (``kpi_prefill``)."""
        initial = super().get_changeform_initial_data(request)
        chooser = self._chosen(request)
        if chooser is not None and chooser.is_valid():
            agreement, period = chooser.cleaned_data["agreement"], chooser.cleaned_data["period"]
            prefill = kpi_prefill(agreement=agreement, period=period)
            # money as money in the field (SQLite sums lose the cents' scale)
            prefill["sales_amount"] = Decimal(prefill["sales_amount"]).quantize(Decimal("0.01"))
            initial.update(prefill)
            initial.update({"agreement": agreement.pk, "period": str(period)})
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        chooser = self._chosen(request) if obj is None else None
        if chooser is not None and chooser.is_valid():
            # The chooser fixed them: shown, not editable, and posted values are ignored.
            fixed = {
                "agreement": chooser.cleaned_data["agreement"].pk,
                "period": str(chooser.cleaned_data["period"]),
            }
            for name, value in fixed.items():
                if name in form.base_fields:
                    form.base_fields[name].disabled = True
                    form.base_fields[name].initial = value
        return form

    def get_readonly_fields(self, request, obj=None):
        # (agreement, period) identifies the record: correct the figures, not the month.
        fixed = ["agreement", "period"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in KPI_FIELDS if name in form.cleaned_data}
        if change:
            values = {name: value for name, value in values.items() if name in form.changed_data}
        record = self.service(
            kpi_record_save,
            agreement=obj.agreement,
            period=obj.period,
            values=values,
            by=request.user,
        )
        obj.pk = record.pk

    # --- the waiver action -------------------------------------------------------------------

    @admin.action(description=_("Waive the fee withholding (brand's written consent)"))
    def waive_withholding(self, request, queryset):
        reason = request.POST.get("reason", "")
        consent_ref = request.POST.get("consent_ref", "")
        for record in queryset.select_related("agreement__b2b_terms"):
            link = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:kpis_kpirecord_change", args=[record.pk]),
                record,
            )
            try:
                kpi_waive(record=record, reason=reason, consent_ref=consent_ref, by=request.user)
            except RuleViolation as error:
                self.message_user(
                    request, format_html("{}: {}", link, one_language(str(error))), messages.ERROR
                )
            else:
                fee = money_text(record.agreement.b2b_terms.monthly_service_fee)
                self.message_user(
                    request,
                    format_html(
                        "{}: {}",
                        link,
                        gettext(
                            "the %(fee)s service fee is no longer withheld (brand's consent "
                            "%(ref)s)."
                        )
                        % {"fee": fee, "ref": consent_ref or "—"},
                    ),
                    messages.SUCCESS,
                )
