from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from common.events import event_listen
        from integrations.catalogue import ACTION_TYPES
        from integrations.services import event_listener

        # The audit trail tells the webhooks, after each commit, of the actions they map.
        event_listen(ACTION_TYPES, event_listener)
