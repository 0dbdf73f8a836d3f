"""Settings for the Celery worker that tests/faults/test_worker_killed.py starts and kills.

The worker is a separate process: it must see the test's database (pytest-django's
``test_…`` copy) and media folder, which the test passes in the environment.
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES["default"]["NAME"] = os.environ["FAULT_TEST_DB"]
MEDIA_ROOT = os.environ["FAULT_TEST_MEDIA"]
CELERY_TASK_ALWAYS_EAGER = False
