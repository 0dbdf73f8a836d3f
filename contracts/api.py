"""REST API for products and agreements (see shared/API.md).

ROUTES is registered by config/api_urls.py. Creation and every state change go through
``contracts.services`` so defaults and rules are the services'; a rule broken is 400 with
field keys (``terms.agency_ratio``), a state that forbids the change is 409.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.validators import MinValueValidator
from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import ISO_8601, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.models import BankAccount, Organization
from accounts.selectors import organizations_for_user
from common import clock
from common.api.fields import IdFilter, MoneyField, RateField
from common.api.idempotency import idempotent
from common.api.permissions import BrandFinanceOrStaff, is_agency_side
from common.api.scoping import ScopedViewSetMixin
from contracts import validation as msg
from contracts.models import Agreement, Installment, Party, Product
from contracts.selectors import product_prices_on
from contracts.services import (
    agreement_activate,
    agreement_create,
    agreement_terminate,
    agreement_update,
    product_price_set,
    renewal_objection_record,
)
from core.exceptions import InvalidStateError, RuleViolation
from core.periods import renewal_objection_deadline

ZERO = Decimal("0")
PRICE_FIELDS = ("factory_price", "distributor_price", "min_retail_price")

SKU_TAKEN = "该品牌方已有此 SKU。/ This brand already has a product with this SKU."
BRAND_FIXED = "产品创建后不能更换品牌方。/ A product cannot move to another brand."
VALID_FROM_WITHOUT_PRICES = (
    "valid_from 只能与价格一起提交。/ valid_from is only accepted together with prices."
)
AGREEMENT_NOT_EDITABLE = msg.NOT_EDITABLE
KIND_FIXED = "协议类型创建后不能更改。/ An agreement's kind cannot be changed."
TERMS_NOT_OBJECT = "terms 必须是对象。/ terms must be a JSON object."
UNKNOWN_TERM = msg.UNKNOWN_TERM
BRAND_OBJECTS_AS_BRAND = (
    "品牌方用户只能以甲方（brand）名义提出异议。/ A brand user can only object as the brand."
)


def _user_of(serializer: serializers.BaseSerializer) -> Any:
    """The caller, or None while the schema is generated without a request."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class RatioField(RateField):
    """A fraction with at least two decimals, as the contract templates write it ("0.30")."""

    def to_representation(self, value: Any) -> str:
        whole, _, fraction = super().to_representation(value).partition(".")
        return f"{whole}.{fraction.ljust(2, '0')}"


