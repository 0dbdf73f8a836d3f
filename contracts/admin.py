from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.forms import ActionForm, PaginationInlineFormSet

from common.admin_helpers import ACTION_BAR_INPUT, ScopedAdminMixin, ScopedInlineMixin
from common.i18n import one_language
from common.portal import is_zh
from common.scoping import scoped
from common.templatetags.portal import money_text
from contracts import validation as msg
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
from contracts.selectors import activation_summary
from contracts.services import (
    DEFAULT_PENALTY_RATES,
    TERMS_MODELS,
    agreement_activate,
    agreement_check_complete,
    agreement_create,
    agreement_products_check,
    agreement_terminate,
    agreement_update,
    installments_validate,
    terms_validate,
)
from core.exceptions import DomainError, InvalidStateError, RuleViolation


class ProductPriceInline(ScopedInlineMixin, TabularInline):
    model = ProductPrice
    extra = 0
    ordering = ["-valid_from"]


@admin.register(Product)
class ProductAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ["sku", "name", "brand", "factory", "distributor", "min_retail"]
    list_filter = ["brand"]
    search_fields = ["sku", "name", "brand__name"]
    list_select_related = ["brand"]
    inlines = [ProductPriceInline]

    @admin.display(description=_("Factory price"), ordering="factory_price")
    def factory(self, obj):
        return money_text(obj.factory_price)

    @admin.display(description=_("Distributor price"), ordering="distributor_price")
    def distributor(self, obj):
        return money_text(obj.distributor_price)

    @admin.display(description=_("Minimum retail price"), ordering="min_retail_price")
    def min_retail(self, obj):
        return money_text(obj.min_retail_price)


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


class TermsInline(ParentDraftOnlyMixin, StackedInline):
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


class InstallmentFormSet(PaginationInlineFormSet):
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


class InstallmentInline(ParentDraftOnlyMixin, TabularInline):
    model = Installment
    formset = InstallmentFormSet
    extra = 0


class RenewalObjectionInline(ScopedInlineMixin, TabularInline):
    model = RenewalObjection
    extra = 0
    readonly_fields = ["objected_on", "by_party", "note", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TerminateActionForm(ActionForm):
    on = forms.DateField(
        label=_("date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **ACTION_BAR_INPUT}),
    )
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.TextInput(attrs=ACTION_BAR_INPUT)
    )


def add_rule_violation(form: forms.BaseForm, error: RuleViolation, names: dict[str, str]) -> None:
    """Show a service's refusal on the form: each message on its field, or above the form."""
    for key, problems in error.errors.items():
        name = names.get(key, key)
        for problem in problems:
            form.add_error(name if name in form.fields else None, one_language(problem))


class AgreementForm(forms.ModelForm):
    """The agreement form: the products offered are the brand's, and whatever is chosen
    passes the services' own check (``agreement_products_check``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        products = self.fields.get("products")
        brand_id = self.instance.brand_id or self.initial.get("brand")
        if products is not None and brand_id and not self.is_bound:
            # Offer the brand's products; a posted form keeps every product in scope so
            # that a wrong one is refused with its message, not silently dropped.
            products.queryset = products.queryset.filter(brand_id=brand_id)

    def clean(self):
        data = super().clean()
        brand = data.get("brand", self.instance.brand if self.instance.brand_id else None)
        if "products" in data and brand is not None:
            try:
                agreement_products_check(brand=brand, products=data["products"])
            except RuleViolation as error:
                add_rule_violation(self, error, {})
        return data


# The money terms the add form asks for, by kind (the rest of the terms table keeps the
# template's defaults and is on the change page).
ADD_FORM_TERMS = {
    Agreement.Kind.B2B_COMMISSION: [
        "monthly_service_fee",
        "min_distributors",
        "min_cartons",
        "min_sales_amount",
    ],
    Agreement.Kind.REVENUE_SHARE: ["agency_ratio", "setup_fee"],
    Agreement.Kind.CONSULTING_FIXED_FEE: ["total_fee"],
}


def _terms_field_name(name: str) -> str:
    return f"terms_{name}"


class _AgreementAddForm(AgreementForm):
    def terms(self) -> dict:
        """The chosen kind's terms as entered (empty ones keep the template's default)."""
        kind = self.cleaned_data.get("kind")
        return {
            name: self.cleaned_data[_terms_field_name(name)]
            for name in ADD_FORM_TERMS.get(kind, [])
            if self.cleaned_data.get(_terms_field_name(name)) is not None
        }

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in TERMS_MODELS:
            try:
                terms_validate(kind=kind, terms=self.terms())
            except RuleViolation as error:
                names = {f"terms.{name}": _terms_field_name(name) for name in ADD_FORM_TERMS[kind]}
                add_rule_violation(self, error, names)
        return data


# Adding an agreement also takes its kind's money terms (each a form field made from the
# terms table's own field), so a B2B agreement's fee and minimums are set in the same
# save; without JavaScript every kind's are shown unless the kind is known, and only the
# chosen kind's reach ``agreement_create``.
AgreementAddForm = type(
    "AgreementAddForm",
    (_AgreementAddForm,),
    {
        _terms_field_name(name): TERMS_MODELS[kind]._meta.get_field(name).formfield(required=False)
        for kind, names in ADD_FORM_TERMS.items()
        for name in names
    },
)


KIND_INLINES = {
    Agreement.Kind.B2B_COMMISSION: [B2BTermsInline],
    Agreement.Kind.REVENUE_SHARE: [RevenueShareTermsInline],
    Agreement.Kind.CONSULTING_FIXED_FEE: [ConsultingTermsInline, InstallmentInline],
}


def agreement_link(agreement: Agreement) -> str:
    """The agreement's number, linked to its admin page."""
    url = reverse("admin:contracts_agreement_change", args=[agreement.pk])
    return format_html('<a href="{}">{}</a>', url, agreement.number)


