"""bank-transactions/: the agency's bank credits, their import and their allocation.

Agency staff (and superusers) see their agency's credits and work with them; a brand's
users see none (the list is empty, an id answers 404, writes 403): the agency's bank
account is not the brand's business.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organization
from banking import imports, selectors, services
from banking import messages as msg
from banking.models import Allocation, BankTransaction
from common.api.fields import IdField, IdFilter, MoneyField, id_value
from common.api.idempotency import idempotent
from common.api.permissions import StaffWritesOthersRead
from core.exceptions import RuleViolation

MAX_PER_REQUEST = 1_000
NOT_FOUND = "不存在或不在您的权限范围内 / not found in your scope"


class SuggestionSerializer(serializers.Serializer):
    statement = serializers.IntegerField()
    amount = MoneyField()
    reason = serializers.ChoiceField(
        choices=["number_in_remark", "exact_amount", "oldest"],
        help_text="number_in_remark: the remark quotes its number; exact_amount: its "
        "outstanding equals what is left of the credit; oldest: the oldest open items",
    )


class AllocationSerializer(serializers.ModelSerializer):
    statement = IdField(source="statement_id")
    amount = MoneyField()
    payment = IdField(source="payment_id")

    class Meta:
        model = Allocation
        fields = ["statement", "amount", "payment", "created_at"]
        read_only_fields = fields


class BankTransactionSerializer(serializers.ModelSerializer):
    agency = IdField(source="organization_id", read_only=True)
    amount = MoneyField(read_only=True)
    allocated = MoneyField(read_only=True)
    brand = IdField(
        source="payer_brand_id",
        read_only=True,
        allow_null=True,
        help_text="The brand whose name or account the payer matched (null: none)",
    )
    suggestions = serializers.SerializerMethodField()
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = BankTransaction
        fields = [
            "id",
            "agency",
            "booked_on",
            "amount",
            "currency",
            "payer_name",
            "payer_account",
            "remark",
            "bank_ref",
            "brand",
            "source",
            "status",
            "allocated",
            "suggestions",
            "allocations",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(SuggestionSerializer(many=True))
    def get_suggestions(self, credit: BankTransaction) -> list[dict[str, Any]]:
        """Suggested allocations of what is left of the credit (empty when matched)."""
        found = self.context.get("suggestions")
        if found is None:
            found = selectors.suggestions_for([credit])
        return [
            {"statement": s.statement, "amount": f"{s.amount:.2f}", "reason": s.reason}
            for s in found.get(credit.pk, [])
        ]


def _cny(value: str) -> str:
    if not imports.is_cny(value):
        raise serializers.ValidationError(msg.CURRENCY_CNY)
    return "CNY"


class BankTransactionInputSerializer(serializers.Serializer):
    """One credit as a client posts it."""

    booked_on = serializers.DateField()
    amount = MoneyField(
        min_value=Decimal("0.01"),
        error_messages={
            "min_value": msg.AMOUNT_POSITIVE,
            "max_decimal_places": msg.AMOUNT_POSITIVE,
        },
    )
    currency = serializers.CharField(required=False, default="CNY", validators=[_cny])
    payer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    payer_account = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    remark = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    bank_ref = serializers.CharField(
        max_length=100, help_text="Unique per agency: posting it again returns the stored credit"
    )
    agency = IdField(
        required=False, help_text="Superusers: the receiving agency. Staff: their own (default)"
    )


class BankImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".csv (UTF-8 or GBK), .xlsx, or camt.053 .xml")
    preset = serializers.ChoiceField(
        choices=list(imports.PRESETS), required=False, help_text="A bank's column names"
    )
    mapping = serializers.CharField(
        required=False,
        help_text="A JSON object naming the file's column (its header) for each field, e.g. "
        '{"booked_on": "Date", "credit": "Credit", "bank_ref": "Ref", "remark": ["Memo"]}; '
        "overrides the preset",
    )
    preview = serializers.BooleanField(
        required=False, default=False, help_text="true: read and check only, save nothing"
    )
    agency = IdField(required=False, help_text="Superusers: the receiving agency")


class BankImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="As a spreadsheet shows it")
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    text = serializers.CharField(help_text="The bilingual sentence shown to people")


class BankImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    booked_on = serializers.DateField()
    amount = MoneyField()
    payer_name = serializers.CharField()
    payer_account = serializers.CharField()
    remark = serializers.CharField()
    bank_ref = serializers.CharField()
    already_imported = serializers.BooleanField()
    brand = serializers.IntegerField(allow_null=True)
    brand_name = serializers.CharField()


class BankImportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="The stored import (null: preview)")
    preview = serializers.BooleanField()
    format = serializers.CharField()
    created = serializers.IntegerField(help_text="Credits saved (preview: would be saved)")
    already_imported = serializers.IntegerField(help_text="References already stored: skipped")
    debits = serializers.IntegerField(help_text="Debit rows: skipped")
    errors = BankImportErrorSerializer(many=True)
    columns = serializers.JSONField(allow_null=True, help_text='{"used": [...], "ignored": [...]}')
    rows = BankImportRowSerializer(many=True, help_text="Preview only: the credits read")


class AllocationItemSerializer(serializers.Serializer):
    statement = IdField()
    amount = MoneyField(
        min_value=Decimal("0.01"),
        error_messages={
            "min_value": msg.AMOUNT_POSITIVE,
            "max_decimal_places": msg.AMOUNT_POSITIVE,
        },
    )


class AllocateRequestSerializer(serializers.Serializer):
    allocations = AllocationItemSerializer(many=True, allow_empty=False)


class BankTransactionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=BankTransaction.Status.choices)
    brand = IdFilter(field_name="payer_brand_id")
    booked_on_after = filters.DateFilter(field_name="booked_on", lookup_expr="gte")
    booked_on_before = filters.DateFilter(field_name="booked_on", lookup_expr="lte")

    class Meta:
        model = BankTransaction
        fields = ["status", "brand", "booked_on_after", "booked_on_before"]


BANK_INPUT = PolymorphicProxySerializer(
    component_name="BankTransactionInputOneOrMany",
    serializers=[BankTransactionInputSerializer, BankTransactionInputSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)
BANK_OUTPUT = PolymorphicProxySerializer(
    component_name="BankTransactionOneOrMany",
    serializers=[BankTransactionSerializer, BankTransactionSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


def _agency_for(request: Request, given: int | None) -> Organization:
    """The receiving agency: staff's own; a superuser names it."""
    user = request.user
    if getattr(user, "is_agency_staff", False):
        return user.organization  # type: ignore[union-attr]
    if given is None:
        raise RuleViolation({"agency": [msg.NO_AGENCY]})
    agency = Organization.objects.filter(pk=given, kind=Organization.Kind.AGENCY).first()
    if agency is None:
        raise NotFound(NOT_FOUND)
    return agency


