"""``manage.py serve``: the development server plus, without a broker, the schedule.

The same as ``runserver`` (static files included); when there is no Celery broker it
also starts the embedded scheduler (``common.scheduler``) in the serving process, so the
daily job and the month-end run happen by themselves with nothing else to start.
"""

import os

from django.contrib.staticfiles.management.commands.runserver import Command as RunServer

from common.scheduler import EmbeddedScheduler, embedded_scheduler_wanted


class Command(RunServer):
    help = (
        "Serve the product; without a Celery broker, also run the scheduled jobs "
        "(the daily job, the month-end run) in this process."
    )

    def inner_run(self, *args, **options):
        # With the autoreloader, this runs in the child that serves (RUN_MAIN is set).
        if embedded_scheduler_wanted() and (
            not options.get("use_reloader") or os.environ.get("RUN_MAIN") == "true"
        ):
            self.stdout.write("Scheduled jobs run in this process (no Celery broker).")
            EmbeddedScheduler().start()
        return super().inner_run(*args, **options)
