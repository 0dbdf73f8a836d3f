"""Payments through the API: agency staff record them against an issued statement; brands
read them."""

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

from common.api.fields import IdField, IdFilter, MoneyField
from common.api.idempotency import idempotent
from common.api.scoping import ScopedViewSetMixin
from settlements import messages as msg
from settlements import services
from settlements.api.statements import statement_in_scope
from settlements.models import Payment

PAYMENT_REF_CONFLICT = msg.PAYMENT_REF_CONFLICT  # raised by services.payment_record


class PaymentSerializer(serializers.ModelSerializer):
    statement = IdField(source="statement_id")
    amount = MoneyField(
        error_messages={
            "max_decimal_places": msg.AMOUNT_POSITIVE,
            "min_value": msg.AMOUNT_POSITIVE,
        }
    )
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    external_ref = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Unique: posting it again returns the stored payment",
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "statement",
            "amount",
            "paid_on",
            "reference",
            "external_ref",
            "moved_from",
            "created_at",
        ]
        read_only_fields = ["id", "moved_from", "created_at"]


class PaymentFilter(filters.FilterSet):
    statement = IdFilter(field_name="statement_id")
    agreement = IdFilter(field_name="statement__agreement_id")

    class Meta:
        model = Payment
        fields = ["statement", "agreement"]


@extend_schema_view(
    list=extend_schema(summary="Payments received"),
    retrieve=extend_schema(summary="One payment"),
)
class PaymentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payments: agency staff record them against an issued statement; brands read."""

    queryset = Payment.objects.select_related("statement").order_by("-paid_on", "-pk")
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    brand_path = "statement__agreement__brand"

    @extend_schema(
        summary="Record a payment (staff)",
        responses={
            201: PaymentSerializer,
            200: OpenApiResponse(PaymentSerializer, description="external_ref already stored"),
            400: OpenApiResponse(description="Overpayment, a future date, bad input"),
            404: OpenApiResponse(description="The statement is not in your scope"),
            409: OpenApiResponse(
                description="A draft or void statement, or an external_ref of another payment"
            ),
        },
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        statement = statement_in_scope(request.user, values["statement_id"])
        external_ref = values["external_ref"].strip()
        recorded = services.payment_record(
            statement=statement,
            amount=values["amount"],
            paid_on=values["paid_on"],
            reference=values["reference"],
            external_ref=external_ref,
            by=request.user,
        )
        return Response(
            self.get_serializer(recorded.payment).data,
            status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK,
        )
