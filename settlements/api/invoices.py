"""Invoices (发票) through the API: agency staff record them (multipart, with the file)
and reverse them (红冲); anyone in scope reads them and downloads the file.

A statement id outside the caller's scope answers 404 like a missing one; another
brand's invoice, its file and its reversal answer 404 too.
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
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.fields import IdField, IdFilter, MoneyField
from common.api.renderers import AnyFileRenderer
from common.api.scoping import ScopedViewSetMixin
from settlements import messages as msg
from settlements import services
from settlements.api.statements import statement_in_scope
from settlements.models import Invoice

FILE_MISSING = "发票文件不存在 / the invoice's file is missing"


class InvoiceSerializer(serializers.ModelSerializer):
    statement = IdField(source="statement_id")
    statement_number = serializers.CharField(source="statement.number", read_only=True)
    amount = MoneyField(help_text="With tax (价税合计)")
    tax_amount = MoneyField()
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "statement",
            "statement_number",
            "kind",
            "number",
            "issued_on",
            "amount",
            "tax_amount",
            "status",
            "red_number",
            "reversed_on",
            "file_name",
            "content_type",
            "size",
            "file_url",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_file_url(self, invoice: Invoice) -> str:
        url = reverse("invoice-file", args=[invoice.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class InvoiceUploadSerializer(serializers.Serializer):
    statement = IdField()
    kind = serializers.ChoiceField(choices=Invoice.Kind.choices)
    number = serializers.CharField(
        max_length=40, help_text="Digital (数电): 20 digits; paper: 8 digits"
    )
    issued_on = serializers.DateField(help_text="Not in the future, not before the bill's issue")
    amount = MoneyField(
        help_text="With tax; the invoices of a bill never add up to more than its total",
        error_messages={"max_decimal_places": msg.AMOUNT_POSITIVE},
    )
    tax_amount = MoneyField(help_text="At least 0, at most the amount")
    file = serializers.FileField(
        help_text="PDF, OFD or XML (checked by content; 10 MB at most)",
        error_messages={"required": msg.INVOICE_FILE_REQUIRED},
    )


class ReverseRequestSerializer(serializers.Serializer):
    red_number = serializers.CharField(
        max_length=40, help_text="The red invoice's number (same form as the invoice's)"
    )
    on = serializers.DateField(required=False, help_text="Default: today")


class InvoiceFilter(filters.FilterSet):
    statement = IdFilter(field_name="statement_id")
    status = filters.ChoiceFilter(choices=Invoice.Status.choices)
    kind = filters.ChoiceFilter(choices=Invoice.Kind.choices)

    class Meta:
        model = Invoice
        fields = ["statement", "status", "kind"]


@extend_schema_view(
    list=extend_schema(summary="Invoices (发票) against statements, notices and bills"),
    retrieve=extend_schema(summary="One invoice"),
)
class InvoiceViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Invoices: agency staff record and reverse them; brands read and download them."""

    queryset = Invoice.objects.select_related("statement").order_by("-issued_on", "-pk")
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    brand_path = "statement__agreement__brand"

    @extend_schema(
        summary="Record an invoice with its file (staff)",
        description="Multipart. Under the term `invoice_before_payment` the statement's "
        "`payment_due_on` follows from the invoice that completes its total.",
        request={"multipart/form-data": InvoiceUploadSerializer},
        responses={
            201: InvoiceSerializer,
            400: OpenApiResponse(
                description="Bad number, date, amount or file; over the bill's total"
            ),
            404: OpenApiResponse(description="The statement is not in your scope"),
            409: OpenApiResponse(description="A draft or void statement"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = InvoiceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        statement = statement_in_scope(request.user, values["statement"])
        invoice = services.invoice_record(
            statement=statement,
            kind=values["kind"],
            number=values["number"],
            issued_on=values["issued_on"],
            amount=values["amount"],
            tax_amount=values["tax_amount"],
            file=values["file"],
            by=request.user,
        )
        return Response(self.get_serializer(invoice).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The invoice's file (PDF, OFD or XML), as it was uploaded",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not in your scope"),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AnyFileRenderer])
    def file(self, request: Request, pk: str | None = None) -> FileResponse:
        invoice = self.get_object()
        if not invoice.file or not invoice.file.storage.exists(invoice.file.name):
            raise NotFound(FILE_MISSING)
        return services.invoice_file_response(invoice)

    @extend_schema(
        summary="Record the red-letter reversal (红冲) of an invoice (staff)",
        request=ReverseRequestSerializer,
        responses={
            200: InvoiceSerializer,
            400: OpenApiResponse(description="Bad red number or date"),
            404: OpenApiResponse(description="Not in your scope"),
            409: OpenApiResponse(description="Already reversed"),
        },
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        form = ReverseRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        invoice = services.invoice_reverse(
            invoice=invoice,
            red_number=form.validated_data["red_number"],
            on=form.validated_data.get("on"),
            by=request.user,
        )
        return Response(self.get_serializer(invoice).data)
