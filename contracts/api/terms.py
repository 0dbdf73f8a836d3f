"""An agreement's terms in the API: one object of the agreement's kind, read whole and
written key by key (left-out keys take the template defaults)."""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import (
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.settings import api_settings

from common.api.fields import MoneyField, RateField
from contracts import validation as msg
from contracts.api.fields import RatioField
from contracts.models import Agreement, Installment
from core.exceptions import RuleViolation

ZERO = Decimal("0")
TERMS_NOT_OBJECT = "terms 必须是对象。/ terms must be a JSON object."
UNKNOWN_TERM = msg.UNKNOWN_TERM


class CommonTermsSerializer(serializers.Serializer):
    """The terms every kind shares."""

    vat_rate = serializers.ChoiceField(
        choices=["0.06", "0.03", "0.01", "0"],
        required=False,
        error_messages={"invalid_choice": msg.VAT_RATE_NOT_ALLOWED},
        help_text='The VAT rate of the agency\'s invoices: "0.06" (default), "0.03", "0.01" or "0". '
        "Statements show their total split at this rate; it never changes what is owed.",
    )
    invoice_before_payment = serializers.BooleanField(
        required=False,
        help_text="Payment falls due only after an invoice for the full total (default false).",
    )
    invoice_payment_working_days = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=366,
        help_text="With invoice_before_payment: working days after the invoice (default 5).",
    )
    cure_days = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=366,
        help_text="Calendar days to cure a breach after a written notice (default 15).",
    )

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)
        if "vat_rate" in values:
            values["vat_rate"] = Decimal(values["vat_rate"])
        return values

    def to_representation(self, instance: Any) -> Any:
        values = super().to_representation(instance)
        if values.get("vat_rate") is not None:
            values["vat_rate"] = _rate_text(Decimal(str(values["vat_rate"])))
        return values


def _rate_text(rate: Decimal) -> str:
    """``0.06`` as "0.06" and ``0.00`` as "0", the choices' own spelling."""
    return "0" if rate == 0 else f"{rate:.2f}"


class B2BCommissionTermsSerializer(CommonTermsSerializer):
    monthly_service_fee = MoneyField(
        required=False, help_text="The monthly service fee (外包服务费)."
    )
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
    dispute_reply_working_days = serializers.IntegerField(
        required=False, help_text="The agency answers a dispute within this many working days (5)."
    )


class RevenueShareTermsSerializer(CommonTermsSerializer):
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
    dispute_reply_working_days = serializers.IntegerField(
        required=False, help_text="The agency answers a dispute within this many working days (5)."
    )


class InstallmentSerializer(serializers.Serializer):
    percent = RateField(max_digits=8, decimal_places=2, help_text='"50" is half the total fee.')
    due_from = serializers.ChoiceField(choices=Installment.DueFrom.choices, required=False)
    working_days = serializers.IntegerField(required=False, min_value=0, max_value=366)


class ConsultingTermsSerializer(CommonTermsSerializer):
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
def terms_keys() -> Iterator[None]:
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
                **{name: getattr(terms, name) for name in CommonTermsSerializer().fields},
            )
        return dict(TERMS_READ_SERIALIZERS[agreement.kind](terms).data)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(TERMS_NOT_OBJECT)
        return {"terms": data}


class TermsFieldSchema(OpenApiSerializerFieldExtension):
    """Answers: exactly one of the three kinds' terms (all keys present), or null. Requests:
    any of them, every key optional (left-out keys take the template defaults)."""

    target_class = TermsField

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
