from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import BankAccount, Organization, User
from accounts.selectors import organizations_for_user, users_for_user
from core.admin_scoping import ScopedAdminMixin, ScopedInlineMixin


class BankAccountInline(ScopedInlineMixin, admin.TabularInline):
    model = BankAccount
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "agency", "contact_email"]
    list_filter = ["kind", "agency"]
    search_fields = ["name", "contact_email"]
    inlines = [BankAccountInline]

    def get_queryset(self, request):
        return organizations_for_user(user=request.user)


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
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
