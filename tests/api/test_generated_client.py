"""A Python client generated from the served schema works, as an integrator would use it.

openapi-python-client (the most common Python generator) reads /api/schema/ from a live
server, the generated package is installed with pip (its name comes from the schema's
title), every generated module is imported, and a month runs through the client against
the live server: a sale, a list of sales, the month-end run for the closed month, the
statement, its issue and confirmation, its PDF and XLSX, a payment, the penalty, and the
errors a client meets on the way. ``raise_on_unexpected_status`` is on, so a status the
schema does not document fails the test.

``scripts/api_client_check`` runs this file alone and prints the figures.
"""

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from accounts.tokens import api_token_issue

pytestmark = [pytest.mark.client_generation, pytest.mark.django_db(transaction=True)]

PACKAGE = "agency_settlements_api_client"  # from the title "Agency Settlements API"
# What README's "Generating a client" gives the generator: binary responses as bytes.
CONFIG = {
    "content_type_overrides": {
        "application/pdf": "application/octet-stream",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
            "application/octet-stream"
        ),
    }
}
BIN = Path(sys.executable).parent


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def generated(live_server, tmp_path):
    """The client package generated from the live server's schema and installed with pip
    into its own folder; yields the imported package and its module count."""
    started = time.monotonic()
    schema = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=60)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_text(schema.text)
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    generator = BIN / "openapi-python-client"
    assert generator.exists(), "openapi-python-client is a dev dependency: run scripts/setup"
    out = _run(
        str(generator),
        "generate",
        "--path=schema.json",
        "--config=config.json",
        "--meta=setup",
        "--output-path=client",
        "--fail-on-warning",
        cwd=tmp_path,
    )
    assert "Warning" not in out.stdout + out.stderr, out.stdout + out.stderr
    _run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--target=site",
        "./client",
        cwd=tmp_path,
    )
    sys.path.insert(0, str(tmp_path / "site"))
    try:
        package = importlib.import_module(PACKAGE)
        assert Path(package.__file__).is_relative_to(tmp_path / "site")  # the installed copy
        names = [m.name for m in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")]
        imported = [importlib.import_module(name) for name in names]
        endpoints = [n for n in names if n.count(".") == 3 and ".api." in n]
        print(
            f"\ngenerated client: imported {len(imported)} / {len(names)} modules "
            f"({len(endpoints)} endpoint modules) in {time.monotonic() - started:.1f} s"
        )
        yield package
    finally:
        sys.path.remove(str(tmp_path / "site"))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_a_month_through_the_generated_client(generated, live_server, world, monkeypatch):
    started = time.monotonic()
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 10, 31))
    pkg = generated
    api = importlib.import_module(f"{PACKAGE}.api")
    m = importlib.import_module(f"{PACKAGE}.models")

    def op(tag: str, name: str):
        return importlib.import_module(f"{api.__name__}.{tag}.{name}")

    def client_of(user: str):
        key = api_token_issue(user=world["users"][user], by=None).key
        return pkg.AuthenticatedClient(
            base_url=live_server.url, token=key, prefix="Token", raise_on_unexpected_status=True
        )

    staff, brand = client_of("staff_a"), client_of("finance_a1")
    agreement = world["agreements"][world["brand_a1"].pk].pk

    def sale(day: int, quantity: int, ref: str):
        return m.SaleLineInputRequest(
            agreement=agreement,
            product="TEA-1",
            sold_on=date(2026, 8, day),
            quantity=quantity,
            unit_price="199.00",
            tax="0.00",
            logistics="0.00",
            channel=m.ChannelEnum.TMALL,
            external_ref=ref,
        )

    # One sale, then a list of sales (all-or-nothing), through the same operation.
    one = op("sales", "sales_create").sync(client=staff, body=sale(5, 60, "TM-0805"))
    assert isinstance(one, m.SaleLine) and one.quantity == 60 and one.amount == "11940.00"
    many = op("sales", "sales_create").sync(
        client=staff, body=[sale(18, 40, "JD-0818"), sale(20, 10, "JD-0820")]
    )
    assert [line.external_ref for line in many] == ["JD-0818", "JD-0820"]
    again = op("sales", "sales_create").sync_detailed(client=staff, body=sale(5, 60, "TM-0805"))
    assert again.status_code == 200 and again.parsed.id == one.id  # stored once
    listed = op("sales", "sales_list").sync(client=staff, agreement=agreement, period="2026-08")
    assert listed.count == 3

    # Errors come back as the schema's models, not exceptions.
    missing = sale(5, 1, "X-1")
    missing.agreement = 987654321
    outside = op("sales", "sales_create").sync(client=staff, body=missing)
    assert isinstance(outside, m.Error) and outside.detail
    open_month = op("statement_runs", "statement_runs_create").sync(
        client=staff, body=m.StatementRunRequest(period="2026-10")
    )
    assert (
        isinstance(open_month, m.ValidationError) and "period" in open_month.additional_properties
    )

    # The month-end run for the closed month, then its statement.
    run = op("statement_runs", "statement_runs_create").sync(
        client=staff,
        body=m.StatementRunRequest(period="2026-08", agreement=agreement),
        idempotency_key="run-2026-08",
    )
    assert isinstance(run, m.StatementRun), run
    run = op("statement_runs", "statement_runs_retrieve").sync(client=staff, id=run.id)
    assert (run.status, run.total, run.done, run.failed) == (m.StatementRunStatusEnum.DONE, 1, 1, 0)
    statements = op("statements", "statements_list").sync(
        client=brand, agreement=agreement, period="2026-08"
    )
    assert statements.count == 1
    statement = statements.results[0]
    assert (statement.kind, statement.status) == (
        m.StatementKindEnum.MONTHLY,
        m.StatementStatusEnum.DRAFT,
    )

    # Staff issue it, the brand confirms it; its PDF and detail are declared binaries.
    issued = op("statements", "statements_issue_create").sync(
        client=staff, id=statement.id, body=m.IssueRequest(issued_on=date(2026, 9, 8))
    )
    assert issued.status == m.StatementStatusEnum.ISSUED and issued.receipt_due_on
    twice = op("statements", "statements_issue_create").sync(
        client=staff, id=statement.id, body=m.IssueRequest()
    )
    assert isinstance(twice, m.Error)  # 409: already issued
    confirmed = op("statements", "statements_confirm_create").sync(
        client=brand, id=statement.id, body=m.ConfirmRequest(confirmed_on=date(2026, 9, 11))
    )
    assert confirmed.status == m.StatementStatusEnum.CONFIRMED and confirmed.payment_due_on
    pdf = op("statements", "statements_pdf_retrieve").sync(client=brand, id=statement.id)
    assert pdf.payload.read().startswith(b"%PDF-")
    xlsx = op("statements", "statements_detail_retrieve").sync(client=brand, id=statement.id)
    assert xlsx.payload.read().startswith(b"PK")

    # A late part-payment, then the penalty on what is left.
    paid = op("payments", "payments_create").sync(
        client=staff,
        body=m.PaymentRequest(
            statement=statement.id, amount="100.00", paid_on=date(2026, 9, 30), external_ref="B-1"
        ),
        idempotency_key="pay-B-1",
    )
    assert isinstance(paid, m.Payment) and paid.amount == "100.00"
    too_much = op("payments", "payments_create").sync(
        client=staff,
        body=m.PaymentRequest(
            statement=statement.id, amount="99999999.00", paid_on=date(2026, 10, 1)
        ),
    )
    assert isinstance(too_much, m.ValidationError)
    penalty = op("statements", "statements_penalty_retrieve").sync(
        client=brand, id=statement.id, as_of=date(2026, 10, 31)
    )
    assert isinstance(penalty, m.Penalty)
    assert penalty.days_overdue > 0 and Decimal(penalty.penalty) > 0
    assert Decimal(penalty.outstanding) == Decimal(confirmed.total_due) - Decimal("100.00")
    print(f"a month through the generated client: {time.monotonic() - started:.1f} s")
