from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from core.periods import Period
from kpis.services import sale_line_record
from settlements import services
from settlements.models import Statement, StatementRun
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    agreement = f.agreement("revenue_share", activate=True)
    f.product(agreement.brand, sku="TEA-1", factory_price=Decimal("80.00"))
    sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": "TEA-1",
            "sold_on": "2026-08-05",
            "quantity": 100,
            "unit_price": "199.00",
            "tax": "1990.00",
            "logistics": "600.00",
            "channel": "tmall",
            "external_ref": "A-1",
        },
    )
    staff = f.user(agreement.agency, User.Role.AGENCY_STAFF)
    client.force_login(staff)
    draft = services.statement_generate(agreement=agreement, period=Period(2026, 8)).statement
    return client, agreement, draft


def _action(client, action, statement, **extra):
    """A list action on one statement, as the changelist posts it."""
    data = {"action": action, "_selected_action": [statement.pk]}
    data.update(extra)
    return client.post(reverse("admin:settlements_statement_changelist"), data, follow=True)


def _page_action(client, name, statement, data):
    """One statement's action form (its button on the statement's page), posted."""
    url = reverse(f"admin:settlements_statement_{name}", args=[statement.pk])
    return client.post(url, data, follow=True)


def test_list_filters_and_detail_open(setup):
    client, _agreement, draft = setup
    url = reverse("admin:settlements_statement_changelist")
    for query in ("", "?period=2026-08", "?status__exact=draft", "?overdue=yes", "?q=ST-"):
        response = client.get(url + query)
        assert response.status_code == 200
    assert draft.number in client.get(url + "?period=2026-08").content.decode()
    assert (
        client.get(reverse("admin:settlements_statement_change", args=[draft.pk])).status_code
        == 200
    )


def test_issue_pay_void_through_actions(setup):
    client, _agreement, draft = setup
    _action(client, "issue_selected", draft, post="yes", issued_on="2026-09-08")
    draft.refresh_from_db()
    assert (draft.status, draft.total_due) == ("issued", Decimal("2793.00"))
    # the list's payment action opens the one statement's payment form
    response = _action(client, "record_payment", draft)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:settlements_statement_payment", args=[draft.pk]
    )
    response = _page_action(
        client, "payment", draft, {"paid_on": "2026-09-20", "amount": "9999.00"}
    )
    assert "超过未付金额 ¥2,793.00" in response.content.decode()
    _page_action(
        client,
        "payment",
        draft,
        {"paid_on": "2026-09-20", "amount": "2793.00", "reference": "招行回单 0920"},
    )
    draft.refresh_from_db()
    assert draft.payment_status == "paid"
    _page_action(client, "void", draft, {"reason": "金额有误"})
    draft.refresh_from_db()
    assert (draft.status, draft.void_reason) == ("void", "金额有误")
    _page_action(client, "correct", draft, {})
    assert Statement.objects.filter(base_number=draft.base_number, version=2).exists()


def test_pdf_preview_of_a_draft_and_scoping(setup):
    client, _agreement, draft = setup
    response = client.get(reverse("admin:settlements_statement_pdf", args=[draft.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    foreign = f.agreement("revenue_share", activate=True)
    foreign_bill = Statement.objects.get(agreement=foreign, kind="setup_fee")
    assert (
        client.get(reverse("admin:settlements_statement_pdf", args=[foreign_bill.pk])).status_code
        == 404
    )


def test_issued_pdf_download(setup, django_capture_on_commit_callbacks):
    client, _agreement, draft = setup
    with django_capture_on_commit_callbacks(execute=True):
        services.statement_issue(statement=draft, issued_on=date(2026, 9, 8), by=None)
    response = client.get(reverse("admin:settlements_statement_pdf", args=[draft.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_generate_view_starts_a_run(setup):
    client, _agreement, _draft = setup
    assert client.get(reverse("admin:settlements_statement_generate")).status_code == 200
    response = client.post(reverse("admin:settlements_statement_generate"), {"period": "2026-08"})
    run = StatementRun.objects.get()
    assert response.status_code == 302
    assert (
        client.get(reverse("admin:settlements_statementrun_change", args=[run.pk])).status_code
        == 200
    )
    response = client.post(
        reverse("admin:settlements_statement_generate"), {"period": "2099-01"}, follow=True
    )
    assert "尚未结束" in response.content.decode()
