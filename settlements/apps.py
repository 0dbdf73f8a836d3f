from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementsConfig(AppConfig):
    name = "settlements"
    verbose_name = _("Settlements")

    def ready(self) -> None:
        from contracts import selectors as contract_selectors
        from contracts import services as contract_services
        from settlements import hooks, services

        # Activation issues the one-off bills due from signing (DOMAIN: one-off bills).
        if services.one_off_bills_on_activation not in contract_services.ACTIVATION_HOOKS:
            contract_services.ACTIVATION_HOOKS.append(services.one_off_bills_on_activation)
        # Activation's confirmation shows the one-off bills it issues.
        if hooks.one_off_bills_preview not in contract_selectors.ACTIVATION_PREVIEWS:
            contract_selectors.ACTIVATION_PREVIEWS.append(hooks.one_off_bills_preview)
        # A termination may not fall before a monthly statement already made.
        if hooks.monthly_statements_after not in contract_services.TERMINATION_CHECKS:
            contract_services.TERMINATION_CHECKS.append(hooks.monthly_statements_after)
