"""Sale lines through the API: ``sales/`` takes one line or a JSON list of lines
(all-or-nothing), ``sales/import/`` a CSV or XLSX file. Every row is validated by
``sale_row_clean``, so the API refuses exactly what the admin and the imports refuse."""

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.urls import reverse
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

from common.api.fields import (
    IdField,
    IdFilter,
    MoneyField,
    PeriodFilter,
    TrueFalseFilter,
    id_value,
)
from common.api.idempotency import idempotent
from common.api.scoping import ScopedViewSetMixin
from contracts.models import Agreement
from contracts.selectors import agreement_in_scope, agreements_in_scope
from core.exceptions import RuleViolation
from core.periods import Period
from kpis import messages as msg
from kpis.imports import (
    ROW_UNREADABLE,
    sales_import_columns,
    sales_import_create,
    sales_import_run,
)
from kpis.models import SaleLine, SalesImport
from kpis.services import (
    SaleContext,
    sale_row_clean,
)
from kpis.services import sale_line_record as sale_line_record_service
from kpis.services import sale_lines_record as sale_lines_record_service

# --- messages (module constants so tests assert them exactly) ---------------------------

NOT_AN_ID = "必须是正整数编号 / must be a positive whole-number id"
BODY_NOT_OBJECT_OR_LIST = (
    "请求体应为一个对象或对象列表 / the body must be a JSON object or a list of objects"
)
ITEM_NOT_OBJECT = "每一项都必须是对象 / each item must be a JSON object"
EMPTY_LIST = "列表为空 / the list is empty"
TOO_MANY_LINES = (
    "一次最多提交 {max} 行，更多请用文件导入 / at most {max} lines per request; "
    "use sales/import/ for more"
)

MAX_LINES_PER_REQUEST = 1_000


class SaleLineSerializer(serializers.ModelSerializer):
    """A sale line as stored: prices are the snapshot taken on the sale date."""

    product = serializers.CharField(source="product.sku", read_only=True)
    unit_price = MoneyField(read_only=True)
    amount = MoneyField(max_digits=16, read_only=True)
    factory_price = MoneyField(read_only=True)
    distributor_price = MoneyField(read_only=True)
    min_retail_price = MoneyField(read_only=True)
    tax = MoneyField(read_only=True)
    logistics = MoneyField(read_only=True)
    promotion = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    settled_in = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = SaleLine
        fields = [
            "id",
            "agreement",
            "product",
            "sold_on",
            "quantity",
            "unit_price",
            "amount",
            "factory_price",
            "distributor_price",
            "min_retail_price",
            "tax",
            "logistics",
            "channel",
            "distributor",
            "external_ref",
            "promotion",
            "price_violation",
            "settled_in",
            "created_at",
        ]
        read_only_fields = fields


class SaleLineInputSerializer(serializers.Serializer):
    """What a client posts for one line (documentation: the service validates the row).

    Prices left out are the product's prices valid on ``sold_on``; ``channel`` also takes
    the Chinese names (京东, 天猫, 微信小店, 经销商, 其他).
    """

    agreement = IdField()
    product = serializers.CharField(help_text="SKU of one of the brand's products")
    sold_on = serializers.DateField()
    quantity = serializers.IntegerField(help_text="Negative for a return")
    unit_price = MoneyField()
    factory_price = MoneyField(required=False)
    distributor_price = MoneyField(required=False)
    tax = MoneyField(required=False, help_text="Line total; negative on a return")
    logistics = MoneyField(required=False, help_text="Line total; negative on a return")
    channel = serializers.ChoiceField(choices=SaleLine.Channel.choices, required=False)
    distributor = serializers.CharField(required=False, allow_blank=True, max_length=200)
    external_ref = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Unique per agreement: posting it again returns the stored line",
    )
    promotion = serializers.CharField(
        required=False, allow_blank=True, help_text="Code of a promotion the brand approved"
    )


SALE_INPUT = PolymorphicProxySerializer(
    component_name="SaleLineInputOneOrMany",
    serializers=[SaleLineInputSerializer, SaleLineInputSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)
SALE_OUTPUT = PolymorphicProxySerializer(
    component_name="SaleLineOneOrMany",
    serializers=[SaleLineSerializer, SaleLineSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


class SalesImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".csv (UTF-8 or GBK) or .xlsx, header in row 1")
    agreement = IdField()


class SalesImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="As a spreadsheet shows it")
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    text = serializers.CharField(help_text="The bilingual sentence shown to people")


# Files up to this size are imported inside the request (201/400 at once); larger ones
# are answered 202 and imported by a worker, so no request waits on a big file.
SYNC_IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_NOT_FOUND = "导入记录不存在或不在您的权限范围内 / no such import in your scope"


class SalesImportColumnsSerializer(serializers.Serializer):
    used = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="[header as written in the file, column], in the file's order",
    )
    ignored = serializers.ListField(
        child=serializers.CharField(), help_text="Headers the import does not know: skipped"
    )


class SalesImportSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="original_name", read_only=True)
    errors = SalesImportErrorSerializer(many=True, read_only=True)
    columns = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(SalesImportColumnsSerializer(allow_null=True))
    def get_columns(self, sales_import: SalesImport) -> dict[str, Any] | None:
        """The file's columns used and ignored, once its header is read (else null)."""
        return sales_import_columns(sales_import)

    @extend_schema_field(serializers.URLField())
    def get_url(self, sales_import: SalesImport) -> str:
        """Where to poll this import: ``GET sales/import/{id}/``."""
        url = reverse("sale-import-status", args=[sales_import.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    class Meta:
        model = SalesImport
        fields = [
            "id",
            "agreement",
            "file_name",
            "status",
            "rows_total",
            "rows_created",
            "rows_duplicate",
            "errors",
            "columns",
            "url",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class SaleLineFilter(filters.FilterSet):
    agreement = IdFilter(field_name="agreement_id")
    period = PeriodFilter(method="filter_period")
    channel = filters.ChoiceFilter(choices=SaleLine.Channel.choices)
    price_violation = TrueFalseFilter()
    product = filters.CharFilter(field_name="product__sku", help_text="SKU")

    class Meta:
        model = SaleLine
        fields = ["agreement", "period", "channel", "price_violation", "product"]

    def filter_period(self, queryset: Any, name: str, value: Period | None) -> Any:
        if not value:
            return queryset
        return queryset.filter(sold_on__gte=value.first_day, sold_on__lte=value.last_day)


# What the row validation says of a number it can read; used when it cannot even compute
# with it (decimal.Overflow on "1e999999999" escapes kpis.services._parse_int/_amount).
NUMBER_MESSAGES = {
    "quantity": msg.NOT_AN_INTEGER,
    "unit_price": msg.NOT_AN_AMOUNT,
    "factory_price": msg.NOT_AN_AMOUNT,
    "distributor_price": msg.NOT_AN_AMOUNT,
    "tax": msg.NOT_AN_AMOUNT,
    "logistics": msg.NOT_AN_AMOUNT,
}


def _unreadable(agreement: Agreement, rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The rows (by position) whose numbers overflow Decimal arithmetic, and which fields.

    Only called after the service raised ArithmeticError, so the normal path cleans each
    row once.
    """
    ctx = SaleContext.load(agreement)
    found: dict[int, dict[str, Any]] = {}
    for position, row in enumerate(rows):
        try:
            sale_row_clean(row, ctx=ctx)
        except ArithmeticError:
            errors: dict[str, Any] = {}
            for name, message in NUMBER_MESSAGES.items():
                try:
                    sale_row_clean({name: row.get(name)}, ctx=ctx)
                except ArithmeticError:
                    errors[name] = [message]
            found[position] = errors or {"non_field_errors": [ROW_UNREADABLE]}
    # The overflow came from somewhere else: still a 400, never a 500.
    return found or {0: {"non_field_errors": [ROW_UNREADABLE]}}


def _indexed_errors(errors: list[dict[str, Any]]) -> RuleViolation:
    return RuleViolation({"errors": errors})  # type: ignore[dict-item]


@extend_schema_view(
    list=extend_schema(summary="Sale lines", description="Filter by agreement, period, ..."),
    retrieve=extend_schema(summary="One sale line"),
)
class SaleLineViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Sale lines: agency staff record them (one or a list, all-or-nothing); brands read."""

    queryset = SaleLine.objects.select_related("product", "promotion").order_by("-sold_on", "-pk")
    serializer_class = SaleLineSerializer
    filterset_class = SaleLineFilter
    brand_path = "agreement__brand"

    @extend_schema(
        summary="Record one sale line or a list of them (all-or-nothing)",
        request=SALE_INPUT,
        responses={
            201: SALE_OUTPUT,
            200: OpenApiResponse(SALE_OUTPUT, description="Every line was already stored"),
            400: OpenApiResponse(description='`{"field": [...]}` or bulk `{"errors": [...]}`'),
            404: OpenApiResponse(description="The agreement is not in your scope"),
            409: OpenApiResponse(description="An external_ref exists with other content"),
        },
        examples=[
            OpenApiExample(
                "One line",
                request_only=True,
                value={
                    "agreement": 3,
                    "product": "TEA-1",
                    "sold_on": "2026-08-05",
                    "quantity": 100,
                    "unit_price": "199.00",
                    "tax": "1990.00",
                    "logistics": "600.00",
                    "channel": "tmall",
                    "external_ref": "TM-20260805-001",
                },
            )
        ],
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        if isinstance(data, dict):
            return self._create_one(request, data)
        if not isinstance(data, list):
            raise RuleViolation({"non_field_errors": [BODY_NOT_OBJECT_OR_LIST]})
        return self._create_many(request, data)

    def _create_one(self, request: Request, row: dict[str, Any]) -> Response:
        pk = self._agreement_id(row)
        if isinstance(pk, str):
            raise RuleViolation({"agreement": [pk]})
        agreement = agreement_in_scope(request.user, pk)
        try:
            recorded = sale_line_record_service(agreement=agreement, data=row, by=request.user)
        except ArithmeticError as error:
            raise RuleViolation(_unreadable(agreement, [row])[0]) from error
        return Response(
            SaleLineSerializer(recorded.line).data,
            status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK,
        )

    def _create_many(self, request: Request, rows: list[Any]) -> Response:
        if not rows:
            raise RuleViolation({"non_field_errors": [EMPTY_LIST]})
        if len(rows) > MAX_LINES_PER_REQUEST:
            raise RuleViolation(
                {"non_field_errors": [TOO_MANY_LINES.format(max=MAX_LINES_PER_REQUEST)]}
            )
        problems: list[dict[str, Any]] = []
        groups: dict[int, list[int]] = defaultdict(list)  # agreement id -> row indexes
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                problems.append({"index": index, "non_field_errors": [ITEM_NOT_OBJECT]})
                continue
            pk = self._agreement_id(row)
            if isinstance(pk, str):
                problems.append({"index": index, "agreement": [pk]})
                continue
            groups[pk].append(index)
        if problems:
            raise _indexed_errors(problems)
        agreements = {pk: agreement_in_scope(request.user, pk) for pk in groups}
        results: dict[int, Any] = {}
        with transaction.atomic():
            for pk, indexes in groups.items():
                try:
                    recorded = sale_lines_record_service(
                        agreement=agreements[pk], rows=[rows[i] for i in indexes], by=request.user
                    )
                except RuleViolation as error:
                    if "errors" not in error.errors:
                        raise  # not about rows: the whole request is refused as it says
                    # Renumber each group's errors with the indexes of the whole list.
                    for problem in error.errors["errors"]:  # type: ignore[union-attr]
                        problems.append({**problem, "index": indexes[problem["index"]]})  # type: ignore[index]
                    continue
                except ArithmeticError:
                    group = _unreadable(agreements[pk], [rows[i] for i in indexes])
                    problems.extend(
                        {"index": indexes[position], **errors} for position, errors in group.items()
                    )
                    continue
                results.update(zip(indexes, recorded, strict=True))
            if problems:
                raise _indexed_errors(sorted(problems, key=lambda p: p["index"]))
        ordered = [results[i] for i in range(len(rows))]
        created = any(r.created for r in ordered)
        # Replayed lines come back without their product: load all lines in one query.
        lines = self.get_queryset().in_bulk([r.line.pk for r in ordered])
        return Response(
            SaleLineSerializer([lines[r.line.pk] for r in ordered], many=True).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @staticmethod
    def _agreement_id(row: dict[str, Any]) -> int | str:
        """The row's agreement id, or the message saying what is wrong with it."""
        value = row.get("agreement")
        if value is None or value == "":
            return msg.REQUIRED
        pk = id_value(value)
        return NOT_AN_ID if pk is None else pk

    @extend_schema(
        summary="Import a CSV or XLSX file of sale lines (all-or-nothing)",
        request={"multipart/form-data": SalesImportRequestSerializer},
        responses={
            201: SalesImportSerializer,
            202: OpenApiResponse(
                SalesImportSerializer,
                description="A larger file: accepted, imported by a worker; poll `url`",
            ),
            400: OpenApiResponse(
                description="The file was rejected and nothing was written: the import as "
                'in 201 with `"status": "rejected"` and `errors` as `{"row", "column", '
                '"message", "text"}` (row 1 is the header); or `{"field": ["message"]}` '
                "for a missing file or agreement"
            ),
            404: OpenApiResponse(description="The agreement is not in your scope"),
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
        """Validate the whole file, then write every line or none. A small file runs in
        the request; a larger one is answered 202 and runs in a worker (poll ``url``)."""
        form = SalesImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        agreement = agreement_in_scope(request.user, form.validated_data["agreement"])
        upload = form.validated_data["file"]
        in_worker = (upload.size or 0) > SYNC_IMPORT_MAX_BYTES
        sales_import = sales_import_create(
            agreement=agreement, uploaded_file=upload, by=request.user, enqueue=in_worker
        )
        context = {"request": request}
        if in_worker:
            return Response(
                SalesImportSerializer(sales_import, context=context).data,
                status=status.HTTP_202_ACCEPTED,
            )
        sales_import = sales_import_run(sales_import=sales_import)
        answer = {
            SalesImport.Status.DONE: status.HTTP_201_CREATED,
            SalesImport.Status.REJECTED: status.HTTP_400_BAD_REQUEST,
        }.get(sales_import.status, status.HTTP_500_INTERNAL_SERVER_ERROR)
        return Response(SalesImportSerializer(sales_import, context=context).data, status=answer)

    @extend_schema(
        summary="An import's status, counts and errors (poll after a 202)",
        responses={
            200: SalesImportSerializer,
            404: OpenApiResponse(description="Not in your scope"),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"import/(?P<import_id>[0-9]{1,12})",
        url_name="import-status",
    )
    def import_status(self, request: Request, import_id: str = "") -> Response:
        sales_import = SalesImport.objects.filter(
            pk=int(import_id), agreement__in=agreements_in_scope(request.user)
        ).first()
        if sales_import is None:
            raise NotFound(IMPORT_NOT_FOUND)
        return Response(SalesImportSerializer(sales_import, context={"request": request}).data)