class PartyField(serializers.ChoiceField):
    """Who is bound by a clause (exclusivity, confidentiality): none, brand, agency, both."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Party.choices, **kwargs)


class PartyFieldSchema(OpenApiSerializerFieldExtension):
    """One ``PartyEnum`` component for both clause fields: the auto schema would name the
    same choice set twice (ExclusivityPartyEnum, ConfidentialityPartyEnum) and warn."""

    target_class = "contracts.api.PartyField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        component = ResolvedComponent(
            name="PartyEnum",
            type=ResolvedComponent.SCHEMA,
            object="contracts.models.Party",
            schema={
                "type": "string",
                "enum": list(Party.values),
                "description": "; ".join(f"`{v}` - {label}" for v, label in Party.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref  # type: ignore[no-any-return]


# --- products ---------------------------------------------------------------------------


def _price(**kwargs: Any) -> MoneyField:
    return MoneyField(validators=[MinValueValidator(ZERO, message=msg.NEGATIVE_PRICE)], **kwargs)


class ProductSerializer(serializers.ModelSerializer):
    brand = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    factory_price = _price(help_text="出厂价, valid today.")
    distributor_price = _price(help_text="经销价, valid today.")
    min_retail_price = _price(help_text="最低零售价, valid today.")
    valid_from = serializers.DateField(
        write_only=True,
        required=False,
        help_text=(
            "On PATCH with prices: the day the new prices apply from (default today). "
            "Earlier prices stay in the history for back-dated sales."
        ),
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "brand",
            "sku",
            "name",
            "factory_price",
            "distributor_price",
            "min_retail_price",
            "units_per_carton",
            "valid_from",
        ]
        validators: list[Any] = []  # (brand, sku) is checked in validate() with a field key

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["brand"].queryset = organizations_for_user(user=_user_of(self)).filter(  # type: ignore[attr-defined]
            kind=Organization.Kind.BRAND
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Product | None = self.instance
        if instance is not None and "brand" in attrs and attrs["brand"] != instance.brand:
            raise serializers.ValidationError({"brand": [BRAND_FIXED]})
        if instance is not None and "valid_from" in attrs:
            if not any(name in attrs for name in PRICE_FIELDS):
                raise serializers.ValidationError({"valid_from": [VALID_FROM_WITHOUT_PRICES]})
        brand = attrs.get("brand", instance.brand if instance else None)
        sku = attrs.get("sku", instance.sku if instance else None)
        taken = Product.objects.filter(brand=brand, sku=sku)
        if instance is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            raise serializers.ValidationError({"sku": [SKU_TAKEN]})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Product:
        validated_data.pop("valid_from", None)  # a new product has no earlier prices
        return Product.objects.create(**validated_data)

    @transaction.atomic
    def update(self, instance: Product, validated_data: dict[str, Any]) -> Product:
        valid_from = validated_data.pop("valid_from", None)
        prices = {name: validated_data.pop(name) for name in PRICE_FIELDS if name in validated_data}
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if prices:
            day = valid_from or clock.today()
            before = product_prices_on(product=instance, day=day)
            product_price_set(
                product=instance,
                valid_from=day,
                by=_user_of(self),
                **{name: prices.get(name, getattr(before, name)) for name in PRICE_FIELDS},
            )
            instance.refresh_from_db()
        return instance


class ProductFilter(filters.FilterSet):
    brand = IdFilter(field_name="brand")
    sku = filters.CharFilter(field_name="sku")

    class Meta:
        model = Product
        fields = ["brand", "sku"]


class ProductViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A brand's products and their current prices; a price change keeps the history."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


# --- agreement terms ----------------------------------------------------------------------


class B2BCommissionTermsSerializer(serializers.Serializer):
    monthly_service_fee = MoneyField(required=False, help_text="外包服务费 per month.")
    min_distributors = serializers.IntegerField(required=False)
    min_cartons = serializers.IntegerField(required=False)
    min_sales_amount = MoneyField(required=False)
    payment_working_days = serializers.IntegerField(
        required=False, help_text="Working days after confirmation (default 5)."
    )
    web_targets_from_month = serializers.IntegerField(required=False)
    min_unique_visitors = serializers.IntegerField(required=False)
    min_daily_inquiries = RateField(max_digits=8, decimal_places=2, required=False)
    min_conversion_rate = RatioField(
        max_digits=6, decimal_places=4, required=False, help_text='A fraction: "0.015" is 1.5%.'
    )


class RevenueShareTermsSerializer(serializers.Serializer):
    agency_ratio = RatioField(
        max_digits=12,  # wide, so that 12 is refused by the range with the domain message
        decimal_places=4,
        min_value=ZERO,
        max_value=Decimal("1"),
        error_messages={"min_value": msg.RATIO_OUT_OF_RANGE, "max_value": msg.RATIO_OUT_OF_RANGE},
        required=False,
        help_text='The agency\'s share of the profit ("0.30").',
    )
    setup_fee = MoneyField(required=False)
    setup_fee_due_days = serializers.IntegerField(required=False)
    setup_fee_penalty_rate_per_day = RateField(required=False)
    issue_by_day = serializers.IntegerField(required=False)
    receipt_working_days = serializers.IntegerField(required=False)
    payment_day = serializers.IntegerField(required=False)
    payment_window_start_day = serializers.IntegerField(required=False)
    payment_working_days = serializers.IntegerField(required=False)
    termination_overdue_days = serializers.IntegerField(required=False)


class InstallmentSerializer(serializers.Serializer):
    percent = RateField(max_digits=8, decimal_places=2, help_text='"50" is half the total fee.')
    due_from = serializers.ChoiceField(choices=Installment.DueFrom.choices, required=False)
    working_days = serializers.IntegerField(required=False, min_value=0, max_value=366)


class ConsultingTermsSerializer(serializers.Serializer):
    total_fee = MoneyField(required=False)
    installments = InstallmentSerializer(
        many=True, required=False, help_text="Adding up to 100; default 50% signing, 50% end."
    )


TERMS_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    Agreement.Kind.B2B_COMMISSION: B2BCommissionTermsSerializer,
    Agreement.Kind.REVENUE_SHARE: RevenueShareTermsSerializer,
    Agreement.Kind.CONSULTING_FIXED_FEE: ConsultingTermsSerializer,
}


def _terms_as_read(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The same terms as answered: every key is always there, so the schema requires them
    (and the three kinds' shapes are then told apart by a oneOf)."""

    def get_fields(self: serializers.Serializer) -> dict[str, serializers.Field]:
        fields = serializer_class.get_fields(self)
        for field in fields.values():
            field.required = True
        return fields

    name = serializer_class.__name__.removesuffix("Serializer")
    read_class = type(f"{name}ReadSerializer", (serializer_class,), {"get_fields": get_fields})
    return extend_schema_serializer(component_name=name)(read_class)  # type: ignore[no-any-return]


