from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from common.admin_helpers import ScopedAdminMixin, staff_site_header
from common.models import Event, Holiday

staff_site_header()

# Third-party admins that are not part of the agency's work, and that speak only English:
# the periodic schedule lives in code (CELERY_BEAT_SCHEDULE; beat copies it into its
# tables and would undo edits), and a locked-out login is lifted with django-axes' own
# commands (`manage.py axes_reset_username <name>`, `axes_reset_ip <address>`).
for _app in ("django_celery_beat", "axes"):
    for _model in apps.get_app_config(_app).get_models():
        if admin.site.is_registered(_model):
            admin.site.unregister(_model)


@admin.register(Holiday)
class HolidayAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["is_working_day", ("date", admin.DateFieldListFilter)]
    search_fields = ["name"]
    date_hierarchy = "date"

    def get_queryset(self, request):  # the calendar is shared, not scoped to a brand
        return ModelAdmin.get_queryset(self, request)

    def has_delete_permission(self, request, obj=None):
        return self._staff(request) or super().has_delete_permission(request, obj)


@admin.register(Event)
class EventAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    # The message says what happened in words; the detail is the machine's record of it
    # (codes and raw figures), read through the API's events, not on this page.
    exclude = ["detail"]
    list_display = [
        "at",
        "action_text",
        "object_type",
        "object_id",
        "agreement",
        "actor",
        "message",
    ]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["action", "message", "agreement__number"]
    list_select_related = ["agreement", "actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"), ordering="action")
    def action_text(self, obj):
        return obj.action_label

    @admin.display(description=_("actor"))
    def actor_label(self, obj):
        return obj.actor_label
