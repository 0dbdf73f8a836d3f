from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("Sales and KPIs")

    def ready(self) -> None:
        from contracts import services as contract_services
        from kpis import services

        # A termination may not fall before KPI records or sale lines already recorded.
        if services.termination_records_after not in contract_services.TERMINATION_CHECKS:
            contract_services.TERMINATION_CHECKS.append(services.termination_records_after)
