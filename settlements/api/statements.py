"""Statements through the API: staff issue, void and correct them; the brand confirms or
disputes; anyone in scope reads them, their penalty and their PDF."""

from typing import Any

from django.db.models import DecimalField, Sum, Value
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
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import scope_for_user
from common import clock
from common.api.fields import IdFilter, MoneyField, PeriodFilter, RateField
from common.api.parsers import LimitedJSONParser
from common.api.permissions import BrandFinanceOrStaff
from common.api.renderers import PdfRenderer
from common.api.scoping import ScopedViewSetMixin
from core.money import ZERO
from settlements import messages as msg
from settlements import selectors, services
from settlements.models import DisputeAttachment, Statement, StatementLine
from settlements.vat import statement_vat

# --- messages (module constants so tests assert them exactly) ---------------------------

STATEMENT_NOT_FOUND = "对账单不存在或不在您的权限范围内 / no such statement in your scope"
PDF_NOT_READY = "PDF 生成中，请稍后再试 / the PDF is still being rendered: try again shortly"
ATTACHMENT_NOT_FOUND = "附件不存在 / no such attachment"


def statements_in_scope(user: Any) -> Any:
    return scope_for_user(
        queryset=Statement.objects.all(), user=user, brand_path="agreement__brand"
    )


def statement_in_scope(user: Any, pk: int) -> Statement:
    statement = statements_in_scope(user).filter(pk=pk).first()
    if statement is None:
        raise NotFound(STATEMENT_NOT_FOUND)
    return statement


class StatementLineSerializer(serializers.ModelSerializer):
    amount = MoneyField(read_only=True)

    class Meta:
        model = StatementLine
        fields = ["position", "kind", "description", "amount"]
        read_only_fields = fields


class DisputeAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = DisputeAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, attachment: DisputeAttachment) -> str:
        url = reverse("statement-attachment", args=[attachment.statement_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class StatementSerializer(serializers.ModelSerializer):
    """A statement version as the brand sees it, with what was paid and what is open.

    ``period`` is null for one-off bills (setup fee, installments, penalty notices).
    """

    agreement_number = serializers.CharField(source="agreement.number", read_only=True)
    lines = StatementLineSerializer(many=True, read_only=True)
    total_due = MoneyField(read_only=True)
    amount_paid = serializers.SerializerMethodField()
    outstanding = serializers.SerializerMethodField()
    invoiced_amount = serializers.SerializerMethodField(
        help_text="The total of its invoices (发票) that are not reversed"
    )
    penalty_rate_per_day = RateField(read_only=True)
    vat_rate = RateField(
        read_only=True, help_text="The agreement's VAT rate when the statement was made."
    )
    amount_without_tax = serializers.SerializerMethodField(
        help_text="total_due ÷ (1 + vat_rate), rounded half-up; shown, never owed."
    )
    tax_amount = serializers.SerializerMethodField(help_text="total_due − amount_without_tax.")
    next_version = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    dispute_attachments = DisputeAttachmentSerializer(many=True, read_only=True)

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
            "dispute_attachments",
            "withdrawn_on",
            "agency_reply",
            "replied_on",
            "payment_due_on",
            "lines",
            "total_due",
            "amount_paid",
            "outstanding",
            "invoiced_amount",
            "penalty_rate_per_day",
            "vat_rate",
            "amount_without_tax",
            "tax_amount",
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
        return selectors.amount_paid(statement) if paid is None else paid

    @extend_schema_field(MoneyField())
    def get_amount_paid(self, statement: Statement) -> str:
        return MoneyField().to_representation(self._paid(statement))

    @extend_schema_field(MoneyField())
    def get_outstanding(self, statement: Statement) -> str:
        return MoneyField().to_representation(statement.total_due - self._paid(statement))

    @extend_schema_field(MoneyField())
    def get_amount_without_tax(self, statement: Statement) -> str:
        return MoneyField().to_representation(statement_vat(statement).without_tax)

    @extend_schema_field(MoneyField())
    def get_tax_amount(self, statement: Statement) -> str:
        return MoneyField().to_representation(statement_vat(statement).tax)

    @extend_schema_field(MoneyField())
    def get_invoiced_amount(self, statement: Statement) -> str:
        invoiced = getattr(statement, "invoiced_sum", None)
        if invoiced is None:
            invoiced = services.invoiced_amount(statement)
        return MoneyField().to_representation(invoiced)

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
    disputed_on = serializers.DateField(
        required=False,
        help_text="Default: today. Staff recording a dispute received in writing give its "
        "date: not in the future, not after the receipt deadline.",
    )


class DisputeUploadSerializer(DisputeRequestSerializer):
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Up to 5 files (PDF, images, spreadsheets, text), 10 MB each.",
    )


class WithdrawRequestSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField(
        required=False,
        help_text="Default: today. Counts as confirmation on that day; not before the dispute.",
    )


class ReplyRequestSerializer(serializers.Serializer):
    reply = serializers.CharField(error_messages={"required": msg.REQUIRED, "blank": msg.REQUIRED})
    replied_on = serializers.DateField(required=False, help_text="Default: today")


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
        .prefetch_related("lines", "dispute_attachments")
        .annotate(
            paid_sum=Coalesce(
                Sum("payments__amount"),
                Value(ZERO),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .annotate(invoiced_sum=services.invoiced_sum())
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
        description="By the receipt deadline. The payment due date is cleared while the "
        "dispute is open. Multipart, with `attachments` (files) if any; a JSON body "
        '`{"comment", "disputed_on"}` without attachments is accepted too.',
        # One media type: client generators mishandle a body offered in two.
        request={"multipart/form-data": DisputeUploadSerializer},
        responses=STATE_RESPONSES,
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[BrandFinanceOrStaff],
        parser_classes=[LimitedJSONParser, MultiPartParser, FormParser],
    )
    def dispute(self, request: Request, pk: str | None = None) -> Response:
        statement = self.get_object()
        values = self._form(DisputeUploadSerializer)
        statement = services.statement_dispute(
            statement=statement,
            by=request.user,
            comment=values["comment"],
            disputed_on=values.get("disputed_on"),
            attachments=values.get("attachments") or (),
        )
        return self._answer(statement)

    @extend_schema(
        summary="A dispute's attachment (anyone who may see the statement)",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not in your scope"),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]{1,12})",
        url_name="attachment",
    )
    def attachment(
        self, request: Request, pk: str | None = None, attachment_id: str = ""
    ) -> FileResponse:
        statement = self.get_object()
        attachment = statement.dispute_attachments.filter(pk=int(attachment_id)).first()
        if attachment is None or not attachment.file.storage.exists(attachment.file.name):
            raise NotFound(ATTACHMENT_NOT_FOUND)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type or "application/octet-stream",
        )

    @extend_schema(
        summary="Withdraw a dispute: counts as confirmation that day (brand finance, or staff)",
        request=WithdrawRequestSerializer,
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
        values = self._form(WithdrawRequestSerializer)
        statement = services.statement_withdraw_dispute(
            statement=statement, by=request.user, withdrawn_on=values.get("withdrawn_on")
        )
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
            statement=statement,
            by=request.user,
            reply=values["reply"],
            replied_on=values.get("replied_on"),
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
        # A plain dict, so "?as_of=" is a bad date (400), not a missing one.
        query = PenaltyQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of") or clock.today()
        state = selectors.statement_penalty(statement=statement, as_of=as_of)
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
