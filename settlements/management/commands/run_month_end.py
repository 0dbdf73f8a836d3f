from django.core.management.base import BaseCommand, CommandError, no_translations
from tqdm import tqdm

from core.exceptions import DomainError
from settlements import services
from settlements.models import StatementRun, StatementRunItem


class Command(BaseCommand):
    help = (
        "Run the month-end job for a closed month: one draft statement per B2B and "
        "revenue-share agreement active in it. Safe to run again: only what is missing is added."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM, a month that has ended")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="hand the agreements to the Celery workers instead of settling them here",
        )

    @no_translations  # operators read English output: statuses as the model's msgids
    def handle(self, *args, period, queue, **options):
        try:
            run = services.statement_run_start(period=period, by=None, dispatch=queue)
        except DomainError as error:
            raise CommandError(str(error)) from error
        if queue:
            self.stdout.write(f"Run #{run.pk} for {run.period} queued: {run.total} agreements.")
            return
        items = list(
            run.items.filter(status=StatementRunItem.Status.PENDING).values_list("pk", flat=True)
        )
        for item_id in tqdm(
            items, desc=f"Month-end {run.period}", unit="agreement", file=self.stderr
        ):
            services.statement_run_item_process(item_id=item_id)
        run.refresh_from_db()
        self.stdout.write(
            f"Run #{run.pk} {run.period}: {run.get_status_display()} — {run.done} done, "
            f"{run.failed} failed, {run.created} statements created."
        )
        for error in run.errors:
            self.stderr.write(f"  {error['agreement']}: {error['error']}")
        if run.status == StatementRun.Status.FAILED:
            raise CommandError("Some agreements failed; fix them and run again.")
