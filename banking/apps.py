from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankingConfig(AppConfig):
    name = "banking"
    verbose_name = _("Bank transactions")

    def ready(self) -> None:
        # The workbench (settlements, below us) shows our queue of unmatched credits.
        from banking.admin import unmatched_section
        from settlements.admin.workbench import EXTRA_SECTIONS

        if unmatched_section not in EXTRA_SECTIONS:
            EXTRA_SECTIONS.append(unmatched_section)
