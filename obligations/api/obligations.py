"""Obligations and approvals through the API (``obligations/``).

Everyone in scope reads; staff add and edit (PATCH while open); the side that owes an
obligation records it done, the side it is owed to waives it, the side asked approves or
rejects an approval. Brand finance acts for its brand, a viewer only reads (403); another
brand's obligation answers 404 like a missing one.
"""

from typing import Any

from django.http import FileResponse
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
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.fields import IdField, IdFilter, MoneyField
from common.api.idempotency import idempotent
from common.api.parsers import LimitedJSONParser
from common.api.permissions import BrandFinanceOrStaff
from common.api.scoping import ScopedViewSetMixin
from contracts.selectors import agreement_in_scope
from obligations import messages as msg
from obligations import services
from obligations.models import Obligation, ObligationFile, ObligationKind, Schedule, Side


class ObligationFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ObligationFile
        fields = ["id", "name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, item: ObligationFile) -> str:
        url = reverse("obligation-file", args=[item.obligation_id, item.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class EvidenceSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="Minutes, a note, or the decision's comment")
    completed_on = serializers.DateField(allow_null=True)
    completed_by = serializers.CharField(allow_null=True, help_text="The user's name")
    files = ObligationFileSerializer(many=True)


class PromotionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    price_floor = MoneyField(allow_null=True)
    status = serializers.CharField(help_text="pending, approved or rejected")
    approved_by_brand_on = serializers.DateField(allow_null=True)


class ObligationSerializer(serializers.ModelSerializer):
    """One obligation of one side, dated; a recurring one names its series and period."""

    agreement = IdField(source="agreement_id")
    agreement_number = serializers.CharField(source="agreement.number", read_only=True)
    schedule = serializers.SerializerMethodField(help_text="monthly, quarterly, or null")
    due_day = serializers.SerializerMethodField(help_text="A recurring one's due day, or null")
    evidence = serializers.SerializerMethodField()
    promotion = serializers.SerializerMethodField()
    requested_by = serializers.SerializerMethodField(
        help_text="For an approval: agency or brand, the side that asked; else null"
    )

    class Meta:
        model = Obligation
        fields = [
            "id",
            "agreement",
            "agreement_number",
            "title",
            "kind",
            "owed_by",
            "clause",
            "description",
            "due_on",
            "schedule",
            "due_day",
            "series",
            "period",
            "remind_days",
            "status",
            "missed_on",
            "waived_on",
            "waive_reason",
            "requested_by",
            "promotion",
            "evidence",
            "template_key",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Side.choices, allow_null=True))
    def get_requested_by(self, obligation: Obligation) -> str | None:
        """The side that asked, for an approval; null for any other obligation."""
        return obligation.requested_by or None

    @extend_schema_field(serializers.ChoiceField(choices=Schedule.choices, allow_null=True))
    def get_schedule(self, obligation: Obligation) -> str | None:
        return obligation.series.schedule if obligation.series_id else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_due_day(self, obligation: Obligation) -> int | None:
        return obligation.series.due_day if obligation.series_id else None

    @extend_schema_field(EvidenceSerializer)
    def get_evidence(self, obligation: Obligation) -> dict[str, Any]:
        by = obligation.completed_by
        return {
            "note": obligation.note,
            "completed_on": obligation.completed_on,
            "completed_by": (by.get_full_name() or by.get_username()) if by else None,
            "files": ObligationFileSerializer(
                obligation.files.all(), many=True, context=self.context
            ).data,
        }

    @extend_schema_field(PromotionSerializer(allow_null=True))
    def get_promotion(self, obligation: Obligation) -> dict[str, Any] | None:
        promotion = obligation.promotion
        if promotion is None:
            return None
        return dict(PromotionSerializer(promotion).data)


class ObligationCreateSerializer(serializers.Serializer):
    agreement = IdField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ObligationKind.choices)
    owed_by = serializers.ChoiceField(
        choices=Side.choices,
        required=False,
        help_text="Required but for an approval (owed by the side other than the staff's: "
        "the brand)",
    )
    clause = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, help_text="A one-off obligation's due date")
    schedule = serializers.ChoiceField(
        choices=Schedule.choices, required=False, help_text="Or a recurring one's schedule"
    )
    due_day = serializers.IntegerField(
        min_value=1, max_value=31, required=False, help_text="Default: the period's last day"
    )
    starts_on = serializers.DateField(
        required=False, help_text="A recurring one's first day (default: the agreement's)"
    )
    remind_days = serializers.IntegerField(min_value=0, max_value=365, required=False, default=3)
    subject = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="An approval's subject from the agreement's template "
        "(b2b.paid_promotion, rs.promotion_plan, rs.marketing_spending, "
        "cf.publish_construction)",
    )
    promotion_code = serializers.CharField(max_length=60, required=False, allow_blank=True)
    promotion_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    promotion_starts_on = serializers.DateField(required=False)
    promotion_ends_on = serializers.DateField(required=False)
    price_floor = MoneyField(required=False, allow_null=True)


class ObligationUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    clause = serializers.CharField(max_length=60, required=False, allow_blank=True)
    due_on = serializers.DateField(required=False)
    remind_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    schedule = serializers.ChoiceField(choices=Schedule.choices, required=False)
    due_day = serializers.IntegerField(min_value=1, max_value=31, required=False, allow_null=True)


class CompleteRequestSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    completed_on = serializers.DateField(required=False, help_text="Default: today")
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Up to 5 files (minutes, reports, photos), 10 MB each.",
    )


class WaiveRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, error_messages={"required": msg.REQUIRED})


class DecisionRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to reject"
    )


class ObligationFilter(filters.FilterSet):
    agreement = IdFilter(field_name="agreement_id")
    status = filters.ChoiceFilter(choices=Obligation.Status.choices)
    owed_by = filters.ChoiceFilter(choices=Side.choices)
    kind = filters.ChoiceFilter(choices=ObligationKind.choices)
    due_from = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_to = filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Obligation
        fields = ["agreement", "status", "owed_by", "kind", "due_from", "due_to"]


STATE_RESPONSES = {
    200: ObligationSerializer,
    400: OpenApiResponse(description='Bad input: `{"field": ["message"]}`'),
    403: OpenApiResponse(description="Your side or role may not do this"),
    404: OpenApiResponse(description="Not in your scope"),
    409: OpenApiResponse(description="The obligation's state forbids this"),
}