# At 1366 px the list shows number, title, brand, kind, status and dates on one line
# each: the title and brand are cut with an ellipsis, whole in a tooltip.
CUT = '<span class="block truncate max-w-40" title="{}">{}</span>'
ONE_LINE = '<span class="whitespace-nowrap">{}</span>'


@admin.register(Agreement)
class AgreementAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = [
        "number_cell",
        "title_cell",
        "brand_cell",
        "kind_cell",
        "status_badge",
        "starts",
        "ends",
        "renews",
    ]
    list_display_links = ["number_cell", "title_cell"]
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

    @admin.display(description=_("Number"), ordering="number")
    def number_cell(self, obj):
        return format_html(ONE_LINE, obj.number)

    @admin.display(description=_("Title"), ordering="title")
    def title_cell(self, obj):
        return format_html(CUT, obj.title, obj.title)

    @admin.display(description=_("Brand"), ordering="brand__name")
    def brand_cell(self, obj):
        # The agency (one for its staff; superusers filter by it) is in the tooltip.
        return format_html(
            '<span class="block truncate max-w-40" title="{} · {}">{}</span>',
            obj.brand.name,
            obj.agency.name,
            obj.brand.name,
        )

    @admin.display(description=_("Kind"), ordering="kind")
    def kind_cell(self, obj):
        return obj.get_kind_display()

    @admin.display(description=_("Starts"), ordering="starts_on")
    def starts(self, obj):
        return format_html(ONE_LINE, obj.starts_on.isoformat())

    @admin.display(description=_("Ends"), ordering="ends_on")
    def ends(self, obj):
        ends_on = obj.effective_ends_on
        if obj.terminated_on:
            return format_html(
                '<span class="whitespace-nowrap" title="{}">{} ✕</span>',
                gettext("Terminated on %(day)s") % {"day": obj.terminated_on},
                ends_on.isoformat(),
            )
        return format_html(ONE_LINE, ends_on.isoformat())

    @admin.display(description=_("Renewal"), ordering="auto_renew")
    def renews(self, obj):
        # Only automatic renewal is worth a word: a blank cell is the usual case.
        return format_html(ONE_LINE, gettext("Automatic")) if obj.auto_renew else ""

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, obj):
        colors = {
            "draft": "#777",
            "active": "#1a7f37",
            "expired": "#9a6700",
            "terminated": "#cf222e",
        }
        return format_html(
            '<b class="whitespace-nowrap" style="color:{}">{}</b>',
            colors.get(obj.status, "#000"),
            obj.get_status_display(),
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
            return []  # the add form takes the money terms itself (AgreementAddForm)
        return [*KIND_INLINES.get(obj.kind, []), RenewalObjectionInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AgreementForm if obj is not None else AgreementAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            return fieldsets
        kind = request.GET.get("kind")
        kinds = [kind] if kind in ADD_FORM_TERMS else list(ADD_FORM_TERMS)
        terms = [
            (
                format_html("{} · {}", _("Money terms"), Agreement.Kind(each).label),
                {
                    "fields": [_terms_field_name(name) for name in ADD_FORM_TERMS[each]],
                    "description": None
                    if len(kinds) == 1
                    else _("Only the chosen kind's terms are used."),
                },
            )
            for each in kinds
        ]
        return [*fieldsets, *terms]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "products":
            kwargs["queryset"] = scoped(
                Product.objects.select_related("brand"), request.user, "brand"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        kind = request.GET.get("kind")
        if kind in DEFAULT_PENALTY_RATES:
            initial["kind"] = kind
            initial["penalty_rate_per_day"] = DEFAULT_PENALTY_RATES[kind]
            initial["auto_renew"] = kind == Agreement.Kind.REVENUE_SHARE
        return initial

    def save_model(self, request, obj, form, change):
        # Everything goes through the services, which check the products' brand, fill the
        # template's terms (with the add form's money terms) and log every change.
        model_fields = {f.name for f in Agreement._meta.fields}
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if name in model_fields and (not change or name in form.changed_data)
        }
        products = form.cleaned_data.get("products")
        if change:
            saved = agreement_update(
                agreement=obj,
                fields=fields,
                products=list(products) if "products" in form.changed_data else None,
                by=request.user,
            )
        else:
            saved = agreement_create(
                by=request.user,
                terms=form.terms(),
                products=list(products or []),
                **fields,
            )
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The products were saved by the service in save_model; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("Saved with the template's default terms: review them below."),
            messages.INFO,
        )
        request.POST = request.POST.copy()
        request.POST["_continue"] = "1"
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Activate the selected drafts"))
    def activate_selected(self, request, queryset):
        """First a page of what each agreement will bill; activate once staff confirm.

        Blank money terms are confirmed only for the agreements the page showed blank:
        one whose terms were blanked since is refused by the service with its message.
        Each agreement then gets its own message: what activation billed, linked.
        """
        if request.POST.get("confirmed") != "yes":
            return self._activation_confirmation(request, queryset)
        confirmed_blank = set(request.POST.getlist("confirm_blank"))
        for agreement in queryset:
            try:
                summary = (
                    activation_summary(agreement)
                    if agreement.status == Agreement.Status.DRAFT
                    else None
                )
                agreement_activate(
                    agreement=agreement,
                    by=request.user,
                    confirm_blank_terms=str(agreement.pk) in confirmed_blank,
                )
            except DomainError as error:
                self.message_user(
                    request,
                    format_html("{}: {}", agreement_link(agreement), one_language(str(error))),
                    messages.ERROR,
                )
            else:
                self.message_user(request, activated_message(agreement, summary), messages.SUCCESS)
        return None

    def _activation_confirmation(self, request, queryset):
        rows = []
        for agreement in queryset.select_related("brand"):
            problem = ""
            try:
                if agreement.status != Agreement.Status.DRAFT:
                    raise InvalidStateError(msg.NOT_DRAFT.format(status=agreement.status))
                agreement_check_complete(agreement=agreement)
            except DomainError as error:
                problem = one_language(str(error))
            rows.append(
                {
                    "agreement": agreement,
                    "problem": problem,
                    "summary": None if problem else activation_summary(agreement),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Activate these agreements?"),
            "opts": self.model._meta,
            "rows": rows,
            "zh": is_zh(),
            "activatable": any(not row["problem"] for row in rows),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": "activate_selected",
        }
        return TemplateResponse(
            request, "admin/contracts/agreement/activate_confirmation.html", context
        )

    @admin.action(description=_("Terminate the selected (date and reason above)"))
    def terminate_selected(self, request, queryset):
        try:
            on = TerminateActionForm.base_fields["on"].clean(request.POST.get("on"))
        except ValidationError:
            on = None
        if on is None:
            self.message_user(request, _("Give the termination date."), messages.ERROR)
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
                self.message_user(
                    request,
                    format_html("{}: {}", agreement_link(agreement), one_language(str(error))),
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    format_html(
                        "{}: {}",
                        agreement_link(agreement),
                        gettext("terminated on %(day)s; nothing is settled after that day.")
                        % {"day": on},
                    ),
                    messages.SUCCESS,
                )


def activated_message(agreement: Agreement, summary) -> str:
    """ "HT-2026-0004 activated: setup fee ¥10,000.00 due 2026-05-23 issued; every
    month: …" in the page's language, the number linked."""
    if summary is None:
        return format_html("{}: {}", agreement_link(agreement), gettext("activated."))
    zh = is_zh()
    billed = summary.billed_text()[0 if zh else 1]
    return format_html(
        "{}: {}",
        agreement_link(agreement),
        gettext("activated. Billed: %(billed)s.") % {"billed": billed},
    )
