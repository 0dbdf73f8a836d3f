"""REST API of the webhooks (API.md ``webhooks/``): staff manage their agency's
subscriptions, read each one's delivery log and send it a test event.

Brand users are refused (403) on every route; another agency's webhook answers 404 like
a missing one. The secret is write-only: no response shows it, ``has_secret`` says
whether one is stored.
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.fields import IdField
from common.api.idempotency import idempotent
from common.api.permissions import is_agency_side
from core.exceptions import RuleViolation
from core.messages import STAFF_ONLY
from integrations import messages as msg
from integrations import selectors, services
from integrations.catalogue import EVENT_CHOICES
from integrations.models import WebhookAttempt, WebhookSubscription

TAGS = ["webhooks"]
# Every operation may answer 403: webhooks are the agency side's (brand users are refused).
FORBIDDEN = {403: OpenApiResponse(description="Brand users may not read or manage webhooks")}


class StaffOnly(permissions.BasePermission):
    """Agency staff and superusers; brand users are refused (403) on every route."""

    message = STAFF_ONLY

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and is_agency_side(user))


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    agency = IdField(
        source="organization_id",
        required=False,
        help_text="The agency whose events are sent. Agency staff: their own (the default); "
        "a superuser names it. Fixed once created.",
    )
    url = serializers.URLField(
        max_length=500,
        help_text="http(s) only; private, loopback and link-local addresses are refused. For "
        "a WeCom or DingTalk robot: the robot's webhook address.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        allow_empty=False,
        max_length=len(EVENT_CHOICES),
        help_text="The event types to send.",
    )
    format = serializers.ChoiceField(
        choices=WebhookSubscription.Format.choices,
        help_text='"json": the signed body; "wecom"/"dingtalk": a group robot\'s markdown message.',
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        trim_whitespace=True,
        help_text="Write-only, never shown again. json: the HMAC key of X-Signature (16+ "
        "characters, required); dingtalk: the robot's SEC... signing secret (optional); "
        "wecom: not used. Leave out on PATCH to keep it.",
    )
    has_secret = serializers.SerializerMethodField(help_text="Whether a secret is stored.")

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "agency",
            "name",
            "url",
            "events",
            "format",
            "secret",
            "has_secret",
            "active",
            "consecutive_failures",
            "disabled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "has_secret",
            "consecutive_failures",
            "disabled_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"name": {"required": False}, "active": {"required": False}}

    def get_has_secret(self, subscription: WebhookSubscription) -> bool:
        return bool(subscription.secret)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="delivery.event_id", read_only=True)
    type = serializers.CharField(
        source="delivery.event_type", read_only=True, help_text='An event type, or "webhook.test".'
    )
    attempt = serializers.IntegerField(
        source="number", read_only=True, help_text="1 for the first try."
    )
    error = serializers.CharField(
        read_only=True, help_text="The receiver's answer or the error (first 500 characters)."
    )
    delivered = serializers.BooleanField(source="ok", read_only=True)

    class Meta:
        model = WebhookAttempt
        fields = [
            "id",
            "event_id",
            "type",
            "attempt",
            "status_code",
            "error",
            "delivered",
            "duration_ms",
            "at",
        ]
        read_only_fields = fields


def _agency(request: Request, pk: int | None) -> Any:
    """The agency a new webhook belongs to, in the caller's scope (else 404)."""
    user = request.user
    if pk is None:
        if user.is_superuser:  # type: ignore[union-attr]
            raise RuleViolation({"agency": [msg.AGENCY_REQUIRED]})
        return user.organization  # type: ignore[union-attr]
    found = user.visible_organizations().filter(pk=pk).first()  # type: ignore[union-attr]
    if found is None:
        raise NotFound(msg.AGENCY_NOT_FOUND)
    return found


FIELDS = ("name", "url", "events", "format", "secret", "active")


@extend_schema_view(
    list=extend_schema(
        summary="Webhooks of your agency",
        tags=TAGS,
        responses={200: WebhookSubscriptionSerializer(many=True), **FORBIDDEN},
    ),
    retrieve=extend_schema(
        summary="One webhook",
        tags=TAGS,
        responses={200: WebhookSubscriptionSerializer, **FORBIDDEN},
    ),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Webhooks: where an agency's events are posted (signed JSON, or a WeCom or DingTalk
    group robot)."""

    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [StaffOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.subscriptions_for(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(
        summary="Add a webhook (staff)",
        tags=TAGS,
        responses={
            201: WebhookSubscriptionSerializer,
            400: OpenApiResponse(
                description="A refused URL, no events, a json webhook without a secret"
            ),
            404: OpenApiResponse(description="The agency is not in your scope"),
            **FORBIDDEN,
        },
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = self.get_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        subscription = services.webhook_subscription_create(
            organization=_agency(request, values.get("organization_id")),
            by=request.user,
            **{key: values[key] for key in FIELDS if key in values},
        )
        return Response(self.get_serializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a webhook (staff)",
        tags=TAGS,
        responses={
            200: WebhookSubscriptionSerializer,
            400: OpenApiResponse(description="A refused URL, no events, a changed agency"),
            **FORBIDDEN,
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        form = self.get_serializer(subscription, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        changes = {key: values[key] for key in FIELDS if key in values}
        if (
            values.get("organization_id", subscription.organization_id)
            != subscription.organization_id
        ):
            raise RuleViolation({"agency": [msg.AGENCY_FIXED]})
        subscription = services.webhook_subscription_update(
            subscription=subscription, by=request.user, **changes
        )
        return Response(self.get_serializer(subscription).data)

    @extend_schema(
        summary="Delete a webhook and its delivery log (staff)",
        tags=TAGS,
        responses={204: None, **FORBIDDEN},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.webhook_subscription_delete(subscription=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The delivery log: one row per try, newest first",
        tags=TAGS,
        responses={200: WebhookAttemptSerializer(many=True), **FORBIDDEN},
    )
    @action(detail=True, methods=["get"], serializer_class=WebhookAttemptSerializer)
    def deliveries(self, request: Request, pk: Any = None) -> Response:
        subscription = self.get_object()
        page = self.paginate_queryset(selectors.attempts_of(subscription))
        return self.get_paginated_response(WebhookAttemptSerializer(page, many=True).data)

    @extend_schema(
        summary="Send a test event now (staff)",
        description="One try, logged with the others, never retried; the answer says "
        "whether the receiver took it.",
        tags=TAGS,
        request=None,
        responses={200: WebhookAttemptSerializer, **FORBIDDEN},
    )
    @action(
        detail=True, methods=["post"], url_path="test", serializer_class=WebhookAttemptSerializer
    )
    def send_test(self, request: Request, pk: Any = None) -> Response:
        subscription = self.get_object()
        attempt = services.webhook_test_send(subscription=subscription, by=request.user)
        return Response(WebhookAttemptSerializer(attempt).data)


ROUTES: list[tuple[str, Any, str]] = [("webhooks", WebhookViewSet, "webhook")]
