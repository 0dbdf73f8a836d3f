"""REST API of statements, month-end runs, payments and expenses (see shared/API.md).

ROUTES is registered by config/api_urls.py. Every change goes through
``settlements.services``; the views only look objects up in the caller's scope (an id
outside it, or unknown, answers 404 on every method and action, including a
``statement`` or ``agreement`` id in a POST body), call the service and answer with the
object as it is now.
"""

import json
from typing import Any

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpResponse
from django.urls import reverse
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
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import scope_for_user
from common import clock
from common.api.fields import IdField, IdFilter, MoneyField, PeriodField, PeriodFilter, RateField
from common.api.idempotency import idempotent
from common.api.permissions import BrandFinanceOrStaff, is_agency_side
from common.api.scoping import ScopedViewSetMixin
from contracts.models import Agreement
from contracts.selectors import agreement_in_scope, agreements_in_scope
from core.exceptions import RuleViolation
from core.periods import Period
from settlements import messages as msg
from settlements import services
from settlements.models import Expense, Payment, Statement, StatementLine, StatementRun

# --- messages (module constants so tests assert them exactly) ---------------------------

STATEMENT_NOT_FOUND = "对账单不存在或不在您的权限范围内 / no such statement in your scope"
PDF_NOT_READY = "PDF 生成中，请稍后再试 / the PDF is still being rendered: try again shortly"
PAYMENT_REF_CONFLICT = msg.PAYMENT_REF_CONFLICT  # raised by services.payment_record

ZERO = services.ZERO


def statements_in_scope(user: Any) -> Any:
    return scope_for_user(
        queryset=Statement.objects.all(), user=user, brand_path="agreement__brand"
    )


def statement_in_scope(user: Any, pk: int) -> Statement:
    statement = statements_in_scope(user).filter(pk=pk).first()
    if statement is None:
        raise NotFound(STATEMENT_NOT_FOUND)
    return statement


# --- statements ---------------------------------------------------------------------------


class StatementLineSerializer(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)

    class Meta:
        model = StatementLine
        fields = ["position", "kind", "description", "amount"]
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer):
    """A statement version as the brand sees it, with what was paid and what is open.

    ``period`` is null for one-off bills (setup fee, installments, penalty notices).
    """

    agreement_number = serializers.CharField(source="agreement.number", read_only=True)
    lines = StatementLineSerializer(many=True, read_only=True)
    total_due = MoneyField(read_only=True)
    amount_paid = serializers.SerializerMethodField()
    outstanding = serializers.SerializerMethodField()
    penalty_rate_per_day = RateField(read_only=True)
    next_version = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "number",
            "version",
            "agreement",
            "agreement_number",
            "period",
            "kind",
            "installment_number",
            "status",
            "payment_status",
            "issued_on",
            "receipt_due_on",
            "confirmed_on",
            "deemed_confirmed",
            "disputed_on",
            "dispute_comment",
            "agency_reply",
            "payment_due_on",
            "lines",
            "total_due",
            "amount_paid",
            "outstanding",
            "penalty_rate_per_day",
            "figures",
            "calendar_note",
            "void_reason",
            "voided_on",
            "previous_version",
            "next_version",
            "penalty_of",
            "penalty_as_of",
            "pdf_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _paid(self, statement: Statement) -> Any:
        paid = getattr(statement, "paid_sum", None)
        return services.amount_paid(statement) if paid is None else paid

    @extend_schema_field(MoneyField())
    def get_amount_paid(self, statement: Statement) -> str:
        return MoneyField().to_representation(self._paid(statement))

    @extend_schema_field(MoneyField())
    def get_outstanding(self, statement: Statement) -> str:
        return MoneyField().to_representation(statement.total_due - self._paid(statement))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_next_version(self, statement: Statement) -> int | None:
        following = getattr(statement, "next_version", None)
        return following.pk if following is not None else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf_url(self, statement: Statement) -> str | None:
        """Drafts and void versions render on request; others once their PDF is stored."""
        live = statement.status in (Statement.Status.DRAFT, Statement.Status.VOID)
        if not live and not statement.pdf:
            return None
        url = reverse("statement-pdf", args=[statement.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class IssueRequestSerializer(serializers.Serializer):
    issued_on = serializers.DateField(required=False, help_text="Default: today")


class ConfirmRequestSerializer(serializers.Serializer):
    confirmed_on = serializers.DateField(required=False, help_text="Default: today")


class DisputeRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(
        allow_blank=True, error_messages={"required": msg.COMMENT_REQUIRED}
    )


class ReplyRequestSerializer(serializers.Serializer):
    reply = serializers.CharField(error_messages={"required": msg.REQUIRED, "blank": msg.REQUIRED})


class VoidRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, error_messages={"required": msg.REASON_REQUIRED}
    )


class PenaltyQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="YYYY-MM-DD; default: today")


