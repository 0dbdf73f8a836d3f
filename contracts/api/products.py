"""A brand's products and their current prices through the API; a price change keeps the
history."""

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import transaction
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organization
from accounts.selectors import organizations_for_user
from common import clock
from common.api.fields import IdFilter, MoneyField
from common.api.idempotency import idempotent
from common.api.scoping import ScopedViewSetMixin
from contracts import validation as msg
from contracts.api.fields import user_of
from contracts.models import Product
from contracts.selectors import product_prices_on
from contracts.services import (
    product_price_set,
)

ZERO = Decimal("0")
PRICE_FIELDS = ("factory_price", "distributor_price", "min_retail_price")

SKU_TAKEN = "该品牌方已有此 SKU。/ This brand already has a product with this SKU."
BRAND_FIXED = "产品创建后不能更换品牌方。/ A product cannot move to another brand."
VALID_FROM_WITHOUT_PRICES = (
    "valid_from 只能与价格一起提交。/ valid_from is only accepted together with prices."
)


def _price(**kwargs: Any) -> MoneyField:
    return MoneyField(validators=[MinValueValidator(ZERO, message=msg.NEGATIVE_PRICE)], **kwargs)


class ProductSerializer(serializers.ModelSerializer):
    brand = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    factory_price = _price(help_text="Factory price (出厂价), valid today.")
    distributor_price = _price(help_text="Distributor price (经销价), valid today.")
    min_retail_price = _price(help_text="Minimum retail price (最低零售价), valid today.")
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
        fields["brand"].queryset = organizations_for_user(user=user_of(self)).filter(  # type: ignore[attr-defined]
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
                by=user_of(self),
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
