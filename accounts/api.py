"""REST API for organizations, users and API tokens (see shared/API.md).

ROUTES is registered by config/api_urls.py. Staff write, everybody in scope reads; an
object outside the caller's scope answers 404.
"""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.invoicing import INVOICING_FIELDS, invoicing_details_clean
from accounts.models import ApiToken, BankAccount, Organization, User
from accounts.selectors import organizations_for_user, users_for_user
from accounts.tokens import api_token_issue, api_token_revoke
from common.api.fields import IdFilter, NullOnOutput, TrueFalseFilter
from common.api.idempotency import honours_idempotency_key, idempotent
from common.api.permissions import is_agency_side
from common.events import event_record
from common.models import IdempotencyRecord
from core.exceptions import RuleViolation

AGENCY_BY_SUPERUSER_ONLY = (
    "只有超级管理员可以创建代运营方。/ Only a superuser can create an agency organization."
)
KIND_FIXED = "组织类型创建后不能更改。/ An organization's kind cannot be changed."
AGENCY_CHANGE_BY_SUPERUSER_ONLY = "只有超级管理员可以更改品牌方的服务代运营方。/ Only a superuser can move a brand to another agency."
BANK_ACCOUNT_INCOMPLETE = (
    "请填写开户行、户名和账号。/ Give the bank name, the account name and the account number."
)
ROLE_REQUIRED = "请指定角色。/ A role is required."