@extend_schema_view(
    list=extend_schema(
        summary="Bank transactions (staff)",
        description="The agency's credits with their status, allocations and suggested "
        "allocations. Brand users see none.",
    ),
    retrieve=extend_schema(summary="One bank transaction"),
)
class BankTransactionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The agency's bank credits: loaded from the bank's export or posted, then allocated."""

    serializer_class = BankTransactionSerializer
    filterset_class = BankTransactionFilter
    permission_classes = [StaffWritesOthersRead]
    queryset = BankTransaction.objects.none()

    def get_queryset(self) -> Any:
        return (
            selectors.transactions_in_scope(self.request.user)
            .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.order_by("pk")))
            .order_by("-booked_on", "-pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "suggestions": getattr(self, "_suggestions", None),
        }

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        self._suggestions = selectors.suggestions_for(rows)  # one query for the page
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _answer(self, credits: list[BankTransaction], created: bool, many: bool) -> Response:
        fresh = self.get_queryset().in_bulk([c.pk for c in credits])
        rows = [fresh[c.pk] for c in credits]
        self._suggestions = selectors.suggestions_for(rows)
        data = self.get_serializer(rows, many=True).data
        return Response(
            data if many else data[0],
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Record one credit or a list of them (staff; all-or-nothing)",
        request=BANK_INPUT,
        responses={
            201: BANK_OUTPUT,
            200: OpenApiResponse(BANK_OUTPUT, description="Every bank_ref was already stored"),
            400: OpenApiResponse(description='`{"field": [...]}` or bulk `{"errors": [...]}`'),
            409: OpenApiResponse(description="A bank_ref is stored with other content"),
        },
        examples=[
            OpenApiExample(
                "One credit",
                request_only=True,
                value={
                    "booked_on": "2026-09-25",
                    "amount": "3570.00",
                    "payer_name": "Hangzhou Mingxiang Tea Co., Ltd.",
                    "payer_account": "6222 0202 0000 1234",
                    "remark": "Payment ST-2026-000123",
                    "bank_ref": "20260925000123",
                },
            )
        ],
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        if isinstance(data, dict):
            form = BankTransactionInputSerializer(data=data)
            form.is_valid(raise_exception=True)
            values = dict(form.validated_data)
            agency = _agency_for(request, values.pop("agency", None))
            recorded = services.bank_transaction_create(agency=agency, data=values, by=request.user)
            return self._answer([recorded.transaction], recorded.created, many=False)
        if not isinstance(data, list):
            raise RuleViolation({"non_field_errors": [msg.BODY_NOT_OBJECT_OR_LIST]})
        if not data:
            raise RuleViolation({"non_field_errors": [msg.EMPTY_LIST]})
        if len(data) > MAX_PER_REQUEST:
            raise RuleViolation(
                {"non_field_errors": [msg.TOO_MANY_ITEMS.format(max=MAX_PER_REQUEST)]}
            )
        problems: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                problems.append({"index": index, "non_field_errors": [msg.ITEM_NOT_OBJECT]})
                continue
            form = BankTransactionInputSerializer(data=item)
            if not form.is_valid():
                problems.append({"index": index, **form.errors})
                continue
            rows.append(dict(form.validated_data))
        if problems:
            raise RuleViolation({"errors": problems})  # type: ignore[dict-item]
        agencies = {row.pop("agency", None) for row in rows}
        agency = _agency_for(request, next(iter(agencies)) if len(agencies) == 1 else None)
        recorded = services.bank_transactions_create(agency=agency, rows=rows, by=request.user)
        return self._answer(
            [r.transaction for r in recorded], any(r.created for r in recorded), many=True
        )

    @extend_schema(
        summary="Import a bank export: CSV, XLSX or camt.053 (staff; all-or-nothing)",
        request={"multipart/form-data": BankImportRequestSerializer},
        responses={
            201: BankImportResultSerializer,
            200: OpenApiResponse(BankImportResultSerializer, description="A preview"),
            400: OpenApiResponse(
                description="Nothing was saved: the answer as in 201, with `errors` naming each "
                'row as `{"row", "column", "message", "text"}` (row 1 is the file\'s first row); '
                'or `{"field": ["message"]}` for a missing file or a bad mapping'
            ),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    @idempotent
    def import_file(self, request: Request) -> Response:
        """Read the whole file, then save every new credit or none."""
        form = BankImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        mapping: Any = None
        if values.get("mapping"):
            try:
                mapping = json.loads(values["mapping"])
            except ValueError:
                raise RuleViolation({"mapping": [msg.BAD_MAPPING]}) from None
            problems = imports.mapping_check(mapping)
            if problems:
                raise RuleViolation({"mapping": problems})
        agency = _agency_for(request, values.get("agency"))
        upload = values["file"]
        result = services.bank_transactions_import(
            agency=agency,
            upload=upload,
            name=upload.name or "",
            by=request.user,
            preset=values.get("preset") or "",
            mapping=mapping,
            preview=values["preview"],
        )
        body = {
            "id": result.bank_import.pk if result.bank_import else None,
            "preview": result.preview,
            "format": result.parsed.format,
            "created": result.created if not result.preview else len(result.new_rows),
            "already_imported": result.duplicates,
            "debits": result.parsed.debits,
            "errors": result.parsed.errors.as_json(),
            "columns": result.parsed.columns,
            "rows": result.rows_json() if result.preview and result.ok else [],
        }
        if not result.ok:
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            body, status=status.HTTP_200_OK if result.preview else status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Allocate a credit to open items: a payment on each (staff)",
        request=AllocateRequestSerializer,
        responses={
            200: BankTransactionSerializer,
            400: OpenApiResponse(description="Over-allocation of the credit or of an item"),
            404: OpenApiResponse(description="The credit or a statement is not in your scope"),
        },
        examples=[
            OpenApiExample(
                "Split over two items",
                request_only=True,
                value={
                    "allocations": [
                        {"statement": 12, "amount": "3000.00"},
                        {"statement": 15, "amount": "570.00"},
                    ]
                },
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="allocate")
    @idempotent
    def allocate(self, request: Request, pk: Any = None) -> Response:
        credit = self.get_object()
        if not services.may_work_for(request.user, credit.organization_id):
            raise NotFound(NOT_FOUND)
        form = AllocateRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        items = form.validated_data["allocations"]
        ids = [item["statement"] for item in items]
        visible = selectors.statements_in_scope(request.user).filter(
            pk__in=ids, agreement__agency_id=credit.organization_id
        )
        found = set(visible.values_list("pk", flat=True))
        if set(ids) - found:
            raise NotFound(NOT_FOUND)
        done = services.bank_transaction_allocate(
            transaction=credit,
            allocations=[{"statement": i["statement"], "amount": i["amount"]} for i in items],
            by=request.user,
        )
        return self._answer([done.transaction], created=False, many=False)

    def get_object(self) -> Any:
        pk = id_value(self.kwargs.get("pk"))
        credit = self.get_queryset().filter(pk=pk).first() if pk else None
        if credit is None:
            raise NotFound(NOT_FOUND)
        return credit


ROUTES: list[tuple[str, Any, str]] = [
    ("bank-transactions", BankTransactionViewSet, "bank-transaction"),
]
