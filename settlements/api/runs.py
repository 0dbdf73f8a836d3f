"""Month-end runs through the API: staff start one for a closed month; it adds only what
is missing."""

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

from common.api.fields import IdField, PeriodField, PeriodFilter
from common.api.idempotency import idempotent
from contracts.selectors import agreement_in_scope, agreements_in_scope
from settlements import services
from settlements.models import StatementRun
from settlements.selectors import statement_runs_visible


class StatementRunSerializer(serializers.ModelSerializer):
    errors = serializers.SerializerMethodField()

    class Meta:
        model = StatementRun
        fields = [
            "id",
            "period",
            "agreement",
            "status",
            "total",
            "done",
            "failed",
            "created",
            "errors",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_errors(self, run: StatementRun) -> list[dict[str, Any]]:
        """Failures of agreements the caller may see (``{"agreement": number, "error"}``)."""
        visible = self.context.get("visible_agreements")
        if visible is None:
            return list(run.errors or [])
        return [e for e in run.errors or [] if e.get("agreement") in visible]


class StatementRunRequestSerializer(serializers.Serializer):
    period = PeriodField(help_text="A closed month, YYYY-MM")
    agreement = IdField(required=False, help_text="Only this agreement (default: all)")


class StatementRunFilter(filters.FilterSet):
    period = PeriodFilter(field_name="period")
    status = filters.ChoiceFilter(choices=StatementRun.Status.choices)

    class Meta:
        model = StatementRun
        fields = ["period", "status"]


@extend_schema_view(
    list=extend_schema(summary="Month-end runs and their progress"),
    retrieve=extend_schema(summary="One month-end run"),
)
class StatementRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Month-end runs: staff start one for a closed month; it adds only what is missing."""

    queryset = StatementRun.objects.order_by("-created_at", "-pk")
    serializer_class = StatementRunSerializer
    filterset_class = StatementRunFilter

    def get_queryset(self) -> Any:
        """One agreement's run follows that agreement's scope; a run over all agreements
        is its starter's agency's (``statement_runs_visible``)."""
        return statement_runs_visible(super().get_queryset(), self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user = self.request.user
        if not getattr(user, "is_superuser", False):
            context["visible_agreements"] = set(
                agreements_in_scope(user).values_list("number", flat=True)
            )
        return context

    @extend_schema(
        summary="Start the month-end run for a closed month (staff)",
        request=StatementRunRequestSerializer,
        responses={
            201: StatementRunSerializer,
            400: OpenApiResponse(description="Bad period, or the month is not closed yet"),
            404: OpenApiResponse(description="The agreement is not in your scope"),
        },
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = StatementRunRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        pk = form.validated_data.get("agreement")
        agreement = agreement_in_scope(request.user, pk) if pk is not None else None
        run = services.statement_run_start(
            period=form.validated_data["period"], by=request.user, agreement=agreement
        )
        return Response(self.get_serializer(run).data, status=status.HTTP_201_CREATED)
