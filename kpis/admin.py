from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import ActionForm

from accounts.selectors import scope_for_user
from common.admin_helpers import (
    ACTION_BAR_INPUT,
    PeriodFieldFilter,
    PeriodListFilter,
    ScopedAdminMixin,
    ScopedInlineMixin,
)
from contracts.models import Agreement
from core.exceptions import DomainError, RuleViolation
from core.periods import Period
from kpis import admin_imports  # noqa: F401  (registers the SalesImport admin)
from kpis.models import FeeWaiver, KpiRecord, Promotion, SaleLine
from kpis.services import (
    KPI_FIELDS,
    SaleContext,
    kpi_evaluation_or_reason,
    kpi_prefill,
    kpi_record_save,
    kpi_waive,
    sale_line_record,
    sale_row_clean,
)


class FeeWaiverInline(ScopedInlineMixin, TabularInline):
    model = FeeWaiver
    extra = 0
    can_delete = False
    readonly_fields = ["reason", "consent_ref", "waived_by", "waived_at"]

    def has_add_permission(self, request, obj=None):
        return False


class WaiverActionForm(ActionForm):
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.TextInput(attrs=ACTION_BAR_INPUT)
    )
    consent_ref = forms.CharField(
        label=_("brand consent ref."),
        required=False,
        widget=forms.TextInput(attrs=ACTION_BAR_INPUT),
    )


def _evaluation_html(evaluation, reason=""):
    if evaluation is None:
        if reason:  # a month outside the agreement: say why instead of failing the list
            return format_html('— <span class="help">{}</span>', reason)
        return "—"
    names = {"distributors": "经销商", "cartons": "箱数", "sales_amount": "销售额"}
    if evaluation.minimums_met:
        return format_html('<b style="color:#1a7f37">✓ {}</b>', _("minimums met 达标"))
    missed = "、".join(names.get(m, m) for m in evaluation.missed)
    return format_html('<b style="color:#cf222e">✗ {} {}</b>', _("missed 未达标:"), missed)


