"""Expenses and penalty waivers in the admin: written once through the services."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from common.admin_helpers import (
    ScopedAdminMixin,
)
from core.periods import Period
from settlements import services
from settlements.models import (
    Expense,
    PenaltyWaiver,
)


@admin.register(Expense)
class ExpenseAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "agreement",
        "period",
        "description",
        "amount",
        "receipt_ref",
        "approved_by_brand_on",
        "statement",
    ]
    list_filter = ["period", "agreement__brand"]
    search_fields = ["description", "receipt_ref", "agreement__number"]
    readonly_fields = ["statement", "created_by"]

    def has_change_permission(self, request, obj=None):
        # A recorded expense is a logged fact with no edit service (the API only records
        # them): its page reads only, so it can never move to another agreement.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        expense = self.service(
            services.expense_record,
            agreement=obj.agreement,
            period=Period.parse(obj.period),
            amount=obj.amount,
            description=obj.description,
            receipt_ref=obj.receipt_ref,
            approved_by_brand_on=obj.approved_by_brand_on,
            by=request.user,
        )
        obj.pk = expense.pk


@admin.register(PenaltyWaiver)
class PenaltyWaiverAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "statement__agreement__brand"
    list_display = ["statement", "amount", "reason", "waived_by", "waived_at"]
    readonly_fields = ["waived_by", "waived_at"]

    def has_change_permission(self, request, obj=None):
        # A waiver is a logged action (range-checked against the penalty, with its event):
        # once made it reads only, and can never move to another statement.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        waiver = self.service(
            services.penalty_waive,
            statement=obj.statement,
            amount=obj.amount,
            reason=obj.reason,
            by=request.user,
        )
        obj.pk = waiver.pk
