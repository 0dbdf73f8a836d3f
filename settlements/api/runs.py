"""Month-end runs through the API: staff start one for a closed month; it adds only what
is missing."""

from typing import Any

from django.db.models import Count, Q
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

from common import clock
from common.api.fields import IdField, PeriodField, PeriodFilter
from common.api.idempotency import idempotent
from contracts.selectors import agreement_in_scope, agreements_in_scope
from settlements import services
from settlements.models import StatementRun, StatementRunItem
from settlements.selectors import statement_runs_visible


class RunIssueSerializer(serializers.Serializer):
    """Where issuing the run's drafts stands (all null and 0 until someone asks)."""

    issued_on = serializers.DateField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    waiting = serializers.IntegerField(help_text="Drafts still waiting for a worker")
    issued = serializers.IntegerField()
    not_issued = serializers.IntegerField(help_text="Drafts refused; see the run's items")


class StatementRunSerializer(serializers.ModelSerializer):
    errors = serializers.SerializerMethodField()
    issue = serializers.SerializerMethodField()

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
            "issue",
        ]
        read_only_fields = fields

    @extend_schema_field(RunIssueSerializer)
    def get_issue(self, run: StatementRun) -> dict[str, Any]:
        """The counts come annotated by the view (one query for a page of runs)."""
        counts = (
            {name: getattr(run, f"issue_{name}") for name in ("waiting", "issued", "refused")}
            if hasattr(run, "issue_waiting")
            else services.issue_counts(run)
        )
        return {
            "issued_on": run.issued_on,
            "started_at": run.issue_started_at,
            "finished_at": run.issue_finished_at,
            "waiting": counts["waiting"],
            "issued": counts["issued"],
            "not_issued": counts["refused"],
        }

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


class RunIssueRequestSerializer(serializers.Serializer):
    issued_on = serializers.DateField(
        required=False, help_text="The issue date, YYYY-MM-DD (default: today)"
    )


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
        Issue = StatementRunItem.Issue
        return statement_runs_visible(super().get_queryset(), self.request.user).annotate(
            issue_waiting=Count("items", filter=Q(items__issue=Issue.PENDING)),
            issue_issued=Count("items", filter=Q(items__issue=Issue.ISSUED)),
            issue_refused=Count("items", filter=Q(items__issue=Issue.REFUSED)),
        )

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

    @extend_schema(
        summary="Issue the drafts the run made, in the background (staff)",
        request=RunIssueRequestSerializer,
        responses={
            202: StatementRunSerializer,
            400: OpenApiResponse(description="The issue date is not a date"),
            404: OpenApiResponse(description="No such run in your scope"),
        },
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def issue(self, request: Request, pk: str | None = None) -> Response:
        """Queue the run's drafts (those in your scope) to be issued by the workers, a
        batch per transaction; poll the run until ``issue.waiting`` is 0. Asking again
        while they are queued adds nothing."""
        run = self.get_object()
        form = RunIssueRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        issued_on = form.validated_data.get("issued_on") or clock.today()
        services.statement_run_issue_start(run=run, by=request.user, issued_on=issued_on)
        run = self.get_queryset().get(pk=run.pk)
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)
