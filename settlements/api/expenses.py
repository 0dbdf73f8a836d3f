"""Approved pass-through expenses (revenue share) through the API."""

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.fields import IdField, IdFilter, MoneyField, PeriodField, PeriodFilter
from common.api.idempotency import idempotent
from common.api.scoping import ScopedViewSetMixin
from contracts.selectors import agreement_in_scope
from core.periods import Period
from settlements import messages as msg
from settlements import services
from settlements.models import Expense


class ExpenseSerializer(serializers.ModelSerializer):
    agreement = IdField(source="agreement_id")
    period = PeriodField()
    amount = MoneyField(error_messages={"max_decimal_places": msg.AMOUNT_POSITIVE})
    description = serializers.CharField(
        max_length=300, allow_blank=True, error_messages={"required": msg.REQUIRED}
    )
    receipt_ref = serializers.CharField(
        max_length=200, allow_blank=True, error_messages={"required": msg.RECEIPT_REQUIRED}
    )

    class Meta:
        model = Expense
        fields = [
            "id",
            "agreement",
            "period",
            "amount",
            "description",
            "receipt_ref",
            "approved_by_brand_on",
            "statement",
            "created_at",
        ]
        read_only_fields = ["id", "statement", "created_at"]


class ExpenseFilter(filters.FilterSet):
    agreement = IdFilter(field_name="agreement_id")
    period = PeriodFilter(field_name="period")

    class Meta:
        model = Expense
        fields = ["agreement", "period"]


@extend_schema_view(
    list=extend_schema(summary="Approved pass-through expenses (revenue share)"),
    retrieve=extend_schema(summary="One approved expense"),
)
class ExpenseViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Marketing expenses the agency paid for the brand, with the brand's approval."""

    queryset = Expense.objects.order_by("-period", "-pk")
    serializer_class = ExpenseSerializer
    filterset_class = ExpenseFilter
    brand_path = "agreement__brand"

    @extend_schema(
        summary="Record an approved expense (staff)",
        responses={
            201: ExpenseSerializer,
            400: OpenApiResponse(description="Bad input"),
            404: OpenApiResponse(description="The agreement is not in your scope"),
        },
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        agreement = agreement_in_scope(request.user, values["agreement_id"])
        expense = services.expense_record(
            agreement=agreement,
            period=Period.parse(values["period"]),
            amount=values["amount"],
            description=values["description"],
            receipt_ref=values["receipt_ref"],
            approved_by_brand_on=values["approved_by_brand_on"],
            by=request.user,
        )
        return Response(self.get_serializer(expense).data, status=status.HTTP_201_CREATED)
