"""Fields the products and agreements API share: the caller, ratios, clause parties."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from common.api.fields import RateField
from contracts.models import Party


def user_of(serializer: serializers.BaseSerializer) -> Any:
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

    target_class = PartyField

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