TERMS_READ_SERIALIZERS = {kind: _terms_as_read(cls) for kind, cls in TERMS_SERIALIZERS.items()}


def _flatten(errors: Any, prefix: str) -> dict[str, list[str]]:
    """DRF's nested errors as flat keys: ``terms.installments.1.percent``."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for name, value in errors.items():
            path = prefix if name == api_settings.NON_FIELD_ERRORS_KEY else f"{prefix}.{name}"
            flat.update(_flatten(value, path))
        return flat
    if isinstance(errors, list) and any(isinstance(item, dict) for item in errors):
        flat = {}
        for index, item in enumerate(errors):
            if item:
                flat.update(_flatten(item, f"{prefix}.{index}"))
        return flat
    return {prefix: [str(message) for message in errors]}


def terms_parse(*, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Type-check the terms of ``kind``; the services then apply the business rules."""
    serializer_class = TERMS_SERIALIZERS[kind]
    serializer = serializer_class(data=data)
    unknown = sorted(set(data) - set(serializer.fields))
    errors: dict[str, list[str]] = {f"terms.{name}": [UNKNOWN_TERM] for name in unknown}
    if not serializer.is_valid():
        errors.update(_flatten(serializer.errors, "terms"))
    if errors:
        raise serializers.ValidationError(errors)
    return {
        name: [dict(item) for item in value] if name == "installments" else value
        for name, value in serializer.validated_data.items()
    }


@contextmanager
def _terms_keys() -> Iterator[None]:
    """Installments live under ``terms`` in the API; say so in the service's error keys."""
    try:
        yield
    except RuleViolation as error:
        raise RuleViolation(
            {
                (f"terms.{name}" if name.startswith("installments") else name): messages
                for name, messages in error.errors.items()
            }
        ) from error


