from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import UnfoldAdminTextareaWidget, UnfoldAdminTextInputWidget

from accounts.invoicing import INVOICING_FIELDS, LIST_FIELDS, invoicing_details_clean
from accounts.models import ApiToken, BankAccount, Organization, User
from accounts.selectors import organizations_for_user, users_for_user
from accounts.tokens import api_token_issue, api_token_revoke
from common.admin_helpers import ScopedAdminMixin, ScopedInlineMixin
from core.exceptions import RuleViolation

# Settings that matter only for an agency; a brand's page leaves them out.
AGENCY_FIELDS = ("statement_detail",)


class BankAccountInline(ScopedInlineMixin, TabularInline):
    model = BankAccount
    extra = 0


class LinesField(forms.CharField):
    """A list edited as text, one entry a line (blank lines left out)."""

    widget = UnfoldAdminTextareaWidget(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        return [line for line in (super().to_python(value) or "").splitlines() if line.strip()]


class OrganizationForm(forms.ModelForm):
    """The organization with a brand's invoicing details, checked by
    ``accounts.invoicing.invoicing_details_clean`` (an agency leaves them empty)."""

    payer_names = LinesField(
        label=_("payer names"),
        required=False,
        help_text=_("One a line, at most 20: other names the brand pays from."),
    )
    payer_accounts = LinesField(
        label=_("payer accounts"),
        required=False,
        help_text=_("One a line, at most 20: bank accounts the brand pays from."),
    )

    tax_id = forms.CharField(
        label=_("taxpayer ID"),
        max_length=40,
        required=False,
        widget=UnfoldAdminTextInputWidget,
        help_text=_("An 18-character unified social credit code or an old 15-character number."),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "agency",
            "contact_email",
            "address",
            "statement_detail",
            *INVOICING_FIELDS,
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or self.instance.kind
        given = {name: data[name] for name in INVOICING_FIELDS if name in data}
        try:
            data.update(invoicing_details_clean(kind=kind, data=given))
        except RuleViolation as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    self.add_error(field if field in self.fields else None, problem)
        return data


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, ModelAdmin):
    form = OrganizationForm
    list_display = ["name", "kind", "agency", "contact_email"]
    list_filter = ["kind", "agency"]
    search_fields = ["name", "contact_email", "invoice_title", "tax_id"]
    inlines = [BankAccountInline]
    fieldsets = (
        (None, {"fields": ("name", "kind", "agency", "contact_email", "address")}),
        (_("Statements (agencies)"), {"fields": AGENCY_FIELDS}),
        (
            _("Invoicing details (brands)"),
            {
                "fields": (
                    "invoice_title",
                    "tax_id",
                    "invoice_address_phone",
                    "invoice_bank_account",
                ),
                "description": _(
                    "What the agency's invoices to the brand carry. The brand's finance "
                    "users can keep them current in the portal."
                ),
            },
        ),
        (_("Payments from (brands)"), {"fields": LIST_FIELDS}),
    )

    def get_queryset(self, request):
        return organizations_for_user(user=request.user)

    def get_fieldsets(self, request, obj=None):
        """A brand's page leaves out the agencies' settings: a brand's value is ignored."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.kind == Organization.Kind.BRAND:
            return [fieldset for fieldset in fieldsets if fieldset[1]["fields"] != AGENCY_FIELDS]
        return fieldsets


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin, ModelAdmin):
    # Django's user admin with unfold's look: its forms come from unfold.forms.
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = [
        "username",
        "email",
        "organization",
        "role",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "organization", "is_staff", "is_active"]
    list_select_related = ["organization"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organization and role"), {"fields": ("organization", "role")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Organization and role"), {"fields": ("email", "organization", "role")}),
    )

    def get_queryset(self, request):
        return users_for_user(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions", "groups"]
        return fields


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdminMixin, ModelAdmin):
    """Staff create keys for integration users (shown once), see when each was last used,
    and revoke them."""

    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "user__organization"]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["user", "name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    def get_queryset(self, request):
        return ApiToken.objects.filter(user__in=users_for_user(user=request.user)).select_related(
            "user"
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = users_for_user(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["user", "name"] if obj else [])

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        issued = api_token_issue(user=obj.user, name=obj.name, by=request.user)
        obj.pk = issued.token.pk
        self.message_user(
            request,
            _("API key for {user}: {key} — copy it now, it is not shown again.").format(
                user=obj.user, key=issued.key
            ),
            messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke selected keys"))
    def revoke_selected(self, request, queryset):
        count = 0
        for token in queryset:
            api_token_revoke(token=token, by=request.user)
            count += 1
        self.message_user(
            request,
            _("Keys revoked: %(count)d") % {"count": count},
            messages.SUCCESS,
        )


# Permission groups (superusers only: no staff role reaches them) in unfold's look.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin, ModelAdmin):
    pass