@extend_schema_view(
    list=extend_schema(summary="Obligations besides money, and approvals"),
    retrieve=extend_schema(summary="One obligation"),
)
class ObligationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings, reports, trainings and approvals each side owes under an agreement."""

    queryset = Obligation.objects.select_related(
        "agreement", "series", "promotion", "completed_by"
    ).prefetch_related("files")
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilter
    brand_path = "agreement__brand"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _answer(self, obligation: Obligation, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=obligation.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _form(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        form = serializer_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)

    def _allowed(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied(msg.FORBIDDEN_FOR_ROLE)

    @extend_schema(
        summary="Add an obligation (staff): one-off with due_on, recurring with schedule, "
        "or an approval asked of the brand (kind approval, with a promotion plan)",
        request=ObligationCreateSerializer,
        responses={
            201: ObligationSerializer,
            400: OpenApiResponse(description="Bad input"),
            404: OpenApiResponse(description="The agreement is not in your scope"),
            409: OpenApiResponse(description="The agreement is not active"),
        },
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values = self._form(ObligationCreateSerializer)
        agreement = agreement_in_scope(request.user, values["agreement"])
        if values["kind"] == ObligationKind.APPROVAL:
            plan = None
            if values.get("promotion_code"):
                missing = {
                    name: [msg.REQUIRED]
                    for name in ("promotion_starts_on", "promotion_ends_on")
                    if not values.get(name)
                }
                if missing:
                    raise serializers.ValidationError(missing)
                plan = services.PromotionPlan(
                    code=values["promotion_code"],
                    name=values.get("promotion_name", ""),
                    starts_on=values["promotion_starts_on"],
                    ends_on=values["promotion_ends_on"],
                    price_floor=values.get("price_floor"),
                )
            obligation = services.approval_request(
                agreement=agreement,
                by=request.user,
                title=values.get("title", ""),
                subject=values["subject"],
                description=values["description"],
                due_on=values.get("due_on"),
                promotion=plan,
            )
            return self._answer(obligation, status.HTTP_201_CREATED)
        if not values.get("owed_by"):
            raise serializers.ValidationError({"owed_by": [msg.REQUIRED]})
        obligation = services.obligation_create(
            agreement=agreement,
            by=request.user,
            title=values.get("title", ""),
            kind=values["kind"],
            owed_by=values["owed_by"],
            clause=values["clause"],
            description=values["description"],
            due_on=values.get("due_on"),
            schedule=values.get("schedule", ""),
            due_day=values.get("due_day"),
            starts_on=values.get("starts_on"),
            remind_days=values["remind_days"],
        )
        return self._answer(obligation, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit an open obligation (staff); a recurring one's schedule and due day "
        "are its series'",
        request=ObligationUpdateSerializer,
        responses=STATE_RESPONSES,
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obligation = self.get_object()
        values = self._form(ObligationUpdateSerializer)
        obligation = services.obligation_update(
            obligation=obligation, by=request.user, fields=values
        )
        return self._answer(obligation)

    @extend_schema(
        summary="Record it done with evidence (the side that owes it; staff for either)",
        description="Multipart with `files` (up to 5) or a JSON body `{note, completed_on}`; "
        "a note or a file is required.",
        request={"multipart/form-data": CompleteRequestSerializer},
        responses=STATE_RESPONSES,
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[BrandFinanceOrStaff],
        parser_classes=[LimitedJSONParser, MultiPartParser, FormParser],
    )
    def complete(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        self._allowed(services.may_complete(request.user, obligation))
        values = self._form(CompleteRequestSerializer)
        obligation = services.obligation_complete(
            obligation=obligation,
            by=request.user,
            note=values["note"],
            files=values.get("files") or (),
            completed_on=values.get("completed_on"),
        )
        return self._answer(obligation)

    @extend_schema(
        summary="Waive it with a reason (the side it is owed to; staff for either)",
        request=WaiveRequestSerializer,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"], permission_classes=[BrandFinanceOrStaff])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        self._allowed(services.may_waive(request.user, obligation))
        values = self._form(WaiveRequestSerializer)
        obligation = services.obligation_waive(
            obligation=obligation, by=request.user, reason=values["reason"]
        )
        return self._answer(obligation)

    def _decide(self, request: Request, approve: bool) -> Response:
        obligation = self.get_object()
        self._allowed(services.may_decide(request.user, obligation))
        values = self._form(DecisionRequestSerializer)
        obligation = services.approval_decide(
            obligation=obligation, by=request.user, approve=approve, comment=values["comment"]
        )
        return self._answer(obligation)

    @extend_schema(
        summary="Approve an approval (the side asked: brand finance, or staff)",
        description="Approving a promotion plan approves the promotion: its sales within "
        "its dates and down to its price floor are no longer flagged below the minimum price.",
        request=DecisionRequestSerializer,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"], permission_classes=[BrandFinanceOrStaff])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, approve=True)

    @extend_schema(
        summary="Reject an approval with a comment (the side asked: brand finance, or staff)",
        request=DecisionRequestSerializer,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"], permission_classes=[BrandFinanceOrStaff])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, approve=False)

    @extend_schema(
        summary="An evidence or request file (anyone who may see the obligation)",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not in your scope"),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"files/(?P<file_id>[0-9]{1,12})",
        url_name="file",
    )
    def file(self, request: Request, pk: str | None = None, file_id: str = "") -> FileResponse:
        obligation = self.get_object()
        item = obligation.files.filter(pk=int(file_id)).first()
        if item is None or not item.file.storage.exists(item.file.name):
            raise NotFound(msg.FILE_NOT_FOUND)
        return FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=item.name,
            content_type=item.content_type or "application/octet-stream",
        )
