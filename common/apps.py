from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """What every app shares: the calendar overrides, the audit trail, idempotency records.

    The label stays ``core`` (this app's models were born in the ``core`` app before core
    became the pure rules package), so the tables, content types and migration history
    stay where they are and no data moves.
    """

    name = "common"
    label = "core"
    verbose_name = _("Calendar and audit trail")
