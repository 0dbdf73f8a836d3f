"""Obligations in the admin: the list with its filters and actions (done, waived,
approved, rejected), staff's own obligations and approval requests, the recurring ones,
and the agreement's page listing its obligations."""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import ActionForm

from common import clock
from common.admin_helpers import ACTION_BAR_INPUT, ScopedAdminMixin, ScopedInlineMixin
from common.i18n import one_language
from contracts.models import Agreement
from core.exceptions import DomainError
from obligations import services
from obligations.models import Obligation, ObligationFile, ObligationSeries, Schedule

# "Due this week": today and the six days after it.
WEEK_DAYS = 7
STATUS_COLORS = {
    "open": "#0969da",
    "done": "#1a7f37",
    "approved": "#1a7f37",
    "missed": "#cf222e",
    "rejected": "#9a6700",
    "waived": "#777",
}


def _link(obligation: Obligation) -> str:
    url = reverse("admin:obligations_obligation_change", args=[obligation.pk])
    return format_html('<a href="{}">{}</a>', url, obligation.title)


def _file_link(item: ObligationFile) -> str:
    url = reverse("obligation-file", args=[item.obligation_id, item.pk])
    return format_html('<a href="{}">{}</a>', url, item.name)


class DueListFilter(admin.SimpleListFilter):
    """What staff act on: due this week, missed, approvals waiting for an answer."""

    title = _("to act on")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("week", _("Due this week")),
            ("missed", _("Missed")),
            ("waiting", _("Approvals waiting")),
        ]

    def queryset(self, request, queryset):
        today = clock.today()
        if self.value() == "week":
            return queryset.filter(
                status=Obligation.Status.OPEN,
                due_on__gte=today,
                due_on__lt=today + timedelta(days=WEEK_DAYS),
            )
        if self.value() == "missed":
            return queryset.filter(status=Obligation.Status.MISSED)
        if self.value() == "waiting":
            return queryset.filter(
                kind="approval", status__in=[Obligation.Status.OPEN, Obligation.Status.MISSED]
            )
        return queryset


class ObligationActionForm(ActionForm):
    text = forms.CharField(
        label=_("Note, reason or comment"),
        required=False,
        widget=forms.TextInput(attrs=ACTION_BAR_INPUT),
    )


class ObligationForm(forms.ModelForm):
    """Staff's own obligation (one-off or recurring), or an approval asked of the brand
    (with a promotion plan). The services validate; the model's own checks are theirs."""

    due_on = forms.DateField(label=_("due on (one-off)"), required=False)
    schedule = forms.ChoiceField(
        label=_("or a schedule"), choices=[("", "—"), *Schedule.choices], required=False
    )
    due_day = forms.IntegerField(
        label=_("due day of the month"),
        required=False,
        min_value=1,
        max_value=31,
        help_text=_("Empty: the last day of each month or quarter."),
    )
    starts_on = forms.DateField(
        label=_("recurring from"),
        required=False,
        help_text=_("Empty: the agreement's first day."),
    )
    promotion_code = forms.CharField(label=_("promotion code"), max_length=60, required=False)
    promotion_name = forms.CharField(label=_("promotion name"), max_length=200, required=False)
    promotion_starts_on = forms.DateField(label=_("promotion starts on"), required=False)
    promotion_ends_on = forms.DateField(label=_("promotion ends on"), required=False)
    price_floor = forms.DecimalField(
        label=_("price floor"), max_digits=14, decimal_places=2, required=False
    )
    document = forms.FileField(label=_("document"), required=False)

    class Meta:
        model = Obligation
        fields = ["agreement", "title", "kind", "owed_by", "clause", "description", "remind_days"]

    def _post_clean(self) -> None:
        """No model validation here: the services check and save."""