class PenaltySerializer(serializers.Serializer):
    statement = serializers.IntegerField()
    as_of = serializers.DateField()
    due_on = serializers.DateField(allow_null=True)
    days_overdue = serializers.IntegerField()
    outstanding = MoneyField()
    rate = RateField(help_text="Per calendar day")
    penalty = MoneyField(help_text="Accrued to as_of, rounded once")
    waived = MoneyField()
    billed = MoneyField(help_text="Already billed by penalty notices")
    termination_right = serializers.BooleanField()


class PdfRenderer(BaseRenderer):
    """Lets a client send ``Accept: application/pdf`` (else DRF answers 406)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        if isinstance(data, bytes):
            return data
        # An error answered to "Accept: application/pdf" is JSON, and says so.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False, default=str).encode()


class StatementFilter(filters.FilterSet):
    agreement = IdFilter(field_name="agreement_id")
    period = PeriodFilter(field_name="period")
    status = filters.ChoiceFilter(choices=Statement.Status.choices)
    kind = filters.ChoiceFilter(choices=Statement.Kind.choices)
    payment_status = filters.ChoiceFilter(choices=Statement.PaymentStatus.choices)

    class Meta:
        model = Statement
        fields = ["agreement", "period", "status", "kind", "payment_status"]


STATE_RESPONSES = {
    200: StatementSerializer,
    400: OpenApiResponse(description='Bad input: `{"field": ["message"]}`'),
    403: OpenApiResponse(description="Your role may not do this"),
    404: OpenApiResponse(description="Not in your scope"),
    409: OpenApiResponse(description="The statement's state forbids this"),
}


@extend_schema_view(
    list=extend_schema(summary="Statements (every version, one-off bills, penalty notices)"),
    retrieve=extend_schema(summary="One statement version"),
)
class StatementViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Statements: staff issue, void and correct them; the brand confirms or disputes."""

    queryset = (
        Statement.objects.select_related("agreement", "next_version")
        .prefetch_related("lines")
        .annotate(
            paid_sum=Coalesce(
                Sum("payments__amount"),
                Value(ZERO),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .order_by("-created_at", "-pk")
    )
    serializer_class = StatementSerializer
    filterset_class = StatementFilter
    brand_path = "agreement__brand"

    def _answer(self, statement: Statement, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=statement.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _form(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        form = serializer_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)

    @extend_schema(
        summary="Issue a draft (staff): freezes it, sets the due dates, renders the PDF",
        request=IssueRequestSerializer,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        values = self._form(IssueRequestSerializer)
        statement = services.statement_issue(
            statement=statement, by=request.user, issued_on=values.get("issued_on")
        )
        return self._answer(statement)

    @extend_schema(
        summary="Confirm an issued statement (brand finance, or staff on its behalf)",
        request=ConfirmRequestSerializer,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"], permission_classes=[BrandFinanceOrStaff])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        values = self._form(ConfirmRequestSerializer)
        statement = services.statement_confirm(
            statement=statement, by=request.user, confirmed_on=values.get("confirmed_on")
        )
        return self._answer(statement)

    @extend_schema(
        summary="Dispute an issued statement with a comment (brand finance, or staff)",
        request=DisputeRequestSerializer,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"], permission_classes=[BrandFinanceOrStaff])
    def dispute(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        values = self._form(DisputeRequestSerializer)
        statement = services.statement_dispute(
            statement=statement, by=request.user, comment=values["comment"]
        )
        return self._answer(statement)

    @extend_schema(
        summary="Withdraw a dispute: the statement is issued again (brand finance, or staff)",
        request=None,
        responses=STATE_RESPONSES,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="withdraw-dispute",
        permission_classes=[BrandFinanceOrStaff],
    )
    def withdraw_dispute(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        statement = services.statement_withdraw_dispute(statement=statement, by=request.user)
        return self._answer(statement)

    @extend_schema(
        summary="Answer a dispute (staff)",
        request=ReplyRequestSerializer,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        values = self._form(ReplyRequestSerializer)
        statement = services.statement_reply(
            statement=statement, by=request.user, reply=values["reply"]
        )
        return self._answer(statement)

    @extend_schema(
        summary="Void an issued statement (staff); a corrected version can follow",
        request=VoidRequestSerializer,
        responses=STATE_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        values = self._form(VoidRequestSerializer)
        statement = services.statement_void(
            statement=statement, by=request.user, reason=values["reason"]
        )
        return self._answer(statement)

    @extend_schema(
        summary="Make the next version of a voided statement, as a draft (staff)",
        request=None,
        responses={
            **STATE_RESPONSES,
            201: StatementSerializer,
            200: OpenApiResponse(StatementSerializer, description="Already corrected"),
        },
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        existed = statement.status == Statement.Status.VOID and hasattr(statement, "next_version")
        corrected = services.statement_correct(statement=statement, by=request.user)
        return self._answer(corrected, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary="The PDF of this version",
        description="Drafts are previews and void versions carry their VOID mark, both "
        "rendered on request; other statements answer 404 until the PDF is rendered.",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not in your scope, or not rendered yet"),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        from settlements.documents import statement_pdf_bytes

        statement = self.get_object()
        filename = f"{statement.number}.pdf"
        if statement.status in (Statement.Status.DRAFT, Statement.Status.VOID):
            response = HttpResponse(statement_pdf_bytes(statement), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{filename}"'
            return response
        if not statement.pdf or not statement.pdf.storage.exists(statement.pdf.name):
            raise NotFound(PDF_NOT_READY)
        return FileResponse(
            statement.pdf.open("rb"), content_type="application/pdf", filename=filename
        )

    @extend_schema(
        summary="Late-payment penalty, overdue days and termination right as of a date",
        parameters=[PenaltyQuerySerializer],
        responses={200: PenaltySerializer, 400: OpenApiResponse(description="Bad date")},
    )
    @action(detail=True, methods=["get"])
    def penalty(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        query = PenaltyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of") or clock.today()
        state = services.statement_penalty(statement=statement, as_of=as_of)
        return Response(
            PenaltySerializer(
                {
                    "statement": statement.pk,
                    "as_of": state.as_of,
                    "due_on": state.due_on,
                    "days_overdue": state.days_overdue,
                    "outstanding": state.outstanding,
                    "rate": state.rate,
                    "penalty": state.penalty,
                    "waived": state.waived,
                    "billed": state.billed,
                    "termination_right": state.termination_right,
                }
            ).data
        )


# --- month-end runs -----------------------------------------------------------------------


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
        """Runs over all agreements are the agency side's; one agreement's run follows
        that agreement's scope."""
        queryset = super().get_queryset()
        user = self.request.user
        if getattr(user, "is_superuser", False):
            return queryset
        mine = Q(agreement__in=agreements_in_scope(user))
        if is_agency_side(user):
            return queryset.filter(mine | Q(agreement__isnull=True))
        return queryset.filter(mine)

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


# --- payments -----------------------------------------------------------------------------


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


# --- expenses -----------------------------------------------------------------------------


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


# --- demands (催缴) ------------------------------------------------------------------------


class DemandSerializer(serializers.Serializer):
    period = PeriodField(help_text="The month whose statement is late, YYYY-MM.")
    on = serializers.DateField(required=False, help_text="Date of the demand (default today).")


class DemandResultSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    period = serializers.CharField()
    demanded_on = serializers.DateField(format=ISO_8601)


class AgreementDemandViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The brand's written demand for a late monthly statement, posted under its agreement
    (``agreements/{id}/demand/``): the rules of late statements are settlements'."""

    queryset = Agreement.objects.all()
    serializer_class = DemandSerializer
    permission_classes = [BrandFinanceOrStaff]

    @extend_schema(request=DemandSerializer, responses={201: DemandResultSerializer})
    @action(detail=True, methods=["post"])
    def demand(self, request: Request, pk: Any = None) -> Response:
        """The brand demands (催缴) a late monthly statement; starts the 7-day clock.

        Brand finance or staff. 409 when the statement is not late.
        """
        agreement = self.get_object()
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            demand = services.statement_demand(
                agreement=agreement,
                period=Period.parse(body.validated_data["period"]),
                by=request.user,
                demanded_on=body.validated_data.get("on"),
            )
        except RuleViolation as error:  # the service calls the date demanded_on
            raise RuleViolation(
                {("on" if name == "demanded_on" else name): m for name, m in error.errors.items()}
            ) from error
        data = {
            "agreement": demand.agreement_id,
            "period": str(demand.period),
            "demanded_on": demand.demanded_on,
        }
        return Response(DemandResultSerializer(data).data, status=status.HTTP_201_CREATED)


ROUTES: list = [  # (prefix, viewset, basename)
    ("statement-runs", StatementRunViewSet, "statement-run"),
    ("statements", StatementViewSet, "statement"),
    ("payments", PaymentViewSet, "payment"),
    ("expenses", ExpenseViewSet, "expense"),
    # Adds agreements/{id}/demand/ beside contracts' agreements routes.
    ("agreements", AgreementDemandViewSet, "agreement-demand"),
]
