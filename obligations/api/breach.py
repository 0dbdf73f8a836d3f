"""``breach-notices/``: written breach notices, their cure and the sender's termination
right.

Staff send (or record) a notice for either side; brand finance sends for its own brand
only (``by: "brand"``); viewers read. ``{id}/cure/`` records the cure (409 when it was
already recorded), ``{id}/pdf/`` downloads the notice once a worker has rendered it.
``cure_by`` and ``termination_right`` are derived and read-only. A notice of another
brand, like an unknown id, answers 404.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import ISO_8601, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import scope_for_user
from common import clock
from common.api.fields import IdField, IdFilter
from common.api.idempotency import idempotent
from common.api.permissions import BrandFinanceOrStaff
from common.api.renderers import PdfRenderer
from common.api.scoping import ScopedViewSetMixin
from contracts.selectors import agreement_in_scope
from obligations import breach, breach_selectors
from obligations import breach_messages as msg
from obligations.models import BreachNotice, Obligation, Side

PDF_NOT_READY = "PDF 生成中，请稍后再试 / the PDF is still being rendered: try again shortly"
OPEN, CURED = "open", "cured"


class TerminationRightSerializer(serializers.Serializer):
    held_by = serializers.ChoiceField(choices=Side.choices, help_text="The notice's sender")
    # "from" is a Python keyword: declared below.
    until = serializers.DateField(
        allow_null=True,
        format=ISO_8601,
        help_text="The last day it holds (the day before the cure); null while uncured",
    )
    holds_today = serializers.BooleanField()


TerminationRightSerializer._declared_fields["from"] = serializers.DateField(
    format=ISO_8601, help_text="The day after cure_by"
)


class BreachNoticeSerializer(serializers.ModelSerializer):
    agreement = IdField(source="agreement_id")
    obligation = IdField(
        source="obligation_id", required=False, allow_null=True, help_text="Optional"
    )
    by = serializers.ChoiceField(
        choices=Side.choices, error_messages={"invalid_choice": msg.UNKNOWN_SIDE}
    )
    sent_on = serializers.DateField(help_text="YYYY-MM-DD, not in the future")
    description = serializers.CharField(max_length=4000)
    clause = serializers.CharField(max_length=60, required=False, allow_blank=True)
    status = serializers.SerializerMethodField()
    termination_right = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = BreachNotice
        fields = [
            "id",
            "number",
            "agreement",
            "obligation",
            "by",
            "sent_on",
            "clause",
            "description",
            "cure_days",
            "cure_by",
            "cured_on",
            "cure_note",
            "status",
            "termination_right",
            "pdf_url",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "cure_days",
            "cure_by",
            "cured_on",
            "cure_note",
            "created_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=[OPEN, CURED]))
    def get_status(self, notice: BreachNotice) -> str:
        return CURED if notice.cured_on else OPEN

    @extend_schema_field(TerminationRightSerializer(allow_null=True))
    def get_termination_right(self, notice: BreachNotice) -> dict[str, Any] | None:
        """Null until the day after ``cure_by`` and when the breach was cured in time."""
        right = breach_selectors.termination_right(notice, today=clock.today())
        if right is None:
            return None
        return {
            "held_by": right.held_by,
            "from": right.first.isoformat(),
            "until": right.last.isoformat() if right.last else None,
            "holds_today": right.holds_today,
        }

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, notice: BreachNotice) -> str | None:
        """Null until the PDF is rendered (a worker does it right after sending)."""
        if not notice.pdf:
            return None
        request = self.context.get("request")
        url = f"/api/v1/breach-notices/{notice.pk}/pdf/"
        return request.build_absolute_uri(url) if request is not None else url


class CureRequestSerializer(serializers.Serializer):
    cured_on = serializers.DateField(help_text="YYYY-MM-DD, not in the future, not before sent_on")
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class BreachNoticeFilter(filters.FilterSet):
    agreement = IdFilter(field_name="agreement_id")
    by = filters.ChoiceFilter(choices=Side.choices)
    status = filters.ChoiceFilter(
        choices=[(OPEN, "open"), (CURED, "cured")], method="filter_status"
    )

    class Meta:
        model = BreachNotice
        fields = ["agreement", "by", "status"]

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(cured_on__isnull=value == OPEN)


@extend_schema_view(
    list=extend_schema(summary="Breach notices (违约通知书) and their cure periods"),
    retrieve=extend_schema(summary="One breach notice"),
)
class BreachNoticeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Written breach notices: either side sends one; the other cures by ``cure_by``
    (sent_on + the agreement's cure_days, calendar days), or the sender may terminate
    from the day after."""

    queryset = BreachNotice.objects.select_related("agreement").order_by("-sent_on", "-pk")
    serializer_class = BreachNoticeSerializer
    filterset_class = BreachNoticeFilter
    brand_path = "agreement__brand"

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [BrandFinanceOrStaff()]
        return super().get_permissions()

    def _answer(self, notice: BreachNotice, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=notice.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary='Send or record a breach notice (staff for either side; brand finance as "brand")',
        responses={
            201: BreachNoticeSerializer,
            400: OpenApiResponse(description="Bad input, a future date, outside the agreement"),
            404: OpenApiResponse(description="The agreement or obligation is not in your scope"),
        },
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        agreement = agreement_in_scope(request.user, values["agreement_id"])
        obligation = None
        if values.get("obligation_id"):
            obligations = scope_for_user(
                queryset=Obligation.objects.all(),
                user=request.user,
                brand_path="agreement__brand",
            )
            obligation = get_object_or_404(obligations, pk=values["obligation_id"])
        notice = breach.breach_notice_send(
            agreement=agreement,
            obligation=obligation,
            by=values["by"],
            sent_on=values["sent_on"],
            clause=values.get("clause", ""),
            description=values["description"],
            user=request.user,
        )
        return self._answer(notice, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record that the breach was cured (brand finance, or staff)",
        request=CureRequestSerializer,
        responses={
            200: BreachNoticeSerializer,
            400: OpenApiResponse(description="A future date, or before the notice was sent"),
            403: OpenApiResponse(description="Your role may not do this"),
            404: OpenApiResponse(description="Not in your scope"),
            409: OpenApiResponse(description="Already cured"),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[BrandFinanceOrStaff])
    def cure(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        form = CureRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        notice = breach.breach_notice_cure(
            notice=notice,
            cured_on=form.validated_data["cured_on"],
            note=form.validated_data.get("note", ""),
            user=request.user,
        )
        return self._answer(notice)

    @extend_schema(
        summary="The breach notice's PDF",
        description="404 until a worker has rendered it (right after sending).",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not in your scope, or not rendered yet"),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        notice = self.get_object()
        if not notice.pdf or not notice.pdf.storage.exists(notice.pdf.name):
            raise NotFound(PDF_NOT_READY)
        return FileResponse(
            notice.pdf.open("rb"), content_type="application/pdf", filename=f"{notice.number}.pdf"
        )
