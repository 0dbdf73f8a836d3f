from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """What every app shares: the calendar overrides, the audit trail, idempotency records.

    The label stays ``core`` (this app's models were born in the ``core`` app before core
    became the pure rules package), so the tables, content types and migration history
    stay where they are and no data moves.
    """

    default = True  # apps.py also holds LoginProtectionConfig below
    name = "common"
    label = "core"
    verbose_name = _("Calendar and audit trail")


class LoginProtectionConfig(AxesConfig):
    """django-axes (login lockout) under a name in the page's language; axes itself
    names its app "Axes" with no translation."""

    verbose_name = _("Login protection")