class ObligationChangeForm(forms.ModelForm):
    due_on = forms.DateField(label=_("due on"), required=False)
    schedule = forms.ChoiceField(label=_("schedule"), choices=Schedule.choices, required=False)
    due_day = forms.IntegerField(
        label=_("due day of the month"), required=False, min_value=1, max_value=31
    )

    class Meta:
        model = Obligation
        fields = ["title", "description", "clause", "remind_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        obligation = self.instance
        self.fields["due_on"].initial = obligation.due_on
        if obligation.series_id:
            self.fields["schedule"].initial = obligation.series.schedule
            self.fields["due_day"].initial = obligation.series.due_day
            self.fields["due_on"].disabled = True
        else:
            del self.fields["schedule"], self.fields["due_day"]

    def _post_clean(self) -> None:
        """No model validation here: the services check and save."""


class ObligationFileInline(ScopedInlineMixin, TabularInline):
    model = ObligationFile
    extra = 0
    fields = ["download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        return _file_link(obj)


@admin.register(Obligation)
class ObligationAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "due",
        "title_cell",
        "agreement_cell",
        "owed_by",
        "kind",
        "status_cell",
    ]
    list_display_links = ["title_cell"]
    list_filter = [DueListFilter, "status", "kind", "owed_by", "agreement__brand", "agreement"]
    list_select_related = ["agreement__brand", "series"]
    search_fields = ["title", "agreement__number", "clause"]
    date_hierarchy = "due_on"
    actions = ["complete_selected", "waive_selected", "approve_selected", "reject_selected"]
    action_form = ObligationActionForm

    # --- the list ---------------------------------------------------------------------

    @admin.display(description=_("Due date"), ordering="due_on")
    def due(self, obj):
        late = obj.status == Obligation.Status.OPEN and obj.due_on < clock.today()
        return format_html(
            '<span class="whitespace-nowrap" style="{}">{}</span>',
            "color:#cf222e" if late else "",
            obj.due_on.isoformat(),
        )

    @admin.display(description=_("Title"), ordering="title")
    def title_cell(self, obj):
        period = f" · {obj.period}" if obj.period else ""
        return format_html(
            '<span class="block truncate max-w-60" title="{}">{}{}</span>',
            obj.clause,
            obj.title,
            period,
        )

    @admin.display(description=_("Agreement"), ordering="agreement__number")
    def agreement_cell(self, obj):
        return format_html(
            '<span class="whitespace-nowrap" title="{}">{}</span>',
            obj.agreement.brand.name,
            obj.agreement.number,
        )

    @admin.display(description=_("Status"), ordering="status")
    def status_cell(self, obj):
        return format_html(
            '<b class="whitespace-nowrap" style="color:{}">{}</b>',
            STATUS_COLORS.get(obj.status, "#000"),
            obj.get_status_display(),
        )

    # --- the form ---------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ObligationForm if obj is None else ObligationChangeForm
        kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (None, {"fields": ("agreement", "kind", "owed_by", "title", "clause")}),
                (
                    _("When"),
                    {"fields": ("due_on", "schedule", "due_day", "starts_on", "remind_days")},
                ),
                (
                    _("An approval asked of the brand"),
                    {
                        "fields": (
                            "promotion_code",
                            "promotion_name",
                            "promotion_starts_on",
                            "promotion_ends_on",
                            "price_floor",
                            "document",
                        ),
                        "description": _(
                            "For kind “approval”: the brand approves or rejects it in its "
                            "portal. A promotion plan with its code, dates and price floor "
                            "exempts its sales from the minimum price once approved."
                        ),
                    },
                ),
                (_("Description"), {"fields": ("description",)}),
            )
        read = self._read_only(obj)
        when = ("due_on", "schedule", "due_day") if obj.series_id else ("due_on",)
        fieldsets = [
            (
                None,
                {
                    "fields": (
                        "agreement",
                        "kind",
                        "owed_by",
                        "title",
                        "clause",
                        "description",
                        "status",
                    )
                },
            ),
            (_("When"), {"fields": (*when, "period", "remind_days", "missed_on")}),
            (
                _("Evidence and decision"),
                {
                    "fields": (
                        "completed_on",
                        "completed_by",
                        "note",
                        "waived_on",
                        "waive_reason",
                        "requested_by",
                        "promotion",
                    )
                },
            ),
        ]
        if read:
            fieldsets[1] = (_("When"), {"fields": ("due_on", "period", "remind_days", "missed_on")})
        return fieldsets

    def _read_only(self, obj) -> bool:
        return obj is not None and obj.status != Obligation.Status.OPEN

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        always = [
            "agreement",
            "kind",
            "owed_by",
            "status",
            "period",
            "missed_on",
            "completed_on",
            "completed_by",
            "note",
            "waived_on",
            "waive_reason",
            "requested_by",
            "promotion",
        ]
        if self._read_only(obj):
            return [*always, "title", "clause", "description", "due_on", "remind_days"]
        return always

    def get_inlines(self, request, obj):
        return [ObligationFileInline] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return bool(request.user.is_superuser)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            names = [
                n
                for n in form.changed_data
                if n in services.EDITABLE and not form.fields[n].disabled
            ]
            saved = self.service(
                services.obligation_update,
                obligation=obj,
                by=request.user,
                fields={name: data.get(name) for name in names},
            )
        elif data["kind"] == "approval":
            plan = None
            if data.get("promotion_code"):
                plan = services.PromotionPlan(
                    code=data["promotion_code"],
                    name=data.get("promotion_name") or "",
                    starts_on=data.get("promotion_starts_on") or clock.today(),
                    ends_on=data.get("promotion_ends_on") or clock.today(),
                    price_floor=data.get("price_floor"),
                )
            saved = self.service(
                services.approval_request,
                agreement=data["agreement"],
                by=request.user,
                title=data.get("title") or "",
                description=data.get("description") or "",
                due_on=data.get("due_on"),
                files=[data["document"]] if data.get("document") else [],
                promotion=plan,
            )
        else:
            saved = self.service(
                services.obligation_create,
                agreement=data["agreement"],
                by=request.user,
                title=data.get("title") or "",
                kind=data["kind"],
                owed_by=data["owed_by"],
                clause=data.get("clause") or "",
                description=data.get("description") or "",
                due_on=data.get("due_on"),
                schedule=data.get("schedule") or "",
                due_day=data.get("due_day"),
                starts_on=data.get("starts_on"),
                remind_days=data.get("remind_days") if data.get("remind_days") is not None else 3,
            )
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        """The files are shown, never edited here; the services saved the rest."""

    # --- the actions ------------------------------------------------------------------

    def _act(self, request, queryset, call, done: str) -> None:
        text = request.POST.get("text", "")
        for obligation in queryset.select_related("agreement"):
            try:
                call(obligation, text)
            except DomainError as error:
                self.message_user(
                    request,
                    format_html("{}: {}", _link(obligation), one_language(str(error))),
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request, format_html("{}: {}", _link(obligation), done), messages.SUCCESS
                )

    @admin.action(description=_("Record done (the note above is the evidence)"))
    def complete_selected(self, request, queryset):
        self._act(
            request,
            queryset,
            lambda o, text: services.obligation_complete(obligation=o, by=request.user, note=text),
            gettext("recorded done."),
        )

    @admin.action(description=_("Waive (the reason above)"))
    def waive_selected(self, request, queryset):
        self._act(
            request,
            queryset,
            lambda o, text: services.obligation_waive(obligation=o, by=request.user, reason=text),
            gettext("waived."),
        )

    @admin.action(description=_("Approve (comment above, optional)"))
    def approve_selected(self, request, queryset):
        self._act(
            request,
            queryset,
            lambda o, text: services.approval_decide(
                obligation=o, by=request.user, approve=True, comment=text
            ),
            gettext("approved."),
        )

    @admin.action(description=_("Reject (the comment above)"))
    def reject_selected(self, request, queryset):
        self._act(
            request,
            queryset,
            lambda o, text: services.approval_decide(
                obligation=o, by=request.user, approve=False, comment=text
            ),
            gettext("rejected."),
        )


