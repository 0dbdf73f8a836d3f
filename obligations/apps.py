from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObligationsConfig(AppConfig):
    name = "obligations"
    verbose_name = _("Obligations")

    def ready(self) -> None:
        from common.events import event_listen
        from contracts import services as contract_services
        from obligations import services

        # Activation creates the kind's obligations (their template) and their dates.
        if services.obligations_on_activation not in contract_services.ACTIVATION_HOOKS:
            contract_services.ACTIVATION_HOOKS.append(services.obligations_on_activation)
        # A renewal or a termination moves the schedules' end at once (the daily job
        # would, too: obligations_daily).
        event_listen(
            ["agreement.renewed", "agreement.terminated"], services.obligations_sync_on_event
        )
