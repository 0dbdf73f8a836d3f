"""The webhooks in the staff admin: an agency's subscriptions, each with its delivery log
and a "Send a test event" button.

The secret is a password field that never shows what is stored (empty keeps it); lists
show a URL without its query, where a robot's key or token sits. Saves go through
``integrations.services`` like the API's.
"""

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminPasswordWidget,
    UnfoldAdminURLInputWidget,
)

from accounts.models import Organization
from common.admin_helpers import ScopedAdminMixin, ScopedInlineMixin, add_domain_error
from common.api.fields import id_value
from common.i18n import one_language
from core.exceptions import RuleViolation
from integrations import selectors, services
from integrations.catalogue import EVENT_CHOICES, WEBHOOK_EVENTS
from integrations.models import WebhookDelivery, WebhookSubscription


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        widget=UnfoldAdminURLInputWidget,
        help_text=_(
            "http(s) only; private, loopback and link-local addresses are refused. For a "
            "group robot, paste the robot's webhook address."
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=EVENT_CHOICES,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=_("What to send."),
    )
    secret = forms.CharField(
        label=_("secret"),
        required=False,
        max_length=200,
        strip=True,
        widget=UnfoldAdminPasswordWidget(
            render_value=False, attrs={"autocomplete": "new-password"}
        ),
        help_text=_(
            "Never shown again once saved; leave empty to keep the stored one. JSON: the "
            "signing key (16 characters or more). DingTalk: the robot's signing secret "
            "(starts with SEC), if its security setting signs. WeCom: not used."
        ),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["organization", "name", "url", "format", "events", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organization" in self.fields:
            self.fields["organization"].queryset = self.fields["organization"].queryset.filter(
                kind=Organization.Kind.AGENCY
            )
        if self.instance.pk and self.instance.secret:
            self.fields["secret"].widget.attrs["placeholder"] = gettext(
                "(stored: leave empty to keep)"
            )

    def clean(self):
        data = super().clean()
        secret = data.get("secret") or self.instance.secret or ""
        try:
            services.webhook_subscription_clean(
                url=data.get("url") or "",
                events=data.get("events") or [],
                format=data.get("format") or "",
                secret=secret,
            )
        except RuleViolation as refused:
            for key in list(refused.errors):
                if key in self.errors:  # the field's own error already says it
                    refused.errors.pop(key)
            add_domain_error(self, RuleViolation(refused.errors) if refused.errors else refused)
        return data


class WebhookDeliveryInline(ScopedInlineMixin, TabularInline):
    """The delivery log: one row per event, with its tries and the last answer."""

    model = WebhookDelivery
    extra = 0
    max_num = 0
    can_delete = False
    per_page = 10
    verbose_name = _("delivery")
    verbose_name_plural = _("delivery log")
    fields = [
        "created_at",
        "event_label",
        "event_id",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
    ]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("event"))
    def event_label(self, delivery):
        label = WEBHOOK_EVENTS.get(delivery.event_type)
        return label if label is not None else gettext("Test event")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ScopedAdminMixin, ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = [
        "display_name",
        "organization",
        "format",
        "event_count",
        "active",
        "consecutive_failures",
        "updated_at",
    ]
    list_filter = ["format", "active", "organization"]
    search_fields = ["name", "url"]
    inlines = [WebhookDeliveryInline]
    actions_detail = ["send_test_event"]
    readonly_fields = ["consecutive_failures", "disabled_at", "created_by", "created_at"]

    def get_queryset(self, request):
        return selectors.subscriptions_for(request.user)

    def get_fields(self, request, obj=None):
        fields = ["organization", "name", "url", "format", "events", "secret", "active"]
        if not request.user.is_superuser and obj is None:
            fields.remove("organization")  # staff add webhooks of their own agency
        if obj is not None:
            fields += ["consecutive_failures", "disabled_at", "created_by", "created_at"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("organization")  # fixed once created
        return fields

    def has_delete_permission(self, request, obj=None):
        # A webhook is the agency's configuration (its log goes with it), not history.
        return self._staff(request) or super().has_delete_permission(request, obj)

    @display(description=_("name"), ordering="name")
    def display_name(self, subscription):
        return str(subscription)

    @admin.display(description=_("events"))
    def event_count(self, subscription):
        return len(subscription.events or [])

    def save_model(self, request, obj, form, change):
        values = {key: form.cleaned_data.get(key) for key in ("name", "url", "format", "events")}
        values["active"] = bool(form.cleaned_data.get("active"))
        secret = form.cleaned_data.get("secret") or None  # empty keeps the stored secret
        if change:
            saved = self.service(
                services.webhook_subscription_update,
                subscription=obj,
                by=request.user,
                secret=secret,
                **values,
            )
        else:
            organization = form.cleaned_data.get("organization") or request.user.organization
            saved = self.service(
                services.webhook_subscription_create,
                organization=organization,
                secret=secret or "",
                by=request.user,
                **values,
            )
        obj.pk = saved.pk
        obj.secret = saved.secret
        obj.organization_id = saved.organization_id
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.webhook_subscription_delete(subscription=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            services.webhook_subscription_delete(subscription=subscription, by=request.user)

    # --- "Send a test event" --------------------------------------------------------------

    @action(
        description=_("Send a test event"),
        url_path="send-test",
        icon="send",
        permissions=["change"],
    )
    def send_test_event(self, request, object_id):
        """GET: what the test sends, with a button; POST: send it once and say what the
        receiver answered."""
        pk = id_value(object_id)
        subscription = self.get_queryset(request).filter(pk=pk).first() if pk else None
        if subscription is None:
            raise Http404
        change_url = reverse(
            "admin:integrations_webhooksubscription_change", args=[subscription.pk]
        )
        if request.method == "POST":
            attempt = services.webhook_test_send(subscription=subscription, by=request.user)
            if attempt.ok:
                self.message_user(
                    request,
                    gettext("Test event delivered: HTTP %(status)s in %(ms)s ms.")
                    % {"status": attempt.status_code, "ms": attempt.duration_ms},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    gettext("Test event not delivered: %(error)s")
                    % {"error": one_language(attempt.error) or "—"},
                    messages.ERROR,
                )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": subscription,
            "title": gettext("Send a test event"),
            "subscription": subscription,
            "change_url": change_url,
        }
        return TemplateResponse(
            request, "admin/integrations/webhooksubscription/send_test.html", context
        )