@admin.register(ObligationSeries)
class ObligationSeriesAdmin(ScopedAdminMixin, ModelAdmin):
    """Recurring obligations: read here, changed through any open occurrence's page."""

    brand_path = "agreement__brand"
    list_display = ["title", "agreement", "schedule", "due_day", "owed_by", "starts_on", "ends_on"]
    list_filter = ["schedule", "owed_by", "agreement__brand", "agreement"]
    list_select_related = ["agreement"]
    readonly_fields = [
        "agreement",
        "title",
        "kind",
        "owed_by",
        "clause",
        "schedule",
        "due_day",
        "remind_days",
        "starts_on",
        "ends_on",
        "template_key",
        "occurrences",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return bool(request.user.is_superuser)

    @admin.display(description=_("Obligations"))
    def occurrences(self, obj):
        url = reverse("admin:obligations_obligation_changelist")
        return format_html(
            '<a href="{}?series__id__exact={}">{}</a>',
            url,
            obj.pk,
            gettext("%(count)s dated obligations") % {"count": obj.obligations.count()},
        )


# --- the agreement's page lists its obligations -----------------------------------------


class AgreementObligationInline(ScopedInlineMixin, TabularInline):
    model = Obligation
    fk_name = "agreement"
    extra = 0
    fields = ["obligation", "owed_by", "kind", "due_on", "status"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Obligations besides money")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("obligation"))
    def obligation(self, obj):
        return _link(obj)


def _with_obligations(model_admin: Any) -> None:
    """Add the obligations to the agreement's page (contracts may not import this app)."""
    original = model_admin.get_inlines
    if getattr(original, "with_obligations", False):
        return

    def get_inlines(request, obj):
        inlines = list(original(request, obj))
        # Shown, never posted: the list is read-only, so a save does not need its formset
        # (and a client posting the agreement's own fields is not asked for one).
        if obj is None or request.method != "GET":
            return inlines
        return [*inlines, AgreementObligationInline]

    get_inlines.with_obligations = True  # type: ignore[attr-defined]
    model_admin.get_inlines = get_inlines


if Agreement in admin.site._registry:
    _with_obligations(admin.site._registry[Agreement])


from obligations import breach_admin  # noqa: E402, F401  (registers the breach notices)