class TermsField(serializers.Field):
    """The terms of the agreement's kind as one object (see shared/API.md)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, agreement: Agreement) -> dict[str, Any] | None:
        terms = agreement.terms
        if terms is None:
            return None
        if agreement.kind == Agreement.Kind.CONSULTING_FIXED_FEE:
            terms = SimpleNamespace(
                total_fee=terms.total_fee,  # type: ignore[union-attr]
                installments=list(agreement.installments.all()),
            )
        return dict(TERMS_READ_SERIALIZERS[agreement.kind](terms).data)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(TERMS_NOT_OBJECT)
        return {"terms": data}


class TermsFieldSchema(OpenApiSerializerFieldExtension):
    """Answers: exactly one of the three kinds' terms (all keys present), or null. Requests:
    any of them, every key optional (left-out keys take the template defaults)."""

    target_class = "contracts.api.TermsField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        if direction == "response":
            refs = [
                auto_schema.resolve_serializer(cls, direction).ref
                for cls in TERMS_READ_SERIALIZERS.values()
            ]
            return {"oneOf": refs, "nullable": True}
        refs = [
            auto_schema.resolve_serializer(cls, direction).ref for cls in TERMS_SERIALIZERS.values()
        ]
        return {"anyOf": refs}


# --- agreements -------------------------------------------------------------------------


class AgreementSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=Agreement.Kind.choices,
        error_messages={"invalid_choice": msg.UNKNOWN_KIND.replace("{kind}", "{input}")},
    )
    brand = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        required=False,
        help_text="Default: the agency that serves the brand.",
    )
    bank_account = serializers.PrimaryKeyRelatedField(
        queryset=BankAccount.objects.none(),
        required=False,
        allow_null=True,
        help_text="The agency's payee account. Default: the agency's primary account.",
    )
    products = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.none(), many=True, required=False
    )
    penalty_rate_per_day = RateField(
        required=False,
        help_text='Per day, a fraction. Default by kind: revenue share "0.003", consulting '
        '"0.005", B2B "0".',
    )
    exclusivity_party = PartyField(required=False)
    confidentiality_party = PartyField(required=False)
    terms = TermsField(
        required=False,
        help_text="The terms of the agreement's kind; left-out keys take the template defaults.",
    )

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "kind",
            "brand",
            "agency",
            "title",
            "signed_on",
            "starts_on",
            "ends_on",
            "status",
            "auto_renew",
            "renewal_term_months",
            "renewal_notice_months",
            "penalty_rate_per_day",
            "bank_account",
            "terms",
            "products",
            "exclusivity_party",
            "exclusivity_scope",
            "confidentiality_party",
            "confidentiality_years",
            "terminated_on",
            "termination_reason",
            "renewal_count",
            "notes",
        ]
        read_only_fields = ["status", "terminated_on", "termination_reason", "renewal_count"]
        # ISO 8601 pads every year to four digits; the DATE_FORMAT strftime does not.
        extra_kwargs = {
            **{
                name: {"format": ISO_8601}
                for name in ("signed_on", "starts_on", "ends_on", "terminated_on")
            },
            # The model takes 0..32767; a term of 0 or a notice of years breaks the month
            # arithmetic of renewals (core.periods raises), so the API keeps them sane.
            "renewal_term_months": {"min_value": 1, "max_value": 120},
            "renewal_notice_months": {"min_value": 0, "max_value": 24},
        }

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        user = _user_of(self)
        organizations = organizations_for_user(user=user)
        fields["brand"].queryset = organizations.filter(kind=Organization.Kind.BRAND)  # type: ignore[attr-defined]
        fields["agency"].queryset = organizations.filter(kind=Organization.Kind.AGENCY)  # type: ignore[attr-defined]
        fields["bank_account"].queryset = BankAccount.objects.filter(  # type: ignore[attr-defined]
            organization__in=organizations
        )
        fields["products"].child_relation.queryset = Product.objects.filter(  # type: ignore[attr-defined]
            brand__in=organizations
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Agreement | None = self.instance
        if instance is not None and "kind" in attrs and attrs["kind"] != instance.kind:
            raise serializers.ValidationError({"kind": [KIND_FIXED]})
        kind = attrs.get("kind", instance.kind if instance else None)
        if "terms" in attrs:
            attrs["terms"] = terms_parse(kind=kind, data=attrs["terms"])
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Agreement:
        terms = dict(validated_data.pop("terms", None) or {})
        installments = terms.pop("installments", None)
        products = validated_data.pop("products", None)
        brand = validated_data["brand"]
        agency = validated_data.setdefault("agency", brand.agency)
        if "bank_account" not in validated_data and agency is not None:
            validated_data["bank_account"] = agency.primary_bank_account
        with _terms_keys():
            agreement = agreement_create(
                by=_user_of(self),
                terms=terms,
                installments=installments,
                products=products,
                **validated_data,
            )
        return _agreement_fresh(agreement.pk)

    @transaction.atomic
    def update(self, instance: Agreement, validated_data: dict[str, Any]) -> Agreement:
        terms = validated_data.pop("terms", None)
        products = validated_data.pop("products", None)
        with _terms_keys():
            agreement = agreement_update(
                agreement=instance,
                by=_user_of(self),
                fields=validated_data,
                terms=terms,
                products=products,
            )
        return _agreement_fresh(agreement.pk)


def _agreements() -> Any:
    return Agreement.objects.select_related(
        "b2b_terms", "revenue_share_terms", "consulting_terms"
    ).prefetch_related("products", "installments")


def _agreement_fresh(pk: int) -> Agreement:
    return _agreements().get(pk=pk)  # type: ignore[no-any-return]


class TerminateSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="The last day the agreement runs (inclusive).")
    reason = serializers.CharField(allow_blank=True, trim_whitespace=True)


class RenewalObjectionSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="The date of the written objection.")
    by = serializers.ChoiceField(
        choices=[(Party.BRAND.value, "brand"), (Party.AGENCY.value, "agency")],
        error_messages={"invalid_choice": msg.OBJECTION_PARTY},
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RenewalObjectionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agreement = serializers.IntegerField()
    on = serializers.DateField(format=ISO_8601)
    by = serializers.CharField()
    note = serializers.CharField()
    deadline = serializers.DateField(
        format=ISO_8601, help_text="The last day an objection stops this renewal."
    )
    in_time = serializers.BooleanField()


class AgreementFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Agreement.Kind.choices)
    status = filters.ChoiceFilter(choices=Agreement.Status.choices)
    brand = IdFilter(field_name="brand")
    agency = IdFilter(field_name="agency")
    number = filters.CharFilter(field_name="number")

    class Meta:
        model = Agreement
        fields = ["kind", "status", "brand", "agency", "number"]


@extend_schema_view(
    partial_update=extend_schema(
        description="Change a draft agreement and its terms; any other status answers 409."
    ),
)
class AgreementViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Agreements of the three kinds with their terms; created as drafts, then activated."""

    queryset = _agreements()
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> list[Any]:
        if self.action == "object_renewal":
            return [BrandFinanceOrStaff()]
        return super().get_permissions()

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agreement = self.get_object()
        if agreement.status != Agreement.Status.DRAFT:  # state first: 409 before 400
            raise InvalidStateError(AGREEMENT_NOT_EDITABLE.format(status=agreement.status))
        return super().update(request, *args, **kwargs)

    def _agreement_response(self, agreement: Agreement) -> Response:
        serializer = self.get_serializer(_agreement_fresh(agreement.pk))
        return Response(serializer.data)

    @extend_schema(request=None, responses={200: AgreementSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: Any = None) -> Response:
        """Draft → active (staff). 409 unless draft; 400 if something is missing."""
        agreement = agreement_activate(agreement=self.get_object(), by=request.user)
        return self._agreement_response(agreement)

    @extend_schema(request=TerminateSerializer, responses={200: AgreementSerializer})
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: Any = None) -> Response:
        """Active → terminated on ``on`` with a reason (staff). 409 unless active."""
        agreement = self.get_object()
        body = TerminateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = agreement_terminate(
            agreement=agreement,
            on=body.validated_data["on"],
            reason=body.validated_data["reason"],
            by=request.user,
        )
        return self._agreement_response(agreement)

    @extend_schema(
        request=RenewalObjectionSerializer, responses={201: RenewalObjectionResultSerializer}
    )
    @action(detail=True, methods=["post"], url_path="object-renewal")
    def object_renewal(self, request: Request, pk: Any = None) -> Response:
        """Record a written objection to automatic renewal, with its date.

        Brand finance (as "brand") or staff (either side). 409 if it does not auto-renew.
        """
        agreement = self.get_object()
        body = RenewalObjectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        by_party = body.validated_data["by"]
        if not is_agency_side(request.user) and by_party != Party.BRAND:
            raise serializers.ValidationError({"by": [BRAND_OBJECTS_AS_BRAND]})
        objection = renewal_objection_record(
            agreement=agreement,
            on=body.validated_data["on"],
            by_party=by_party,
            note=body.validated_data["note"],
            by=request.user,
        )
        deadline: date = renewal_objection_deadline(
            ends_on=agreement.ends_on, notice_months=agreement.renewal_notice_months
        )
        data = {
            "id": objection.pk,
            "agreement": agreement.pk,
            "on": objection.objected_on,
            "by": objection.by_party,
            "note": objection.note,
            "deadline": deadline,
            "in_time": objection.objected_on <= deadline,
        }
        return Response(RenewalObjectionResultSerializer(data).data, status=status.HTTP_201_CREATED)


ROUTES: list[tuple[str, Any, str]] = [
    ("products", ProductViewSet, "product"),
    ("agreements", AgreementViewSet, "agreement"),
]
