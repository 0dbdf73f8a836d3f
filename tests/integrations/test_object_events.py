"""Webhooks of the objects beyond statements: invoices, approvals, breach notices and their
termination right, balance confirmations — each once, to its own agency only, with the
API's view of the object as ``data``."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.catalogue import WEBHOOK_EVENTS
from obligations.breach import breach_notice_send
from obligations.services import approval_decide, approval_request
from receivables.services import balance_confirmation_confirm, balance_confirmation_issue
from settlements import services
from settlements.services.invoices import invoice_record
from tests.integrations.conftest import TODAY, draft, subscribe

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _bodies(receiver, path):
    return [r.json() for r in receiver.received if r.path == f"/hook/{path}"]


def test_invoices_approvals_notices_and_confirmations_reach_their_own_agency(
    world, receiver, committed
):
    everything = list(WEBHOOK_EVENTS)
    subscribe(world.a, receiver.url + "/a", everything)
    subscribe(world.b, receiver.url + "/b", everything)
    statement = services.statement_issue(
        statement=draft(world.a.agreement), issued_on=TODAY, by=world.a.staff
    )
    receiver.received.clear()

    with committed():
        invoice = invoice_record(
            statement=statement,
            kind="vat_special_digital",
            number="26442000000012345678",
            issued_on=TODAY,
            amount=Decimal("100.00"),
            tax_amount=Decimal("5.66"),
            file=SimpleUploadedFile("fapiao.pdf", PDF, content_type="application/pdf"),
            by=world.a.staff,
        )
    with committed():
        approval = approval_request(
            agreement=world.a.agreement, by=world.a.staff, title="双十一推广方案"
        )
    with committed():
        approval_decide(obligation=approval, by=world.a.brand_user, approve=True)
    with committed():
        notice = breach_notice_send(
            agreement=world.a.agreement,
            by="agency",
            sent_on=TODAY - timedelta(days=1),
            description="未按约定提供产品培训",
            user=world.a.staff,
        )
    with committed():
        confirmation = balance_confirmation_issue(
            brand=world.a.brand, as_of=TODAY, by=world.a.staff
        )
        balance_confirmation_confirm(confirmation=confirmation, by=world.a.brand_user)

    got = {body["type"]: body["data"] for body in _bodies(receiver, "a")}
    assert got["invoice.recorded"]["number"] == invoice.number
    assert got["approval.requested"]["id"] == approval.pk
    assert got["approval.decided"]["status"] == "approved"
    assert got["breach_notice.sent"]["number"] == notice.number
    assert got["breach_notice.sent"]["cure_by"] == notice.cure_by.isoformat()
    assert got["balance_confirmation.answered"]["status"] == "confirmed"
    # The other agency hears nothing of it; each event is delivered once.
    assert _bodies(receiver, "b") == []
    types = [body["type"] for body in _bodies(receiver, "a")]
    assert len(types) == len(set(types) - {"statement.issued"}) + types.count("statement.issued")


def test_a_breach_not_cured_in_time_raises_the_termination_right_flag(
    world, receiver, committed, monkeypatch
):
    from settlements.services.daily import flags_log_new

    subscribe(world.a, receiver.url + "/a", ["flag.raised"])
    notice = breach_notice_send(
        agreement=world.a.agreement,
        by="brand",
        sent_on=TODAY - timedelta(days=20),
        description="逾期未提交月度运营报告",
        user=world.a.staff,
    )
    with committed():
        flags_log_new(as_of=TODAY)
    raised = [b["data"] for b in _bodies(receiver, "a") if b["type"] == "flag.raised"]
    breach = [d for d in raised if d["flag"] == "breach_termination_right"]
    assert len(breach) == 1
    assert breach[0]["detail"]["notice"] == notice.number
    assert breach[0]["detail"]["held_by"] == "brand"
