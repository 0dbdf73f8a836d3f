"""Daily runs through the API: staff run the daily job up to a day (never a future one)
and read what each run did, by rule."""

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.idempotency import idempotent
from common.api.permissions import is_agency_side
from core.messages import STAFF_ONLY
from settlements import services
from settlements.models import DailyRun
from settlements.selectors import daily_run_visible_part as visible_part


class RuleSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    items = serializers.ListField(child=serializers.CharField())


class DailyRunSerializer(serializers.ModelSerializer):
    summary = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    class Meta:
        model = DailyRun
        fields = [
            "id",
            "until",
            "status",
            "trigger",
            "summary",
            "errors",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=RuleSummarySerializer()))
    def get_summary(self, run: DailyRun) -> dict[str, Any]:
        """By rule (renewed, expired, end_bills, deemed_confirmed, penalty_notices, flags,
        reminders): how many records and their names (the first 100)."""
        return visible_part(run, self.context["request"].user)[0]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_errors(self, run: DailyRun) -> list[dict[str, Any]]:
        """Rows that failed: ``{"step", "object", "error"}``; the others went on."""
        return visible_part(run, self.context["request"].user)[1]


class DailyRunRequestSerializer(serializers.Serializer):
    until = serializers.DateField(
        required=False, help_text="Run the job up to this day (default today; never later)"
    )


class DailyRunFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=DailyRun.Status.choices)
    until = filters.DateFilter(field_name="until")

    class Meta:
        model = DailyRun
        fields = ["status", "until"]


class AgencySideOnly:
    """Daily runs are the agency side's: brand users are answered 404 (not in scope)."""

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()  # type: ignore[misc]
        return queryset if is_agency_side(self.request.user) else queryset.none()  # type: ignore[attr-defined]


@extend_schema_view(
    list=extend_schema(summary="Daily runs: what the daily job did, by rule"),
    retrieve=extend_schema(summary="One daily run"),
)
class DailyRunViewSet(
    AgencySideOnly,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The daily job (renewals, expiries, end-of-term bills, deemed confirmations, penalty
    notices, flags, reminders), run by itself every day; staff may run it up to a day."""

    queryset = DailyRun.objects.select_related("created_by").order_by("-created_at", "-pk")
    serializer_class = DailyRunSerializer
    filterset_class = DailyRunFilter

    @extend_schema(
        summary="Run the daily job up to a day (staff)",
        description="Running it again for a day already covered adds only what data "
        "entered since calls for, never a record twice.",
        request=DailyRunRequestSerializer,
        responses={
            201: DailyRunSerializer,
            400: OpenApiResponse(description='A future day: `{"until": ["message"]}`'),
            403: OpenApiResponse(description="Brand users may not run it"),
        },
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not is_agency_side(request.user):
            self.permission_denied(request, message=STAFF_ONLY)
        form = DailyRunRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        run = services.daily_run_start(
            until=form.validated_data.get("until"), by=request.user, trigger=DailyRun.Trigger.API
        )
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)