@admin.register(KpiRecord)
class KpiRecordAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "agreement",
        "period",
        "distributors_recruited",
        "cartons_shipped",
        "sales_amount",
        "unique_visitors",
        "daily_inquiries",
        "conversion_rate",
        "evaluation",
        "web_targets",
        "waived",
    ]
    list_filter = [PeriodFieldFilter, "agreement__kind", "agreement__brand", "agreement"]
    search_fields = ["agreement__number", "period"]
    list_select_related = ["agreement__b2b_terms"]
    inlines = [FeeWaiverInline]
    actions = ["waive_withholding"]
    action_form = WaiverActionForm
    readonly_fields = ["evaluation_detail"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("waivers")

    def _evaluation(self, obj):
        return self._evaluation_or_reason(obj)[0]

    def _evaluation_or_reason(self, obj):
        if not hasattr(obj, "_evaluated"):  # two columns read it: evaluate once per row
            obj._evaluated = kpi_evaluation_or_reason(record=obj)
        return obj._evaluated

    @admin.display(description=_("minimums 最低指标"))
    def evaluation(self, obj):
        return _evaluation_html(*self._evaluation_or_reason(obj))

    @admin.display(description=_("web targets 网络指标"))
    def web_targets(self, obj):
        evaluation = self._evaluation(obj)
        if evaluation is None or not evaluation.web_targets_apply:
            return "—"
        return format_html_join(
            " ",
            '<span title="{}">{}</span>',
            ((name, "✓" if ok else "✗") for name, ok in evaluation.web_targets.items()),
        )

    @admin.display(description=_("waived 已豁免"), boolean=True)
    def waived(self, obj):
        return bool(obj.waivers.all())

    @admin.display(description=_("evaluation 评估"))
    def evaluation_detail(self, obj):
        if obj is None or obj.pk is None:
            return _(
                "Saved records are evaluated against the agreement's minimums. 保存后按协议最低指标评估。"
            )
        evaluation, reason = self._evaluation_or_reason(obj)
        if reason:
            return _evaluation_html(evaluation, reason)
        if evaluation is None:
            return _("No monthly minimums for this kind of agreement.")
        rows = [(name, value) for name, value in evaluation.required.items()]
        return format_html(
            "{}<br>{}: {}<br>{}",
            _evaluation_html(evaluation),
            _("required this month 本月要求"),
            format_html_join(", ", "{} ≥ {}", rows),
            format_html_join(
                ", ",
                "{}: {}",
                ((n, "✓" if ok else "✗") for n, ok in evaluation.web_targets.items()),
            )
            if evaluation.web_targets_apply
            else _("web targets not yet applicable 网络指标尚未适用"),
        )

    def get_changeform_initial_data(self, request):
        """Adding ?agreement=ID&period=YYYY-MM pre-fills cartons and sales from sale lines."""
        initial = super().get_changeform_initial_data(request)
        agreement_id, period = request.GET.get("agreement"), request.GET.get("period")
        if agreement_id and period:
            agreement = (
                scope_for_user(
                    queryset=Agreement.objects.all(), user=request.user, brand_path="brand"
                )
                .filter(pk=agreement_id)
                .first()
            )
            try:
                month = Period.parse(period)
            except ValueError:
                month = None
            if agreement is not None and month is not None:
                initial.update(kpi_prefill(agreement=agreement, period=month))
        return initial

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

    @admin.action(description=_("Waive fee withholding with the brand's written consent 豁免暂扣"))
    def waive_withholding(self, request, queryset):
        reason = request.POST.get("reason", "")
        consent_ref = request.POST.get("consent_ref", "")
        for record in queryset.select_related("agreement"):
            try:
                kpi_waive(record=record, reason=reason, consent_ref=consent_ref, by=request.user)
            except RuleViolation as error:
                self.message_user(request, f"{record}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{record}: {_('withholding waived')}", messages.SUCCESS)


class SaleLineAddForm(forms.ModelForm):
    """Adding a line by hand goes through the same cleaning as the API and imports."""

    product_sku = forms.CharField(label=_("product SKU"), max_length=64)
    factory_price = forms.DecimalField(label=_("factory price (empty: price list)"), required=False)
    distributor_price = forms.DecimalField(
        label=_("distributor price (empty: price list)"), required=False
    )
    promotion_code = forms.CharField(label=_("approved promotion code"), required=False)

    class Meta:
        model = SaleLine
        fields = [
            "agreement",
            "product_sku",
            "sold_on",
            "quantity",
            "unit_price",
            "factory_price",
            "distributor_price",
            "tax",
            "logistics",
            "channel",
            "distributor",
            "external_ref",
            "promotion_code",
        ]

    def clean(self):
        data = super().clean()
        agreement = data.get("agreement")
        if agreement is None:
            return data
        row = {
            "product": data.get("product_sku"),
            "sold_on": data.get("sold_on"),
            "quantity": data.get("quantity"),
            "unit_price": data.get("unit_price"),
            "factory_price": data.get("factory_price"),
            "distributor_price": data.get("distributor_price"),
            "tax": data.get("tax"),
            "logistics": data.get("logistics"),
            "channel": data.get("channel"),
            "distributor": data.get("distributor"),
            "external_ref": data.get("external_ref"),
            "promotion": data.get("promotion_code"),
        }
        _cleaned, errors = sale_row_clean(row, ctx=SaleContext.load(agreement))
        field_map = {
            "product": "product_sku",
            "promotion": "promotion_code",
            "agreement": "agreement",
        }
        for name, problems in errors.items():
            for problem in problems:
                self.add_error(
                    field_map.get(name, name) if name in self.fields or name in field_map else None,
                    problem,
                )
        self.sale_row = row
        return data


@admin.register(SaleLine)
class SaleLineAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "sold_on",
        "agreement",
        "product",
        "quantity",
        "unit_price",
        "amount",
        "tax",
        "logistics",
        "channel",
        "distributor",
        "violation",
        "external_ref",
    ]
    list_filter = [PeriodListFilter, "channel", "price_violation", "agreement__brand", "agreement"]
    search_fields = [
        "external_ref",
        "distributor",
        "product__sku",
        "product__name",
        "agreement__number",
    ]
    list_select_related = ["agreement", "product"]
    date_hierarchy = "sold_on"
    change_list_template = "admin/kpis/saleline/change_list.html"
    list_per_page = 100

    @admin.display(
        description=_("below min. retail 低于最低零售价"), boolean=True, ordering="price_violation"
    )
    def violation(self, obj):
        return obj.price_violation

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SaleLineAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A recorded sale is a fact: correct it with a return line, never in place.
        return [f.name for f in SaleLine._meta.fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agreement":
            kwargs["queryset"] = scope_for_user(
                queryset=Agreement.objects.exclude(kind=Agreement.Kind.CONSULTING_FIXED_FEE),
                user=request.user,
                brand_path="brand",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            result = sale_line_record(
                agreement=form.cleaned_data["agreement"], data=form.sale_row, by=request.user
            )
        except DomainError as error:  # a race with another writer: say so, lose nothing
            self.message_user(request, str(error), messages.ERROR)
            return
        form.instance = result.line
        obj.pk = result.line.pk

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        try:
            queryset = response.context_data["cl"].queryset
        except (AttributeError, KeyError):
            return response
        totals = queryset.aggregate(
            lines=Count("pk"),
            quantity=Sum("quantity"),
            amount=Sum("amount"),
            tax=Sum("tax"),
            logistics=Sum("logistics"),
            violations=Count("pk", filter=Q(price_violation=True)),
        )
        per_month = (
            queryset.annotate(month=TruncMonth("sold_on"))
            .values("month")
            .annotate(lines=Count("pk"), quantity=Sum("quantity"), amount=Sum("amount"))
            .order_by("-month")[:12]
        )
        response.context_data["totals"] = totals
        response.context_data["per_month"] = list(per_month)
        return response

    def get_urls(self):
        return [
            path(
                "compliance/",
                self.admin_site.admin_view(self.compliance_view),
                name="kpis_saleline_compliance",
            ),
            *super().get_urls(),
        ]

    def compliance_view(self, request):
        """Price violations per agreement and month (合规报告：低于最低零售价的销售)."""
        rows = (
            self.get_queryset(request)
            .filter(price_violation=True)
            .annotate(month=TruncMonth("sold_on"))
            .values("agreement__id", "agreement__number", "agreement__brand__name", "month")
            .annotate(lines=Count("pk"), quantity=Sum("quantity"), amount=Sum("amount"))
            .order_by("-month", "agreement__number")
        )
        changelist = reverse("admin:kpis_saleline_changelist")
        report = [
            {
                **row,
                "period": f"{row['month']:%Y-%m}",
                "link": f"{changelist}?price_violation__exact=1&agreement__id__exact={row['agreement__id']}"
                f"&period={row['month']:%Y-%m}",
            }
            for row in rows
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compliance: sales below minimum retail price 合规报告：低于最低零售价"),
            "rows": report,
            "opts": self.model._meta,
            "total_amount": sum((r["amount"] for r in report), Decimal("0")),
        }
        return TemplateResponse(request, "admin/kpis/saleline/compliance.html", context)


@admin.register(Promotion)
class PromotionAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = ["code", "name", "agreement", "starts_on", "ends_on", "approved_by_brand_on"]
    list_filter = ["agreement__brand", "agreement"]
    search_fields = ["code", "name"]
