"""Agreements of the three kinds through the API: created as drafts, edited while drafts,
activated and terminated by staff; the brand objects to renewals."""

from datetime import date
from typing import Any

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import ISO_8601, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import roles
from accounts.models import BankAccount, Organization
from accounts.selectors import organizations_for_user
from common.api.fields import IdFilter, RateField
from common.api.idempotency import idempotent
from common.api.permissions import BrandFinanceOrStaff
from common.api.scoping import ScopedViewSetMixin
from contracts import validation as msg
from contracts.api.fields import PartyField, user_of
from contracts.api.terms import TermsField, terms_keys, terms_parse
from contracts.models import Agreement, Party, Product
from contracts.services import (
    agreement_activate,
    agreement_create,
    agreement_terminate,
    agreement_update,
    renewal_objection_record,
)
from core.exceptions import InvalidStateError
from core.periods import renewal_objection_deadline

AGREEMENT_NOT_EDITABLE = msg.NOT_EDITABLE
KIND_FIXED = "协议类型创建后不能更改。/ An agreement's kind cannot be changed."
BRAND_OBJECTS_AS_BRAND = (
    "品牌方用户只能以甲方（brand）名义提出异议。/ A brand user can only object as the brand."
)


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
        user = user_of(self)
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
        with terms_keys():
            agreement = agreement_create(
                by=user_of(self),
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
        with terms_keys():
            agreement = agreement_update(
                agreement=instance,
                by=user_of(self),
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


class ActivateSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Activate even though the money terms are blank (a 400 on `confirm` says "
        "which terms are blank and what activation bills).",
    )


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

    @extend_schema(request=ActivateSerializer, responses={200: AgreementSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: Any = None) -> Response:
        """Draft → active (staff). 409 unless draft; 400 if something is missing, or if
        the money terms are blank and ``confirm`` is not true."""
        agreement = self.get_object()
        body = ActivateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = agreement_activate(
            agreement=agreement,
            by=request.user,
            confirm_blank_terms=body.validated_data["confirm"],
        )
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
        if not roles.is_staff_for(request.user, agreement) and by_party != Party.BRAND:
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
