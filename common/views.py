"""``/healthz``: the database, the broker and work left stranded, for load balancers,
docker-compose and monitoring.

200 ``{"status": "ok"}`` when all is well (``?details=1`` adds every check); 503 with
every check when the database or the broker does not answer, or when work has been
stranded (an issued statement without its PDF, a pending run item or import) for longer
than ``HEALTHZ_STRANDED_MINUTES``. What counts as stranded is the settlements sweeper's
to say (``HEALTHZ_STRANDED`` names its function), so ``common`` imports no domain app.
"""

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        logger.exception("healthz: the database does not answer")
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def _broker() -> dict[str, Any]:
    """Connect to the broker with a short timeout; none configured (jobs in-process) is ok."""
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or url.startswith("memory://"):
        return {"ok": True, "configured": False}
    from kombu import Connection

    try:
        with Connection(
            url,
            connect_timeout=BROKER_TIMEOUT_SECONDS,
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                "socket_timeout": BROKER_TIMEOUT_SECONDS,
            },
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        logger.exception("healthz: the broker does not answer")
        return {"ok": False, "configured": True, "error": type(error).__name__}
    return {"ok": True, "configured": True}


def _stranded(database_ok: bool) -> dict[str, Any]:
    if not database_ok:
        return {"ok": False, "error": "database down"}
    limit = settings.HEALTHZ_STRANDED_MINUTES * 60
    report: Callable[[], dict[str, Any]] = import_string(settings.HEALTHZ_STRANDED)
    try:
        kinds = report()
    except Exception as error:
        logger.exception("healthz: stranded report failed")
        return {"ok": False, "error": type(error).__name__}
    ages = [kind["oldest_seconds"] for kind in kinds.values() if kind["oldest_seconds"]]
    oldest = max(ages, default=None)
    return {
        "ok": oldest is None or oldest <= limit,
        "oldest_seconds": oldest,
        "limit_seconds": limit,
        "kinds": kinds,
    }


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and broker answer and nothing is stranded too long; else 503."""
    checks: dict[str, Any] = {"database": _database(), "broker": _broker()}
    checks["stranded"] = _stranded(checks["database"]["ok"])
    ok = all(check["ok"] for check in checks.values())
    if ok and not request.GET.get("details"):
        return JsonResponse({"status": "ok"})
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )


GUIDE = Path(settings.BASE_DIR) / "docs" / "integrations.md"


def integration_guide(request: HttpRequest) -> HttpResponse:
    """The integrators' guide (docs/integrations.md) as served text, linked from the API
    docs: tokens, idempotency keys, pagination, errors, webhooks and the chat robots."""
    return HttpResponse(
        GUIDE.read_text(encoding="utf-8"), content_type="text/markdown; charset=utf-8"
    )
