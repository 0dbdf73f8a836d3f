"""The one clock: every rule that needs "today" asks here, and tests patch it here.

``today()`` is the business day in the project's time zone (Asia/Shanghai), never the
server's UTC date. Call it as ``clock.today()`` (not ``from common.clock import today``)
so a test's ``monkeypatch.setattr("common.clock.today", ...)`` reaches every caller.
"""

from datetime import date

from django.utils import timezone


def today() -> date:
    """Today's date in the business time zone."""
    return timezone.localdate()
