from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin_helpers import ScopedAdminMixin, ScopedInlineMixin
from contracts.models import (
    Agreement,
    B2BCommissionTerms,
    ConsultingTerms,
    Installment,
    Product,
    ProductPrice,
    RenewalObjection,
    RevenueShareTerms,
)
from contracts.services import (
    DEFAULT_PENALTY_RATES,
    agreement_activate,
    agreement_create,
    agreement_terminate,
    agreement_update,
    installments_validate,
)
from core.exceptions import DomainError, RuleViolation


class ProductPriceInline(ScopedInlineMixin, admin.TabularInline):
    model = ProductPrice
    extra = 0
    ordering = ["-valid_from"]


@admin.register(Product)
class ProductAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "sku",
        "name",
        "brand",
        "factory_price",
        "distributor_price",
        "min_retail_price",
    ]
    list_filter = ["brand"]
    search_fields = ["sku", "name", "brand__name"]
    list_select_related = ["brand"]
    inlines = [ProductPriceInline]


class ParentDraftOnlyMixin(ScopedInlineMixin):
    """Terms and installments can change only while the agreement is a draft."""

    def _editable(self, request, obj) -> bool:
        return obj is None or obj.status == Agreement.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


class TermsInline(ParentDraftOnlyMixin, admin.StackedInline):
    extra = 0
    min_num = 1
    max_num = 1
    can_delete = False


class B2BTermsInline(TermsInline):
    model = B2BCommissionTerms


class RevenueShareTermsInline(TermsInline):
    model = RevenueShareTerms


class ConsultingTermsInline(TermsInline):
    model = ConsultingTerms


class InstallmentFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        percents = [
            form.cleaned_data["percent"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            installments_validate([{"percent": percent} for percent in percents])
        except RuleViolation as error:
            raise ValidationError(error.errors["installments"]) from None


class InstallmentInline(ParentDraftOnlyMixin, admin.TabularInline):
    model = Installment
    formset = InstallmentFormSet
    extra = 0


class RenewalObjectionInline(ScopedInlineMixin, admin.TabularInline):
    model = RenewalObjection
    extra = 0
    readonly_fields = ["objected_on", "by_party", "note", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TerminateActionForm(ActionForm):
    on = forms.DateField(
        label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("reason"), required=False)


KIND_INLINES = {
    Agreement.Kind.B2B_COMMISSION: [B2BTermsInline],
    Agreement.Kind.REVENUE_SHARE: [RevenueShareTermsInline],
    Agreement.Kind.CONSULTING_FIXED_FEE: [ConsultingTermsInline, InstallmentInline],
}


@admin.register(Agreement)
class AgreementAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "kind",
        "brand",
        "agency",
        "starts_on",
        "ends_on",
        "status_badge",
        "auto_renew",
    ]
    list_filter = [
        "status",
        "kind",
        "brand",
        "agency",
        "auto_renew",
        ("ends_on", admin.DateFieldListFilter),
    ]
    search_fields = ["number", "title", "brand__name", "agency__name"]
    list_select_related = ["brand", "agency"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["products"]
    actions = ["activate_selected", "terminate_selected"]
    action_form = TerminateActionForm
    change_list_template = "admin/contracts/agreement/change_list.html"
    fieldsets = (
        (None, {"fields": ("number", "kind", "title", "brand", "agency", "status")}),
        (
            _("Dates"),
            {
                "fields": (
                    "signed_on",
                    "starts_on",
                    "ends_on",
                    "terminated_on",
                    "termination_reason",
                )
            },
        ),
        (_("Money"), {"fields": ("penalty_rate_per_day", "bank_account")}),
        (
            _("Renewal"),
            {
                "fields": (
                    "auto_renew",
                    "renewal_term_months",
                    "renewal_notice_months",
                    "renewal_count",
                )
            },
        ),
        (
            _("Exclusivity and confidentiality"),
            {
                "fields": (
                    "exclusivity_party",
                    "exclusivity_scope",
                    "confidentiality_party",
                    "confidentiality_years",
                )
            },
        ),
        (_("Products and notes"), {"fields": ("products", "notes")}),
    )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        colors = {
            "draft": "#777",
            "active": "#1a7f37",
            "expired": "#9a6700",
            "terminated": "#cf222e",
        }
        return format_html(
            '<b style="color:{}">{}</b>', colors.get(obj.status, "#000"), obj.get_status_display()
        )

    def get_readonly_fields(self, request, obj=None):
        always = ["status", "terminated_on", "termination_reason", "renewal_count"]
        if obj is None:
            return always
        if obj.status != Agreement.Status.DRAFT:
            # An agreement in force is changed only through its lifecycle actions.
            return [f.name for f in Agreement._meta.fields if f.name != "notes"] + ["products"]
        return always + ["kind"]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return [*KIND_INLINES.get(obj.kind, []), RenewalObjectionInline]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        kind = request.GET.get("kind")
        if kind in DEFAULT_PENALTY_RATES:
            initial["kind"] = kind
            initial["penalty_rate_per_day"] = DEFAULT_PENALTY_RATES[kind]
            initial["auto_renew"] = kind == Agreement.Kind.REVENUE_SHARE
        return initial

    def save_model(self, request, obj, form, change):
        # Products are saved by save_related (the form's many-to-many); the rest through
        # the services, which fill the template's terms on creation and log every change.
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if name != "products" and (not change or name in form.changed_data)
        }
        if change:
            saved = agreement_update(agreement=obj, fields=fields, by=request.user)
        else:
            saved = agreement_create(by=request.user, **fields)
        obj.pk = saved.pk
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _(
                "Saved with the template's default terms: review them below. 已按合同模板填入默认条款，请核对。"
            ),
            messages.INFO,
        )
        request.POST = request.POST.copy()
        request.POST["_continue"] = "1"
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Activate selected drafts 激活"))
    def activate_selected(self, request, queryset):
        for agreement in queryset:
            try:
                agreement_activate(agreement=agreement, by=request.user)
            except RuleViolation as error:
                self.message_user(request, f"{agreement.number}: {error}", messages.ERROR)
            except DomainError as error:
                self.message_user(request, f"{agreement.number}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{agreement.number}: {_('activated')}", messages.SUCCESS
                )

    @admin.action(description=_("Terminate selected (date and reason above) 终止"))
    def terminate_selected(self, request, queryset):
        try:
            on = TerminateActionForm.base_fields["on"].clean(request.POST.get("on"))
        except ValidationError:
            on = None
        if on is None:
            self.message_user(
                request, _("Give the termination date. 请填写终止日期。"), messages.ERROR
            )
            return
        reason = request.POST.get("reason", "")
        for agreement in queryset:
            try:
                agreement_terminate(
                    agreement=agreement,
                    on=on,
                    reason=reason,
                    by=request.user,
                )
            except DomainError as error:
                self.message_user(request, f"{agreement.number}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{agreement.number}: {_('terminated')}", messages.SUCCESS
                )
