"""Monthly KPI records through the API, with their evaluation and the fee waivers."""

from typing import Any

from django.db import IntegrityError, transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.fields import (
    IdField,
    IdFilter,
    MoneyField,
    PeriodField,
    PeriodFilter,
    RateField,
)
from common.api.idempotency import idempotent
from common.api.permissions import BrandFinanceOrStaff
from common.api.scoping import ScopedViewSetMixin
from contracts.selectors import agreement_in_scope
from core.exceptions import RuleViolation
from kpis import messages as msg
from kpis.models import FeeWaiver, KpiRecord
from kpis.services import (
    kpi_evaluation_json,
    kpi_evaluation_or_reason,
    kpi_record_save,
    kpi_waive,
)

KPI_EXISTS = (
    "该协议 {period} 的指标记录已存在，请用 PATCH 修改 / the KPI record of {period} "
    "already exists for this agreement: use PATCH to correct it"
)
KPI_IMMUTABLE = "协议和期间不能修改 / the agreement and period of a KPI record cannot be changed"


class KpiEvaluationSerializer(serializers.Serializer):
    minimums_met = serializers.BooleanField()
    missed = serializers.ListField(
        child=serializers.CharField(), help_text="distributors, cartons, sales_amount"
    )
    required = serializers.DictField(
        child=serializers.CharField(), help_text="Each minimum as it applies (prorated)"
    )
    web_targets_apply = serializers.BooleanField()
    web_targets = serializers.DictField(
        child=serializers.BooleanField(), help_text="Each web target: met or not"
    )


class KpiRecordSerializer(serializers.ModelSerializer):
    """One agreement's month; figures left out on create are pre-filled from the sales."""

    agreement = IdField(source="agreement_id")
    period = PeriodField()
    cartons_shipped = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False
    )
    sales_amount = MoneyField(required=False)
    daily_inquiries = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False
    )
    conversion_rate = RateField(
        max_digits=6,
        decimal_places=4,
        min_value=0,
        max_value=1,
        required=False,
        help_text='A fraction: "0.015" is 1.5%',
    )
    evaluation = serializers.SerializerMethodField()
    evaluation_unavailable = serializers.SerializerMethodField()

    class Meta:
        model = KpiRecord
        fields = [
            "id",
            "agreement",
            "period",
            "distributors_recruited",
            "cartons_shipped",
            "sales_amount",
            "unique_visitors",
            "daily_inquiries",
            "conversion_rate",
            "baidu_first_page",
            "google_first_page",
            "notes",
            "evaluation",
            "evaluation_unavailable",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "evaluation",
            "evaluation_unavailable",
            "created_at",
            "updated_at",
        ]

    def _evaluated(self, record: KpiRecord) -> tuple[Any, str]:
        cached = getattr(record, "_evaluated", None)
        if cached is None:
            cached = record._evaluated = kpi_evaluation_or_reason(record=record)  # type: ignore[attr-defined]
        return cached

    @extend_schema_field(KpiEvaluationSerializer(allow_null=True))
    def get_evaluation(self, record: KpiRecord) -> dict[str, Any] | None:
        """The B2B evaluation of the month (null for other kinds of agreement, and for a
        month outside the agreement: see evaluation_unavailable)."""
        return kpi_evaluation_json(self._evaluated(record)[0])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evaluation_unavailable(self, record: KpiRecord) -> str | None:
        """Why a B2B month has no evaluation (a month outside the agreement), else null."""
        return self._evaluated(record)[1] or None


class FeeWaiverRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, error_messages={"required": msg.REASON_REQUIRED}
    )
    consent_ref = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text="Staff: the reference of the brand's written consent (required for staff)",
    )


class FeeWaiverSerializer(serializers.ModelSerializer):
    waived_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = FeeWaiver
        fields = ["id", "kpi_record", "reason", "consent_ref", "waived_by", "waived_at"]
        read_only_fields = fields


class KpiRecordFilter(filters.FilterSet):
    agreement = IdFilter(field_name="agreement_id")
    period = PeriodFilter(field_name="period")

    class Meta:
        model = KpiRecord
        fields = ["agreement", "period"]


@extend_schema_view(
    list=extend_schema(summary="Monthly KPI records"),
    retrieve=extend_schema(summary="One monthly KPI record"),
    create=extend_schema(
        summary="Record a month's KPIs (one per agreement and period; correct with PATCH)",
        responses={
            201: KpiRecordSerializer,
            400: OpenApiResponse(description="Bad input, or the month is already recorded"),
            404: OpenApiResponse(description="The agreement is not in your scope"),
        },
    ),
    partial_update=extend_schema(summary="Correct a month's KPIs"),
)
class KpiRecordViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Monthly KPI records: staff record and correct them; the brand may waive a
    month's fee withholding."""

    queryset = KpiRecord.objects.select_related("agreement", "agreement__b2b_terms").order_by(
        "agreement_id", "-period"
    )
    serializer_class = KpiRecordSerializer
    filterset_class = KpiRecordFilter
    brand_path = "agreement__brand"
    http_method_names = ["get", "post", "patch", "head", "options"]

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        agreement = agreement_in_scope(request.user, values.pop("agreement_id"))
        period = values.pop("period")
        exists = RuleViolation({"period": [KPI_EXISTS.format(period=period)]})
        if KpiRecord.objects.filter(agreement=agreement, period=period).exists():
            raise exists
        try:
            with transaction.atomic():
                record = kpi_record_save(
                    agreement=agreement, period=period, values=values, by=request.user
                )
        except IntegrityError as error:  # a concurrent twin created it first
            raise exists from error
        return Response(self._read(record), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        serializer = self.get_serializer(record, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        changed = [
            name
            for name, key, current in (
                ("agreement", "agreement_id", record.agreement_id),
                ("period", "period", record.period),
            )
            if key in values and values.pop(key) != current
        ]
        if changed:
            raise RuleViolation({name: [KPI_IMMUTABLE] for name in changed})
        record = kpi_record_save(
            agreement=record.agreement, period=record.period, values=values, by=request.user
        )
        return Response(self._read(record))

    def _read(self, record: KpiRecord) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=record.pk)).data

    @extend_schema(
        summary="Waive the month's fee withholding (brand finance, or staff with consent_ref)",
        request=FeeWaiverRequestSerializer,
        responses={201: FeeWaiverSerializer, 400: OpenApiResponse(description="Refused")},
    )
    @action(detail=True, methods=["post"], permission_classes=[BrandFinanceOrStaff])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        form = FeeWaiverRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        waiver = kpi_waive(
            record=record,
            reason=form.validated_data["reason"],
            consent_ref=form.validated_data["consent_ref"],
            by=request.user,
        )
        return Response(FeeWaiverSerializer(waiver).data, status=status.HTTP_201_CREATED)
