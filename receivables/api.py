"""receivables/ and balance-confirmations/.

- ``receivables/`` GET ``?brand=&as_of=``: the open items as of a day (default today,
  never in the future), each with its outstanding principal, penalty to date, days past
  due and ageing bucket, and the totals per bucket. Staff see their agency's brands (all
  or one); a brand user sees only their own brand (another brand's id is 404).
- ``balance-confirmations/``: staff issue one for a brand as of a day (POST
  ``{"brand", "as_of"}``); everyone in scope reads them, their PDF and XLSX; the brand's
  finance users (or staff on their behalf) confirm or dispute each once (409 after).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organization
from common import clock
from common.api.fields import IdField, IdFilter, MoneyField
from common.api.idempotency import idempotent
from common.api.permissions import BrandFinanceOrStaff
from common.api.renderers import PdfRenderer, XlsxRenderer
from common.api.schema import ReportSchema
from common.api.scoping import ScopedViewSetMixin
from common.xlsx import XLSX_CONTENT_TYPE
from core.ageing import BUCKETS
from receivables import messages as msg
from receivables import services
from receivables.exports import confirmation_pdf_response, confirmation_xlsx_response
from receivables.models import BalanceConfirmation
from receivables.selectors import Receivables, brands_for_user, receivables_for
from settlements.models import Statement

# --- receivables -------------------------------------------------------------------------


def brand_in_scope(user: Any, pk: int) -> Organization:
    """A brand the user may see, else 404 (another brand's id answers like a missing one)."""
    brand = brands_for_user(user=user).filter(pk=pk).first()
    if brand is None:
        raise NotFound(msg.BRAND_NOT_FOUND)
    return brand


def day_not_future(value: date) -> date:
    if value > clock.today():
        raise serializers.ValidationError(msg.FUTURE_DATE)
    return value


class ReceivablesQuerySerializer(serializers.Serializer):
    brand = IdField(required=False, help_text="One brand's items; default: every brand in scope")
    as_of = serializers.DateField(
        required=False, help_text="YYYY-MM-DD, not in the future; default: today"
    )

    def validate_as_of(self, value: date) -> date:
        return day_not_future(value)


class ReceivableItemSerializer(serializers.Serializer):
    statement = serializers.IntegerField(help_text="The statement, bill or notice's id")
    number = serializers.CharField()
    brand = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Statement.Kind.choices)
    period = serializers.CharField(allow_null=True, help_text="YYYY-MM; null for one-off bills")
    payment_due_on = serializers.DateField(
        allow_null=True, help_text="Null while nothing is due yet (in dispute, awaiting receipt)"
    )
    outstanding = MoneyField(help_text="Principal still unpaid as of the day")
    penalty = MoneyField(help_text="Penalty accrued to the day, less notices and waivers")
    days_past_due = serializers.IntegerField()
    bucket = serializers.ChoiceField(choices=[(b, b) for b in BUCKETS])


class BucketSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    principal = MoneyField()
    penalty = MoneyField()


# Keyed by the bucket codes ("1_30" is no Python name, hence type()).
BucketsSerializer = type(
    "ReceivableBucketsSerializer",
    (serializers.Serializer,),
    {bucket: BucketSerializer() for bucket in BUCKETS},
)


class ReceivablesSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    brand = serializers.IntegerField(allow_null=True)
    items = ReceivableItemSerializer(many=True)
    buckets = BucketsSerializer()
    total = BucketSerializer()


def receivables_data(found: Receivables) -> dict[str, Any]:
    def bucket(count: int, principal: Decimal, penalty: Decimal) -> dict[str, Any]:
        return {"count": count, "principal": principal, "penalty": penalty}

    return {
        "as_of": found.as_of,
        "brand": found.brand.pk if found.brand is not None else None,
        "items": [
            {
                "statement": r.statement.pk,
                "number": r.statement.number,
                "brand": r.statement.agreement.brand_id,
                "kind": r.statement.kind,
                "period": r.statement.period,
                "payment_due_on": r.due_on,
                "outstanding": r.outstanding,
                "penalty": r.penalty,
                "days_past_due": r.days_past_due,
                "bucket": r.bucket,
            }
            for r in found.items
        ],
        "buckets": {b.bucket: bucket(b.count, b.outstanding, b.penalty) for b in found.buckets},
        "total": bucket(len(found.items), found.total_outstanding, found.total_penalty),
    }


class ReceivablesViewSet(viewsets.ViewSet):
    """Receivables as of a day: open items, their ageing, the totals per bucket."""

    schema = ReportSchema()

    @extend_schema(
        summary="Receivables as of a day: open items, days past due, ageing buckets",
        description="Every open statement, one-off bill and penalty notice with principal "
        "still unpaid on `as_of`. Disputed items stand apart in the `disputed` bucket; "
        "an item with no due date yet is `not_due`. `penalty` is what accrued to `as_of` "
        "and no penalty notice has billed yet (notices are items of their own).",
        parameters=[ReceivablesQuerySerializer],
        responses={
            200: ReceivablesSerializer,
            400: OpenApiResponse(description="A bad or future date"),
            404: OpenApiResponse(description="The brand is not in your scope"),
        },
    )
    def list(self, request: Request) -> Response:
        # A plain dict, so "?as_of=" is a bad date (400), not a missing one.
        query = ReceivablesQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        user = request.user
        brand = None
        if values.get("brand") is not None:
            brand = brand_in_scope(user, values["brand"])
        elif getattr(user, "is_brand_user", False):
            brand = user.organization
        found = receivables_for(user=user, as_of=values.get("as_of") or clock.today(), brand=brand)
        return Response(ReceivablesSerializer(receivables_data(found)).data)


