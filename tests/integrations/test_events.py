"""Events from the product's own service calls become webhook deliveries: once per event
and subscription, only to the agency whose object it is, with the API's view of it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common import clock
from common.models import Event
from core.exceptions import InvalidStateError
from integrations import services as hooks
from integrations.models import WebhookDelivery
from kpis.imports import sales_import_create
from settlements import services
from settlements.models import Statement
from tests.integrations.conftest import TODAY, draft, subscribe

pytestmark = pytest.mark.django_db

ALL = [
    "statement.issued",
    "statement.confirmed",
    "statement.disputed",
    "statement.deemed_confirmed",
    "payment.recorded",
    "penalty_notice.issued",
    "flag.raised",
    "daily_run.failed",
    "import.failed",
]


def _types(receiver):
    return [body["type"] for body in receiver.bodies()]


def test_issuing_delivers_statement_issued_once_and_only_to_its_agency(world, receiver, committed):
    subscribe(world.a, receiver.url + "/a", ALL)
    subscribe(world.b, receiver.url + "/b", ALL)
    statement = draft(world.a.agreement)
    with committed():
        services.statement_issue(statement=statement, issued_on=TODAY, by=world.a.staff)
    assert [(r.path, r.json()["type"]) for r in receiver.received] == [
        ("/hook/a", "statement.issued")
    ]
    assert receiver.bodies()[0]["data"]["number"] == statement.number

    # Issuing again is refused; the same event fanned out again creates nothing.
    with committed(), pytest.raises(InvalidStateError):
        services.statement_issue(statement=statement, issued_on=TODAY, by=world.a.staff)
    event = Event.objects.get(action="statement.issued", object_id=statement.pk)
    with committed():
        assert hooks.events_fan_out(event) == []
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.count() == 1


def test_only_the_chosen_events_and_only_active_webhooks(world, receiver, committed):
    subscribe(world.a, receiver.url + "/payments", ["payment.recorded"])
    subscribe(world.a, receiver.url + "/off", ["statement.issued"], active=False)
    with committed():
        services.statement_issue(statement=draft(world.a.agreement), issued_on=TODAY, by=None)
    assert receiver.received == []


def test_payment_recorded_with_the_payment_as_data_and_no_repeat(world, receiver, committed):
    statement = draft(world.a.agreement)
    services.statement_issue(statement=statement, issued_on=TODAY, by=world.a.staff)
    subscribe(world.a, receiver.url, ["payment.recorded"])

    def pay():
        with committed():
            return services.payment_record(
                statement=statement,
                amount=Decimal("100.50"),
                paid_on=TODAY,
                reference="网银转账",
                external_ref="BANK-1",
                by=world.a.staff,
            )

    recorded = pay()
    assert _types(receiver) == ["payment.recorded"]
    data = receiver.bodies()[0]["data"]
    assert data["id"] == recorded.payment.pk
    assert (data["statement"], data["amount"], data["paid_on"]) == (
        statement.pk,
        "100.50",
        "2026-09-20",
    )
    # The same payment posted again (same external_ref) is the stored one: no new event.
    assert not pay().created
    assert len(receiver.received) == 1


def test_confirmed_and_disputed_by_the_brand(world, receiver, committed):
    first = draft(world.a.agreement)
    services.statement_issue(statement=first, issued_on=TODAY, by=world.a.staff)
    subscribe(world.a, receiver.url, ALL)
    with committed():
        services.statement_confirm(statement=first, by=world.a.brand_user)
    other = world.b
    second = draft(other.agreement)
    services.statement_issue(statement=second, issued_on=TODAY, by=other.staff)
    subscribe(other, receiver.url + "/b", ALL)
    with committed():
        services.statement_dispute(
            statement=second, by=other.brand_user, comment="数量不对 [见附件](http://x)"
        )
    assert [(r.path, r.json()["type"]) for r in receiver.received] == [
        ("/hook", "statement.confirmed"),
        ("/hook/b", "statement.disputed"),
    ]
    assert receiver.bodies()[1]["data"]["dispute_comment"] == "数量不对 [见附件](http://x)"


def test_the_daily_job_delivers_deemed_confirmations_flags_and_penalty_notices(
    world, receiver, committed, monkeypatch
):
    statement = draft(world.a.agreement)
    services.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=world.a.staff)
    subscribe(world.a, receiver.url, ALL)
    later = date(2026, 12, 15)
    monkeypatch.setattr(clock, "today", lambda: later)
    with committed():
        services.daily_run(until=later)
    types = _types(receiver)
    assert "statement.deemed_confirmed" in types
    assert "penalty_notice.issued" in types
    flags = [b for b in receiver.bodies() if b["type"] == "flag.raised"]
    assert {f["data"]["flag"] for f in flags} >= {"payment_overdue"}
    overdue = [f["data"] for f in flags if f["data"]["flag"] == "payment_overdue"]
    assert statement.number in {flag["statement"]["number"] for flag in overdue}
    assert {flag["agreement_number"] for flag in overdue} == {world.a.agreement.number}
    notice = next(b for b in receiver.bodies() if b["type"] == "penalty_notice.issued")
    assert notice["data"]["kind"] == "penalty" and notice["data"]["penalty_of"] == statement.pk
    # Running the job again records nothing new, so nothing is delivered twice.
    count = len(receiver.received)
    with committed():
        services.daily_run(until=later)
    assert len(receiver.received) == count
    # Every event id once.
    assert len({b["id"] for b in receiver.bodies()}) == count


def test_a_failed_daily_run_reaches_only_the_agencies_it_failed_for(
    world, receiver, committed, monkeypatch
):
    from settlements.services import daily

    statement = draft(world.a.agreement)
    services.statement_issue(statement=statement, issued_on=TODAY, by=world.a.staff)
    subscribe(world.a, receiver.url + "/a", ["daily_run.failed"])
    subscribe(world.b, receiver.url + "/b", ["daily_run.failed"])

    def broken(*, on, guard):
        with guard.row(statement.number):
            raise RuntimeError("calendar table locked")
        return []

    monkeypatch.setattr(daily, "statements_deem_confirmed", broken)
    with committed():
        run = services.daily_run(until=TODAY)
    assert run.status == "failed"
    assert [r.path for r in receiver.received] == ["/hook/a"]
    data = receiver.bodies()[0]["data"]
    assert data["id"] == run.pk and data["status"] == "failed"
    assert data["errors"] == [
        {
            "step": "deemed_confirmations",
            "object": statement.number,
            "error": "RuntimeError: calendar table locked",
        }
    ]


def test_a_refused_sales_import_is_import_failed(world, receiver, committed):
    subscribe(world.a, receiver.url, ["import.failed"])
    bad = b"product,sold_on,quantity,unit_price,channel\nNO-SUCH-SKU,2026-08-05,1,199.00,tmall\n"
    with committed():
        sales_import = sales_import_create(
            agreement=world.a.agreement,
            by=world.a.staff,
            uploaded_file=SimpleUploadedFile("八月.csv", bad),
        )
    sales_import.refresh_from_db()
    assert sales_import.status == "rejected"
    assert _types(receiver) == ["import.failed"]
    data = receiver.bodies()[0]["data"]
    assert (data["id"], data["status"], data["file_name"]) == (
        sales_import.pk,
        "rejected",
        "八月.csv",
    )
    assert data["url"].startswith("http://") and data["url"].endswith(
        f"/sales/import/{sales_import.pk}/"
    )


def test_activation_issues_the_setup_fee_bill_and_it_is_delivered(world, receiver, committed):
    from tests import factories as f

    subscribe(world.a, receiver.url, ["statement.issued"])
    with committed():
        agreement = f.agreement("revenue_share", brand_org=world.a.brand, activate=True)
    bodies = receiver.bodies()
    assert [b["data"]["kind"] for b in bodies] == ["setup_fee"]
    assert Statement.objects.get(pk=bodies[0]["data"]["id"]).agreement == agreement


def test_a_webhook_added_after_an_event_does_not_get_it(world, receiver, committed, monkeypatch):
    statement = draft(world.a.agreement)
    services.statement_issue(statement=statement, issued_on=TODAY, by=None)
    hook = subscribe(world.a, receiver.url, ["statement.issued"])
    moved = hook.created_at + timedelta(minutes=5)
    monkeypatch.setattr(hooks, "now", lambda: moved)
    with committed():
        assert hooks.webhook_deliveries_dispatch() == {"made": 0, "queued": 0}
    assert receiver.received == []
