"""REST API for the calendar overrides and the audit trail (see shared/API.md)."""

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers, viewsets
from rest_framework.validators import UniqueValidator

from common.api.fields import IdFilter, TrueFalseFilter
from common.api.scoping import ScopedViewSetMixin
from common.models import Event, Holiday

# The largest id a BigAutoField holds; beyond it SQLite raises OverflowError (a 500).

HOLIDAY_DATE_TAKEN = "该日期已有日历调整。/ This date already has a calendar override."


class HolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["id", "date", "is_working_day", "name"]
        extra_kwargs = {
            "date": {
                # ISO 8601 pads every year to four digits; DATE_FORMAT's strftime does not.
                "format": ISO_8601,
                "validators": [
                    UniqueValidator(queryset=Holiday.objects.all(), message=HOLIDAY_DATE_TAKEN)
                ],
            },
            "is_working_day": {
                "help_text": "true for a make-up working day (调休上班), false for a day off."
            },
        }


class HolidayFilter(filters.FilterSet):
    year = IdFilter(field_name="date", lookup_expr="year", max_value=9999)  # a whole number
    is_working_day = TrueFalseFilter(field_name="is_working_day")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Holiday
        fields = ["date", "is_working_day", "year", "date_from", "date_to"]


class HolidayViewSet(viewsets.ModelViewSet):
    """Staff-maintained overrides of the statutory calendar; everyone signed in reads them.

    The calendar is shared by every agreement, so it is not scoped to a brand.
    """

    queryset = Holiday.objects.all()
    serializer_class = HolidaySerializer
    filterset_class = HolidayFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", help_text='Username, or "system".')
    object = serializers.SerializerMethodField(help_text='What it happened to: "statement:12".')

    class Meta:
        model = Event
        fields = ["id", "at", "actor", "action", "object", "agreement", "message", "detail"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_object(self, event: Event) -> str:
        return f"{event.object_type}:{event.object_id}"


class EventFilter(filters.FilterSet):
    agreement = IdFilter(field_name="agreement")
    statement = IdFilter(method="filter_statement", label="statement id")
    action = filters.CharFilter(field_name="action")

    class Meta:
        model = Event
        fields = ["agreement", "statement", "action"]

    def filter_statement(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset.filter(object_type="statement", object_id=value)


class EventViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The audit trail, newest first. Events of no agreement are for superusers only."""

    brand_path = "agreement__brand"
    queryset = Event.objects.select_related("actor")
    serializer_class = EventSerializer
    filterset_class = EventFilter


ROUTES: list[tuple[str, Any, str]] = [
    ("holidays", HolidayViewSet, "holiday"),
    ("events", EventViewSet, "event"),
]