# --- balance confirmations ---------------------------------------------------------------


class ConfirmationItemSerializer(serializers.Serializer):
    statement = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=Statement.Kind.choices)
    period = serializers.CharField(allow_null=True)
    payment_due_on = serializers.DateField(allow_null=True)
    outstanding = MoneyField()
    penalty = MoneyField()
    days_past_due = serializers.IntegerField()
    bucket = serializers.ChoiceField(choices=[(b, b) for b in BUCKETS])


class BalanceConfirmationSerializer(serializers.ModelSerializer):
    items = ConfirmationItemSerializer(many=True, read_only=True)
    total_outstanding = MoneyField(
        read_only=True, help_text="Principal of every open item, disputed ones included"
    )
    total_penalty = MoneyField(read_only=True)
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = BalanceConfirmation
        fields = [
            "id",
            "number",
            "brand",
            "agency",
            "as_of",
            "items",
            "total_outstanding",
            "total_penalty",
            "status",
            "confirmed_on",
            "disputed_on",
            "dispute_comment",
            "pdf_url",
            "xlsx_url",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "brand",
            "agency",
            "as_of",
            "status",
            "confirmed_on",
            "disputed_on",
            "dispute_comment",
            "created_at",
        ]

    def _url(self, name: str, confirmation: BalanceConfirmation) -> str:
        url = reverse(name, args=[confirmation.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, confirmation: BalanceConfirmation) -> str | None:
        """Null until the PDF is rendered (a worker does it shortly after issue)."""
        if not confirmation.pdf:
            return None
        return self._url("balance-confirmation-pdf", confirmation)

    @extend_schema_field(serializers.URLField())
    def get_xlsx_url(self, confirmation: BalanceConfirmation) -> str:
        return self._url("balance-confirmation-xlsx", confirmation)


class BalanceConfirmationIssueSerializer(serializers.Serializer):
    brand = IdField(help_text="The brand (in your agency)")
    as_of = serializers.DateField(
        required=False, help_text="YYYY-MM-DD, not in the future; default: today"
    )

    def validate_as_of(self, value: date) -> date:
        return day_not_future(value)


class DisputeRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(
        allow_blank=True,
        max_length=4000,
        error_messages={"required": msg.COMMENT_REQUIRED},
        help_text="What does not match",
    )


class BalanceConfirmationFilter(filters.FilterSet):
    brand = IdFilter(field_name="brand_id")
    status = filters.ChoiceFilter(choices=BalanceConfirmation.Status.choices)

    class Meta:
        model = BalanceConfirmation
        fields = ["brand", "status"]


STATE_RESPONSES = {
    200: BalanceConfirmationSerializer,
    400: OpenApiResponse(description='Bad input: `{"field": ["message"]}`'),
    403: OpenApiResponse(description="Your role may not do this"),
    404: OpenApiResponse(description="Not in your scope"),
    409: OpenApiResponse(description="Already confirmed or disputed"),
}


@extend_schema_view(
    list=extend_schema(summary="Balance confirmations (往来余额确认函)"),
    retrieve=extend_schema(summary="One balance confirmation"),
)
class BalanceConfirmationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Balance confirmations: staff issue them; the brand confirms or disputes each once."""

    queryset = BalanceConfirmation.objects.select_related("brand", "agency").order_by(
        "-as_of", "-pk"
    )
    serializer_class = BalanceConfirmationSerializer
    filterset_class = BalanceConfirmationFilter
    brand_path = "brand"

    def _answer(self, confirmation: BalanceConfirmation, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=confirmation.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Issue a balance confirmation of a brand's open items as of a day (staff)",
        request=BalanceConfirmationIssueSerializer,
        responses={
            201: BalanceConfirmationSerializer,
            400: OpenApiResponse(description="A future date, bad input"),
            404: OpenApiResponse(description="The brand is not in your scope"),
        },
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = BalanceConfirmationIssueSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        brand = brand_in_scope(request.user, values["brand"])
        confirmation = services.balance_confirmation_issue(
            brand=brand, as_of=values.get("as_of"), by=request.user
        )
        return self._answer(confirmation, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Confirm the balance (brand finance, or staff on its behalf)",
        request=None,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"], permission_classes=[BrandFinanceOrStaff])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        confirmation = self.get_object()
        confirmation = services.balance_confirmation_confirm(
            confirmation=confirmation, by=request.user
        )
        return self._answer(confirmation)

    @extend_schema(
        summary="Dispute the balance with a comment (brand finance, or staff on its behalf)",
        request=DisputeRequestSerializer,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"], permission_classes=[BrandFinanceOrStaff])
    def dispute(self, request: Request, pk: str | None = None) -> Response:
        confirmation = self.get_object()
        form = DisputeRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        confirmation = services.balance_confirmation_dispute(
            confirmation=confirmation, by=request.user, comment=form.validated_data["comment"]
        )
        return self._answer(confirmation)

    @extend_schema(
        summary="The balance confirmation's PDF",
        description="404 until a worker has rendered it (shortly after issue).",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not in your scope, or not rendered yet"),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        response = confirmation_pdf_response(self.get_object())
        if response is None:
            raise NotFound(msg.PDF_NOT_READY)
        return response

    @extend_schema(
        summary="The balance confirmation's items as XLSX",
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not in your scope"),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, XlsxRenderer])
    def xlsx(self, request: Request, pk: str | None = None) -> HttpResponse:
        return confirmation_xlsx_response(self.get_object())


ROUTES: list[tuple[str, Any, str]] = [
    ("receivables", ReceivablesViewSet, "receivables"),
    ("balance-confirmations", BalanceConfirmationViewSet, "balance-confirmation"),
]