def _user_of(serializer: serializers.BaseSerializer) -> Any:
    """The caller, or None while the schema is generated without a request."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# --- organizations ----------------------------------------------------------------------


class BankAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankAccount
        fields = ["bank_name", "account_name", "account_number"]


class OrganizationSerializer(serializers.ModelSerializer):
    bank_account = BankAccountSerializer(
        source="primary_bank_account",
        required=False,
        allow_null=True,
        help_text=(
            "The primary receiving account (收款账户). Writing a new account number makes a "
            "new primary account; the old one stays for agreements that name it. null leaves "
            "the accounts as they are."
        ),
    )
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        required=False,
        allow_null=True,
        help_text="For a brand: the agency that serves it (agency staff: always their own).",
    )
    # A brand's invoicing details (开票信息); an agency leaves them empty.
    tax_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text=(
            "The taxpayer ID (纳税人识别号): an 18-character unified social credit code (its "
            "check character is verified) or an old 15-character tax number. Spaces are removed and letters "
            "capitalized."
        ),
    )
    payer_names = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        help_text="Names the brand pays from: at most 20, none empty, none twice.",
    )
    payer_accounts = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        help_text="Bank accounts the brand pays from (spaces removed): at most 20, none twice.",
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "agency",
            "bank_account",
            "contact_email",
            "address",
            "invoice_title",
            "tax_id",
            "invoice_address_phone",
            "invoice_bank_account",
            "payer_names",
            "payer_accounts",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["agency"].queryset = organizations_for_user(user=_user_of(self)).filter(  # type: ignore[attr-defined]
            kind=Organization.Kind.AGENCY
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = _user_of(self)
        instance: Organization | None = self.instance
        if instance is None:
            if not user.is_superuser:
                if attrs.get("kind") == Organization.Kind.AGENCY:
                    raise serializers.ValidationError({"kind": [AGENCY_BY_SUPERUSER_ONLY]})
                # Agency staff create brands for their own agency, whatever was sent.
                attrs["agency"] = user.organization
        else:
            if "kind" in attrs and attrs["kind"] != instance.kind:
                raise serializers.ValidationError({"kind": [KIND_FIXED]})
            if "agency" in attrs and attrs["agency"] != instance.agency and not user.is_superuser:
                raise serializers.ValidationError({"agency": [AGENCY_CHANGE_BY_SUPERUSER_ONLY]})
        candidate = Organization(
            kind=attrs.get("kind", instance.kind if instance else None),
            agency=attrs.get("agency", instance.agency if instance else None),
        )
        candidate.clean()  # brand needs an agency, an agency has none
        try:
            attrs.update(
                invoicing_details_clean(
                    kind=candidate.kind,
                    data={name: attrs[name] for name in INVOICING_FIELDS if name in attrs},
                )
            )
        except RuleViolation as error:
            raise serializers.ValidationError(error.errors) from error
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> Organization:
        account = validated_data.pop("primary_bank_account", None)
        organization = Organization.objects.create(**validated_data)
        if account:
            _primary_account_save(organization, account)
        event_record(
            action="organization.created",
            obj=organization,
            actor=_user_of(self),
            detail={"name": organization.name, "kind": organization.kind},
        )
        return _organization_fresh(organization.pk)

    @transaction.atomic
    def update(self, instance: Organization, validated_data: dict[str, Any]) -> Organization:
        account = validated_data.pop("primary_bank_account", None)
        changed = sorted(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if account:
            _primary_account_save(instance, account)
            changed.append("bank_account")
        event_record(
            action="organization.changed",
            obj=instance,
            actor=_user_of(self),
            detail={"fields": changed},
        )
        return _organization_fresh(instance.pk)


def _organization_fresh(pk: int) -> Organization:
    return Organization.objects.prefetch_related("bank_accounts").get(pk=pk)


def _primary_account_save(organization: Organization, data: dict[str, Any]) -> BankAccount:
    """Make ``data`` the organization's primary account.

    The same account number updates that account's names in place; a different number
    becomes the new primary account and the old one is kept (not primary), because
    agreements may name it as their payee account.
    """
    current = organization.primary_bank_account
    number = data.get("account_number", current.account_number if current else "")
    if current is not None and number == current.account_number:
        for name, value in data.items():
            setattr(current, name, value)
        current.is_primary = True
        current.save()
        return current
    merged = {
        "bank_name": current.bank_name if current else "",
        "account_name": current.account_name if current else "",
        **data,
    }
    missing = [
        name for name in ("bank_name", "account_name", "account_number") if not merged.get(name)
    ]
    if missing:
        raise serializers.ValidationError(
            {"bank_account": {name: [BANK_ACCOUNT_INCOMPLETE] for name in missing}}
        )
    organization.bank_accounts.update(is_primary=False)
    account = organization.bank_accounts.filter(account_number=number).first()
    account = account or BankAccount(organization=organization, account_number=number)
    account.bank_name = merged["bank_name"]
    account.account_name = merged["account_name"]
    account.is_primary = True
    account.save()
    return account


class OrganizationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Organization.Kind.choices)
    agency = IdFilter(field_name="agency")
    name = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Organization
        fields = ["kind", "agency", "name"]


class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Agencies and brands. Staff write: agency staff add brands for their own agency and
    edit what they see; only superusers add agencies."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return organizations_for_user(user=self.request.user).prefetch_related("bank_accounts")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


# --- users ------------------------------------------------------------------------------


class OutputNullablePrimaryKeyField(NullOnOutput, serializers.PrimaryKeyRelatedField):
    pass


class OutputNullableChoiceField(NullOnOutput, serializers.ChoiceField):
    pass


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Checked by the password rules; leave out for a token-only integration user.",
    )
    # Required here; null for a superuser, who has neither.
    organization = OutputNullablePrimaryKeyField(queryset=Organization.objects.none())
    role = OutputNullableChoiceField(
        choices=User.Role.choices, error_messages={"required": ROLE_REQUIRED}
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "password",
            "organization",
            "role",
            "is_active",
            "date_joined",
        ]
        read_only_fields = ["is_active", "date_joined"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["organization"].queryset = organizations_for_user(user=_user_of(self))  # type: ignore[attr-defined]
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        password = attrs.pop("password", None)
        candidate = User(**attrs)
        candidate.clean()  # the role must fit the organization's kind
        if password is not None:
            try:
                password_validation.validate_password(password, user=candidate)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"password": list(error.messages)}) from error
        attrs["password"] = password
        return attrs

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> User:
        password = validated_data.pop("password", None)
        user = User(**validated_data)
        # Agency staff work in the admin, which needs is_staff; brand users never do.
        user.is_staff = user.role == User.Role.AGENCY_STAFF
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        event_record(
            action="user.created",
            obj=user,
            actor=_user_of(self),
            detail={"username": user.username, "role": user.role},
        )
        return user


class UserFilter(filters.FilterSet):
    organization = IdFilter(field_name="organization")
    role = filters.ChoiceFilter(choices=User.Role.choices)
    username = filters.CharFilter(field_name="username")

    class Meta:
        model = User
        fields = ["organization", "role", "username"]


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """People and integrations; staff provision them in organizations they see."""

    serializer_class = UserSerializer
    filterset_class = UserFilter

    def get_queryset(self) -> Any:
        return users_for_user(user=self.request.user).order_by("username")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)


# --- API tokens -------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class ApiTokenIssueSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["user"].queryset = users_for_user(user=_user_of(self))  # type: ignore[attr-defined]
        return fields


class IssuedApiTokenSerializer(serializers.Serializer):
    """The new token with its key: the only time the key is ever shown."""

    id = serializers.IntegerField()
    key = serializers.CharField(
        required=False,
        help_text="Shown once. A replay of the same Idempotency-Key answers without it.",
    )
    user = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApiTokenFilter(filters.FilterSet):
    user = IdFilter(field_name="user")
    revoked = TrueFalseFilter(method="filter_revoked")

    class Meta:
        model = ApiToken
        fields = ["user", "revoked"]

    def filter_revoked(self, queryset: Any, name: str, value: bool) -> Any:
        return queryset.filter(revoked_at__isnull=not value)


@extend_schema_view(
    create=extend_schema(
        request=ApiTokenIssueSerializer,
        responses={201: IssuedApiTokenSerializer},
        description="Issue a key for a user in your scope. The key is in this answer only.",
    ),
    destroy=extend_schema(responses={204: None}, description="Revoke the token (kept, dated)."),
)
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Integration keys. Staff issue and revoke them for users they see; only the key's
    hash is stored. Brand users see none."""

    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilter

    def get_queryset(self) -> Any:
        user = self.request.user
        if not is_agency_side(user):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user__in=users_for_user(user=user))

    @honours_idempotency_key  # through _issue
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self._issue(request)
        key = request.headers.get("Idempotency-Key", "").strip()
        if key and response.status_code == status.HTTP_201_CREATED:
            # The Idempotency-Key record must not keep the key in clear: only its hash is
            # ever stored, so a replay answers the same token without its key.
            body = {name: value for name, value in response.data.items() if name != "key"}
            IdempotencyRecord.objects.filter(user=request.user, key=key[:200]).update(body=body)
        return response

    @idempotent
    def _issue(self, request: Request) -> Response:
        serializer = ApiTokenIssueSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        issued = api_token_issue(
            user=serializer.validated_data["user"],
            by=request.user,
            name=serializer.validated_data["name"],
        )
        token = issued.token
        data = {
            "id": token.pk,
            "key": issued.key,
            "user": token.user_id,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": serializers.DateTimeField().to_representation(token.created_at),
        }
        return Response(data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_token_revoke(token=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Schema of ``Authorization: Token <key>`` for our hashed keys; without it the schema
    has two different "tokenAuth" components (DRF's and ours)."""

    target_class = "accounts.tokens.ApiTokenAuthentication"
    name = "apiTokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'API key: "Token <key>" (issued at tokens/ or in the admin).',
        }


ROUTES: list[tuple[str, Any, str]] = [
    ("organizations", OrganizationViewSet, "organization"),
    ("users", UserViewSet, "user"),
    ("tokens", ApiTokenViewSet, "token"),
]
