"""Webhook fixtures: a real HTTP receiver on 127.0.0.1, two agencies with a statement
each, and webhooks."""

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from accounts.models import User
from common import clock
from core.periods import Period
from integrations import services as hooks
from kpis.services import sale_line_record
from settlements import services
from tests import factories as f

TODAY = date(2026, 9, 20)
SECRET = "s3cret-signing-key-0123456789"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.perf_counter() when the receiver read it

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that keeps what it is sent and answers as told."""

    port: int
    received: list[Received] = field(default_factory=list)
    status: int = 200
    answer: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def bodies(self) -> list[Any]:
        return [item.json() for item in self.received]


@pytest.fixture
def receiver():
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            got = state["receiver"]
            got.received.append(
                Received(self.path, dict(self.headers.items()), body, time.perf_counter())
            )
            self.send_response(got.status)
            for name, value in got.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(got.answer)))
            self.end_headers()
            self.wfile.write(got.answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()


@dataclass
class Tenant:
    agency: Any
    brand: Any
    staff: User
    brand_user: User
    agreement: Any


def _tenant(tag: str) -> Tenant:
    agency = f.agency(f"{tag} 代运营")
    brand = f.brand(agency, f"{tag} 品牌")
    staff = f.user(
        agency,
        User.Role.AGENCY_STAFF,
        username=f"{tag.lower()}_staff",
        email=f"{tag.lower()}@agency.test",
    )
    brand_user = f.user(brand, User.Role.BRAND_FINANCE, username=f"{tag.lower()}_finance")
    product = f.product(brand, sku=f"SKU-{tag}", factory_price=Decimal("80.00"))
    agreement = f.agreement(
        "revenue_share", brand_org=brand, activate=True, number=f"HT-{tag}-0001", products=[product]
    )
    sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": product.sku,
            "sold_on": "2026-08-05",
            "quantity": 100,
            "unit_price": "199.00",
            "tax": "1990.00",
            "logistics": "600.00",
            "channel": "tmall",
            "external_ref": f"{tag}-1",
        },
    )
    return Tenant(agency, brand, staff, brand_user, agreement)


@dataclass
class World:
    a: Tenant
    b: Tenant


@pytest.fixture
def world(db, monkeypatch) -> World:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return World(_tenant("ALPHA"), _tenant("BRAVO"))


def draft(agreement: Any) -> Any:
    return services.statement_generate(agreement=agreement, period=Period(2026, 8)).statement


def subscribe(
    tenant: Tenant, url: str, events: list[str], format: str = "json", **kwargs: Any
) -> Any:
    kwargs.setdefault("secret", SECRET if format == "json" else "")
    return hooks.webhook_subscription_create(
        organization=tenant.agency, url=url, events=events, format=format, by=tenant.staff, **kwargs
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block as if its transaction committed (on_commit callbacks run, nested ones
    too): ``with committed(): ...``."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
