from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementsConfig(AppConfig):
    name = "settlements"
    verbose_name = _("Settlements 结算")

    def ready(self) -> None:
        from contracts import services as contract_services
        from settlements import services

        # Activation issues the one-off bills due from signing (DOMAIN: one-off bills).
        if services.one_off_bills_on_activation not in contract_services.ACTIVATION_HOOKS:
            contract_services.ACTIVATION_HOOKS.append(services.one_off_bills_on_activation)
