from datetime import date

from django.core.management.base import BaseCommand, CommandError, no_translations

from core.exceptions import DomainError
from settlements import services
from settlements.models import DailyRun


class Command(BaseCommand):
    help = (
        "Run the daily job up to a day (default today, never later): renewals and "
        "expiries, end-of-term bills, deemed confirmations, penalty notices, flags and "
        "reminders. Safe to run again: nothing already recorded is recorded twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--until", help="YYYY-MM-DD, today or earlier (default: today)")

    @no_translations  # operators read English output: statuses as the model's msgids
    def handle(self, *args, until=None, **options):
        try:
            day = date.fromisoformat(until) if until else None
        except ValueError as error:
            raise CommandError(f"--until: {until!r} is not a date (YYYY-MM-DD)") from error
        try:
            run = services.daily_run(until=day, trigger=DailyRun.Trigger.COMMAND)
        except DomainError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Daily run #{run.pk} up to {run.until}: {run.get_status_display()}")
        for rule, part in run.summary.items():
            names = ", ".join(item["name"] for item in part["items"][:10])
            more = " …" if part["count"] > 10 else ""
            self.stdout.write(f"  {rule}: {part['count']}{' — ' + names + more if names else ''}")
        for error in run.errors:
            self.stderr.write(f"  failed: {error['step']} {error['object']}: {error['error']}")
        if run.status == DailyRun.Status.FAILED:
            raise CommandError("Some rows failed (see above); the others were done.")
