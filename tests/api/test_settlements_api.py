"""REST API of month-end runs, statements, payments and expenses (settlements/api.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from common.api.idempotency import IDEMPOTENCY_KEY_REUSED
from common.api.permissions import FORBIDDEN_FOR_ROLE
from core.messages import DATE_RANGE
from kpis.api import AGREEMENT_NOT_FOUND
from settlements import messages as msg
from settlements.api import PAYMENT_REF_CONFLICT, PDF_NOT_READY, STATEMENT_NOT_FOUND
from settlements.models import Expense, Payment, Statement, StatementRun
from tests import factories as f

pytestmark = pytest.mark.django_db


RUNS = "/api/v1/statement-runs/"
STATEMENTS = "/api/v1/statements/"
PAYMENTS = "/api/v1/payments/"
EXPENSES = "/api/v1/expenses/"
SALES = "/api/v1/sales/"


def _agreement(world, brand="brand_a1"):
    return world["agreements"][world[brand].pk]


def _post(client, url, data=None, **extra):
    return client.post(url, data if data is not None else {}, format="json", **extra)


def _sale(client, on, **kw):
    row = {
        "agreement": on.pk,
        "product": "TEA-1",
        "sold_on": "2026-08-05",
        "quantity": 100,
        "unit_price": "199.00",
        "tax": "1990.00",
        "logistics": "600.00",
        "channel": "tmall",
        "external_ref": "WE-1",
    }
    row.update(kw)
    response = _post(client, SALES, row)
    assert response.status_code == 201, response.data
    return response.json()


def _run(client, django_capture_on_commit_callbacks, on, period="2026-08"):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, RUNS, {"period": period, "agreement": on.pk})
    assert response.status_code == 201, response.data
    return response.json()


def _monthly(agreement, period="2026-08"):
    return Statement.objects.get(agreement=agreement, kind="monthly", period=period, version=1)


@pytest.fixture
def august(world, clients, django_capture_on_commit_callbacks):
    """The worked example's August statement of brand A1, as a draft."""
    agreement = _agreement(world)
    _sale(clients["staff_a"], agreement)
    _run(clients["staff_a"], django_capture_on_commit_callbacks, agreement)
    return _monthly(agreement)


@pytest.fixture
def issued(august, clients, django_capture_on_commit_callbacks):
    """The August statement issued on 2026-09-08, its PDF rendered."""
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            clients["staff_a"], f"{STATEMENTS}{august.pk}/issue/", {"issued_on": "2026-09-08"}
        )
    assert response.status_code == 200, response.data
    return august


# --- the worked example, end to end ------------------------------------------------------


def test_worked_example_over_http(world, clients, django_capture_on_commit_callbacks):
    staff, finance = clients["staff_a"], clients["finance_a1"]
    agreement = _agreement(world)
    _sale(staff, agreement)
    run = _run(staff, django_capture_on_commit_callbacks, agreement)
    assert {k: run[k] for k in ("period", "agreement", "status", "total", "done", "failed")} == {
        "period": "2026-08",
        "agreement": agreement.pk,
        "status": "running",
        "total": 1,
        "done": 0,
        "failed": 0,
    }
    run = staff.get(f"{RUNS}{run['id']}/").json()
    assert (run["status"], run["total"], run["done"], run["failed"], run["created"]) == (
        "done",
        1,
        1,
        0,
        1,
    )
    assert run["errors"] == [] and run["finished_at"] is not None

    listing = finance.get(f"{STATEMENTS}?agreement={agreement.pk}&period=2026-08").json()
    assert listing["count"] == 1
    draft = listing["results"][0]
    statement = _monthly(agreement)
    assert draft == {
        "id": statement.pk,
        "number": statement.number,
        "version": 1,
        "agreement": agreement.pk,
        "agreement_number": agreement.number,
        "period": "2026-08",
        "kind": "monthly",
        "installment_number": 0,
        "status": "draft",
        "payment_status": "unpaid",
        "issued_on": None,
        "receipt_due_on": None,
        "confirmed_on": None,
        "deemed_confirmed": False,
        "disputed_on": None,
        "dispute_comment": "",
        "dispute_attachments": [],
        "withdrawn_on": None,
        "replied_on": None,
        "agency_reply": "",
        "payment_due_on": None,
        "lines": [
            {
                "position": 1,
                "kind": "agency_share",
                "description": statement.lines.get().description,
                "amount": "2793.00",
            }
        ],
        "total_due": "2793.00",
        "amount_paid": "0.00",
        "outstanding": "2793.00",
        "invoiced_amount": "0.00",
        "penalty_rate_per_day": "0.003",
        "vat_rate": "0.06",
        "amount_without_tax": "2634.91",
        "tax_amount": "158.09",
        "figures": statement.figures,
        "calendar_note": "",
        "void_reason": "",
        "voided_on": None,
        "previous_version": None,
        "next_version": None,
        "penalty_of": None,
        "penalty_as_of": None,
        "pdf_url": f"http://testserver{STATEMENTS}{statement.pk}/pdf/",
        "created_at": draft["created_at"],
        "updated_at": draft["updated_at"],
    }
    assert draft["figures"]["profit"] == "9310.00"
    assert draft["figures"]["brand_share"] == "6517.00"

    url = f"{STATEMENTS}{statement.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        issued = _post(staff, f"{url}/issue/", {"issued_on": "2026-09-08"})
    assert issued.status_code == 200, issued.data
    body = issued.json()
    assert (body["status"], body["issued_on"], body["receipt_due_on"]) == (
        "issued",
        "2026-09-08",
        "2026-09-15",
    )
    pdf = finance.get(f"{url}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert finance.get(f"{url}/").json()["pdf_url"] == f"http://testserver{url}/pdf/"

    confirmed = _post(finance, f"{url}/confirm/", {"confirmed_on": "2026-09-11"})
    assert confirmed.status_code == 200, confirmed.data
    assert (
        confirmed.json()["status"],
        confirmed.json()["confirmed_on"],
        confirmed.json()["payment_due_on"],
    ) == ("confirmed", "2026-09-11", "2026-09-20")

    first = _post(
        staff, PAYMENTS, {"statement": statement.pk, "amount": "1000.00", "paid_on": "2026-09-25"}
    )
    assert first.status_code == 201, first.data
    payment = Payment.objects.get()
    assert first.json() == {
        "id": payment.pk,
        "statement": statement.pk,
        "amount": "1000.00",
        "paid_on": "2026-09-25",
        "reference": "",
        "external_ref": "",
        "moved_from": None,
        "created_at": first.json()["created_at"],
    }
    partly = finance.get(f"{url}/").json()
    assert (partly["payment_status"], partly["amount_paid"], partly["outstanding"]) == (
        "partially_paid",
        "1000.00",
        "1793.00",
    )
    right = finance.get(f"{url}/penalty/?as_of=2026-10-06").json()
    assert (right["days_overdue"], right["termination_right"]) == (16, True)

    with django_capture_on_commit_callbacks(execute=True):
        rest = _post(
            staff,
            PAYMENTS,
            {
                "statement": statement.pk,
                "amount": "1793",
                "paid_on": "2026-10-12",
                "reference": "银行回单 88",
            },
        )
    assert rest.status_code == 201, rest.data
    paid = finance.get(f"{url}/").json()
    assert (paid["payment_status"], paid["amount_paid"], paid["outstanding"]) == (
        "paid",
        "2793.00",
        "0.00",
    )
    penalty = finance.get(f"{url}/penalty/?as_of=2026-10-31")
    assert penalty.status_code == 200
    assert penalty.json() == {
        "statement": statement.pk,
        "as_of": "2026-10-31",
        "due_on": "2026-09-20",
        "days_overdue": 0,
        "outstanding": "0.00",
        "rate": "0.003",
        "penalty": "133.34",
        "waived": "0.00",
        "billed": "133.34",
        "termination_right": False,
    }
    # Paying in full billed the penalty with notices, one-off bills with no period: the
    # monthly one of 10-01 (to 09-30) the daily job would have issued, then the final one.
    notices = finance.get(f"{STATEMENTS}?kind=penalty").json()["results"]
    assert sorted((n["period"], n["penalty_as_of"], n["total_due"]) for n in notices) == [
        (None, "2026-09-30", "68.79"),
        (None, "2026-10-12", "64.55"),
    ]
    assert {n["penalty_of"] for n in notices} == {statement.pk}
    assert finance.get(f"{PAYMENTS}?statement={statement.pk}").json()["count"] == 2


# --- month-end runs ------------------------------------------------------------------------


def test_run_refuses_an_open_or_future_month_and_bad_input(world, clients):
    staff = clients["staff_a"]
    this_month = timezone.localdate().strftime("%Y-%m")
    response = _post(staff, RUNS, {"period": this_month})
    assert response.status_code == 400
    assert response.json() == {"period": [msg.PERIOD_OPEN.format(period=this_month)]}
    assert _post(staff, RUNS, {"period": "2099-01"}).status_code == 400
    assert _post(staff, RUNS, {"period": "2026-13"}).json() == {"period": [msg.PERIOD_INVALID]}
    assert set(_post(staff, RUNS, {}).json()) == {"period"}
    assert set(_post(staff, RUNS, {"period": ["2026-08"]}).json()) == {"period"}
    assert set(_post(staff, RUNS, {"period": "2026-08", "agreement": "x"}).json()) == {"agreement"}
    other = _post(staff, RUNS, {"period": "2026-08", "agreement": _agreement(world, "brand_b1").pk})
    assert (other.status_code, other.json()) == (404, {"detail": AGREEMENT_NOT_FOUND})
    forbidden = _post(clients["finance_a1"], RUNS, {"period": "2026-08"})
    assert (forbidden.status_code, forbidden.json()) == (403, {"detail": FORBIDDEN_FOR_ROLE})
    assert not StatementRun.objects.exists()


def test_running_again_adds_only_what_is_missing(
    world, clients, django_capture_on_commit_callbacks
):
    staff = clients["staff_a"]
    a1, a2 = _agreement(world), _agreement(world, "brand_a2")
    _sale(staff, a1)
    first = _run(staff, django_capture_on_commit_callbacks, a1)
    again = _run(staff, django_capture_on_commit_callbacks, a1)
    assert staff.get(f"{RUNS}{first['id']}/").json()["created"] == 1
    assert staff.get(f"{RUNS}{again['id']}/").json()["created"] == 0
    assert Statement.objects.filter(kind="monthly").count() == 1
    _run(staff, django_capture_on_commit_callbacks, a2)
    runs = staff.get(f"{RUNS}?period=2026-08").json()
    assert runs["count"] == 3
    assert clients["staff_b"].get(RUNS).json()["count"] == 0
    assert clients["staff_b"].get(f"{RUNS}{first['id']}/").status_code == 404
    assert clients["finance_a2"].get(RUNS).json()["count"] == 1
    assert staff.get(f"{RUNS}?status=done").json()["count"] == 3


def test_run_over_every_agreement(world, clients, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(clients["superuser"], RUNS, {"period": "2026-08"})
    assert response.status_code == 201
    run = clients["superuser"].get(f"{RUNS}{response.json()['id']}/").json()
    assert (run["agreement"], run["total"], run["done"], run["status"]) == (None, 3, 3, "done")
    # A superuser's run over every agreement is the installation's (issue 11): staff see
    # a run only of an agreement in their scope or started by their own agency.
    assert clients["staff_a"].get(f"{RUNS}{run['id']}/").status_code == 404
    assert clients["finance_a1"].get(f"{RUNS}{run['id']}/").status_code == 404


# --- statements: state changes -------------------------------------------------------------


def test_dispute_withdraw_reply_void_correct(
    world, clients, issued, django_capture_on_commit_callbacks
):
    staff, finance = clients["staff_a"], clients["finance_a1"]
    url = f"{STATEMENTS}{issued.pk}"
    no_comment = _post(finance, f"{url}/dispute/", {})
    assert (no_comment.status_code, no_comment.json()) == (400, {"comment": [msg.COMMENT_REQUIRED]})
    blank = _post(finance, f"{url}/dispute/", {"comment": "  "})
    assert blank.json() == {"comment": [msg.COMMENT_REQUIRED]}
    # Today is long past the receipt deadline (2026-09-15): silence has confirmed it.
    late = _post(finance, f"{url}/dispute/", {"comment": "物流费有误 / logistics is wrong"})
    assert (late.status_code, late.json()) == (
        409,
        {"detail": msg.RECEIPT_DEADLINE_PASSED.format(deadline="2026-09-15")},
    )
    after = _post(staff, f"{url}/dispute/", {"comment": "x", "disputed_on": "2026-09-16"})
    assert after.json() == {
        "disputed_on": [msg.DISPUTE_AFTER_DEADLINE.format(deadline="2026-09-15")]
    }
    # Staff record the brand's written dispute of 2026-09-12: no payment due date while open.
    disputed = _post(
        staff,
        f"{url}/dispute/",
        {"comment": "物流费有误 / logistics is wrong", "disputed_on": "2026-09-12"},
    )
    assert disputed.status_code == 200, disputed.data
    body = disputed.json()
    assert (body["status"], body["dispute_comment"], body["disputed_on"]) == (
        "disputed",
        "物流费有误 / logistics is wrong",
        "2026-09-12",
    )
    assert body["payment_due_on"] is None
    assert _post(staff, f"{url}/reply/", {}).json() == {"reply": [msg.REQUIRED]}
    replied = _post(
        staff, f"{url}/reply/", {"reply": "已核实 / checked", "replied_on": "2026-09-14"}
    )
    assert (replied.json()["agency_reply"], replied.json()["replied_on"]) == (
        "已核实 / checked",
        "2026-09-14",
    )
    early = _post(finance, f"{url}/withdraw-dispute/", {"withdrawn_on": "2026-09-11"})
    assert early.json() == {"withdrawn_on": [msg.BEFORE_DISPUTE.format(disputed_on="2026-09-12")]}
    # Withdrawn after the receipt deadline: confirmed on that day, due 3 working days later.
    withdrawn = _post(finance, f"{url}/withdraw-dispute/", {"withdrawn_on": "2026-09-20"})
    body = withdrawn.json()
    assert (withdrawn.status_code, body["status"], body["confirmed_on"]) == (
        200,
        "confirmed",
        "2026-09-20",
    )
    assert (body["withdrawn_on"], body["payment_due_on"], body["deemed_confirmed"]) == (
        "2026-09-20",
        "2026-09-23",
        False,
    )
    again = _post(finance, f"{url}/withdraw-dispute/")
    assert (again.status_code, again.json()) == (
        409,
        {"detail": msg.NOT_DISPUTED.format(status="confirmed")},
    )
    assert _post(staff, f"{url}/reply/", {"reply": "x"}).status_code == 409

    _post(staff, PAYMENTS, {"statement": issued.pk, "amount": "500.00", "paid_on": "2026-09-25"})
    assert _post(staff, f"{url}/void/", {}).json() == {"reason": [msg.REASON_REQUIRED]}
    assert _post(staff, f"{url}/void/", {"reason": ""}).json() == {"reason": [msg.REASON_REQUIRED]}
    voided = _post(staff, f"{url}/void/", {"reason": "物流费更正 / logistics corrected"})
    assert voided.status_code == 200, voided.data
    assert (voided.json()["status"], voided.json()["void_reason"]) == (
        "void",
        "物流费更正 / logistics corrected",
    )
    void_pdf = finance.get(f"{url}/pdf/")
    assert (void_pdf.status_code, void_pdf.content[:4]) == (200, b"%PDF")
    twice = _post(staff, f"{url}/void/", {"reason": "x"})
    assert twice.json() == {"detail": msg.CANNOT_VOID.format(status="void")}

    corrected = _post(staff, f"{url}/correct/")
    assert corrected.status_code == 201, corrected.data
    v2 = corrected.json()
    assert (v2["version"], v2["number"], v2["status"], v2["previous_version"]) == (
        2,
        f"{issued.number}-v2",
        "draft",
        issued.pk,
    )
    assert finance.get(f"{url}/").json()["next_version"] == v2["id"]
    assert _post(staff, f"{url}/correct/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        reissued = _post(staff, f"{STATEMENTS}{v2['id']}/issue/", {"issued_on": "2026-09-20"})
    assert reissued.status_code == 200, reissued.data
    # The payment on the voided version moved to the new one.
    assert (reissued.json()["amount_paid"], reissued.json()["payment_status"]) == (
        "500.00",
        "partially_paid",
    )
    assert Payment.objects.get().moved_from_id == issued.pk


def test_state_conflicts_are_409(world, clients, august):
    staff, finance = clients["staff_a"], clients["finance_a1"]
    url = f"{STATEMENTS}{august.pk}"
    confirm = _post(finance, f"{url}/confirm/")
    assert (confirm.status_code, confirm.json()) == (
        409,
        {"detail": msg.CANNOT_CONFIRM.format(status="draft")},
    )
    assert _post(finance, f"{url}/dispute/", {"comment": "x"}).status_code == 409
    assert _post(staff, f"{url}/void/", {"reason": "x"}).status_code == 409
    assert _post(staff, f"{url}/correct/").json() == {
        "detail": msg.CORRECT_ONLY_VOID.format(status="draft")
    }
    payment = _post(
        staff, PAYMENTS, {"statement": august.pk, "amount": "1.00", "paid_on": "2026-09-01"}
    )
    assert (payment.status_code, payment.json()) == (
        409,
        {"detail": msg.PAYMENT_STATE.format(status="draft")},
    )
    early = _post(staff, f"{url}/issue/", {"issued_on": "2026-08-31"})
    assert (early.status_code, early.json()) == (
        400,
        {"issued_on": [msg.PERIOD_NOT_ENDED.format(period="2026-08")]},
    )
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert _post(staff, f"{url}/issue/", {"issued_on": future}).json() == {
        "issued_on": [msg.FUTURE_DATE]
    }
    assert set(_post(staff, f"{url}/issue/", {"issued_on": "soon"}).json()) == {"issued_on"}
    assert set(_post(staff, f"{url}/issue/", ["2026-09-08"]).json()) == {"non_field_errors"}
    issued = _post(staff, f"{url}/issue/", {"issued_on": "2026-09-08"})
    assert issued.status_code == 200
    assert _post(staff, f"{url}/issue/").json() == {"detail": msg.NOT_DRAFT.format(status="issued")}
    before = _post(finance, f"{url}/confirm/", {"confirmed_on": "2026-09-07"})
    assert before.json() == {"confirmed_on": [msg.BEFORE_ISSUE]}


@pytest.mark.parametrize(
    ("role", "action", "body", "expected"),
    [
        ("finance_a1", "issue", {}, 403),
        ("viewer_a1", "issue", {}, 403),
        ("viewer_a1", "confirm", {}, 403),
        ("viewer_a1", "dispute", {"comment": "x"}, 403),
        ("viewer_a1", "withdraw-dispute", {}, 403),
        ("finance_a1", "void", {"reason": "x"}, 403),
        ("finance_a1", "reply", {"reply": "x"}, 403),
        ("finance_a1", "correct", {}, 403),
        ("finance_a2", "confirm", {}, 404),
        ("finance_b1", "dispute", {"comment": "x"}, 404),
        ("staff_b", "issue", {}, 404),
        ("staff_b", "void", {"reason": "x"}, 404),
        ("staff_b", "confirm", {}, 404),
    ],
)
def test_roles_and_scope_on_actions(world, clients, august, role, action, body, expected):
    response = _post(clients[role], f"{STATEMENTS}{august.pk}/{action}/", body)
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == {"detail": FORBIDDEN_FOR_ROLE}
    august.refresh_from_db()
    assert august.status == "draft"


def test_anonymous_is_401(world, august):
    client = APIClient()
    assert client.get(STATEMENTS).status_code == 401
    assert client.get(f"{STATEMENTS}{august.pk}/pdf/").status_code == 401
    assert _post(client, f"{STATEMENTS}{august.pk}/confirm/").status_code == 401


def test_staff_confirms_on_the_brands_behalf(world, clients, issued):
    response = _post(
        clients["staff_a"], f"{STATEMENTS}{issued.pk}/confirm/", {"confirmed_on": "2026-09-11"}
    )
    assert (response.status_code, response.json()["status"]) == (200, "confirmed")


# --- statements: reading, PDF, penalty ------------------------------------------------------


def test_statements_are_scoped_and_filtered(world, clients, august):
    staff, finance = clients["staff_a"], clients["finance_a1"]
    # Activation billed each brand's setup fee: one-off bills without a period.
    mine = finance.get(STATEMENTS).json()
    assert sorted((s["kind"], s["period"]) for s in mine["results"]) == [
        ("monthly", "2026-08"),
        ("setup_fee", None),
    ]
    assert staff.get(STATEMENTS).json()["count"] == 3
    assert clients["superuser"].get(STATEMENTS).json()["count"] == 4
    assert clients["finance_b1"].get(f"{STATEMENTS}{august.pk}/").status_code == 404
    assert clients["staff_b"].get(f"{STATEMENTS}{august.pk}/").status_code == 404

    def kinds(query):
        response = staff.get(STATEMENTS + query)
        assert response.status_code == 200, response.data
        return sorted(s["kind"] for s in response.json()["results"])

    assert kinds("?status=draft") == ["monthly"]
    assert kinds("?kind=setup_fee") == ["setup_fee", "setup_fee"]
    assert kinds("?period=2026-08&payment_status=unpaid") == ["monthly"]
    assert kinds(f"?agreement={_agreement(world, 'brand_a2').pk}") == ["setup_fee"]
    bad = staff.get(STATEMENTS + "?status=bogus&period=8/2026&kind=x&payment_status=y&agreement=z")
    assert bad.status_code == 400
    assert set(bad.json()) == {"status", "period", "kind", "payment_status", "agreement"}


def test_statement_list_has_no_n_plus_one(world, clients, august):
    staff = clients["staff_a"]
    with CaptureQueriesContext(connection) as few:
        assert staff.get(STATEMENTS).status_code == 200
    for brand in ("brand_a1", "brand_a2"):
        agreement = f.agreement("revenue_share", brand_org=world[brand], activate=True)
        assert agreement.statements.exists()
    with CaptureQueriesContext(connection) as more:
        assert staff.get(STATEMENTS).json()["count"] == 5
    assert len(more.captured_queries) == len(few.captured_queries)


def test_pdf_of_a_draft_is_a_live_preview(world, clients, august):
    response = clients["viewer_a1"].get(f"{STATEMENTS}{august.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf_accept = clients["viewer_a1"].get(
        f"{STATEMENTS}{august.pk}/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert pdf_accept.status_code == 200


def test_pdf_is_404_until_rendered_and_out_of_scope(world, clients, august):
    staff = clients["staff_a"]
    url = f"{STATEMENTS}{august.pk}"
    # Issued without running the on-commit job: no PDF yet.
    assert _post(staff, f"{url}/issue/", {"issued_on": "2026-09-08"}).status_code == 200
    response = clients["finance_a1"].get(f"{url}/pdf/")
    assert (response.status_code, response.json()) == (404, {"detail": PDF_NOT_READY})
    assert clients["finance_a1"].get(f"{url}/").json()["pdf_url"] is None


def test_pdf_of_another_brand_is_404(world, clients, issued):
    url = f"{STATEMENTS}{issued.pk}/pdf/"
    assert clients["finance_a1"].get(url).status_code == 200
    for role in ("finance_b1", "finance_a2", "staff_b"):
        assert clients[role].get(url).status_code == 404
    missing = clients["finance_a1"].get(f"{STATEMENTS}999999/pdf/", HTTP_ACCEPT="application/pdf")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")
    assert set(missing.json()) == {"detail"}


def test_penalty_query(world, clients, issued):
    url = f"{STATEMENTS}{issued.pk}/penalty/"
    finance = clients["finance_a1"]
    today = finance.get(url)
    assert (today.status_code, today.json()["as_of"]) == (200, timezone.localdate().isoformat())
    early = finance.get(url + "?as_of=2026-09-20").json()
    assert (early["penalty"], early["days_overdue"], early["outstanding"]) == ("0.00", 0, "2793.00")
    late = finance.get(url + "?as_of=2026-09-30").json()
    assert (late["penalty"], late["days_overdue"]) == ("83.79", 10)
    for bad in ("2026-13-01", "yesterday", "9999-99-99"):
        response = finance.get(url + f"?as_of={bad}")
        assert response.status_code == 400
        assert set(response.json()) == {"as_of"}
    far = finance.get(url + "?as_of=9999-12-31")  # a typo, not a day to compute (issue 11)
    assert (far.status_code, far.json()) == (
        400,
        {"as_of": [DATE_RANGE.format(first="2000-01-01", last="2100-12-31")]},
    )
    assert clients["finance_b1"].get(url).status_code == 404


# --- payments -----------------------------------------------------------------------------


def test_payment_rules(world, clients, issued):
    staff = clients["staff_a"]

    def pay(**kw):
        body = {"statement": issued.pk, "amount": "100.00", "paid_on": "2026-09-25", **kw}
        return _post(staff, PAYMENTS, body)

    over = pay(amount="2793.01")
    assert (over.status_code, over.json()) == (
        400,
        {"amount": [msg.OVERPAYMENT.format(outstanding="2793.00")]},
    )
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert pay(paid_on=future).json() == {"paid_on": [msg.FUTURE_DATE]}
    assert pay(amount="0").json() == {"amount": [msg.AMOUNT_POSITIVE]}
    assert pay(amount="-5").json() == {"amount": [msg.AMOUNT_POSITIVE]}
    assert pay(amount="1.234").json() == {"amount": [msg.AMOUNT_POSITIVE]}
    for bad in ("1e30", "abc", None, [1], "NaN", "Infinity"):
        response = pay(amount=bad)
        assert (response.status_code, set(response.json())) == (400, {"amount"}), bad
    assert set(pay(paid_on="2026-02-30").json()) == {"paid_on"}
    assert set(pay(statement="x").json()) == {"statement"}
    assert set(pay(reference="x" * 201).json()) == {"reference"}
    early = pay(paid_on="2026-09-01")  # before the issue date: fine
    assert early.status_code == 201
    assert Payment.objects.count() == 1


def test_payment_scope_and_roles(world, clients, issued):
    body = {"statement": issued.pk, "amount": "100.00", "paid_on": "2026-09-25"}
    denied = _post(clients["finance_a1"], PAYMENTS, body)
    assert (denied.status_code, denied.json()) == (403, {"detail": FORBIDDEN_FOR_ROLE})
    other = _post(clients["staff_b"], PAYMENTS, body)
    assert (other.status_code, other.json()) == (404, {"detail": STATEMENT_NOT_FOUND})
    assert _post(clients["staff_a"], PAYMENTS, {**body, "statement": 10**6}).status_code == 404
    created = _post(clients["staff_a"], PAYMENTS, body)
    assert created.status_code == 201
    url = f"{PAYMENTS}{created.json()['id']}/"
    assert clients["viewer_a1"].get(url).status_code == 200
    assert clients["finance_b1"].get(url).status_code == 404
    assert clients["finance_b1"].get(PAYMENTS).json()["count"] == 0
    assert (
        clients["finance_a1"].get(f"{PAYMENTS}?agreement={issued.agreement_id}").json()["count"]
        == 1
    )
    assert clients["finance_a1"].get(f"{PAYMENTS}?statement=abc").status_code == 400


def test_payment_external_ref_replays_and_conflicts(world, clients, issued):
    staff = clients["staff_a"]
    body = {
        "statement": issued.pk,
        "amount": "1000.00",
        "paid_on": "2026-09-25",
        "external_ref": "BANK-1",
    }
    first = _post(staff, PAYMENTS, body)
    again = _post(staff, PAYMENTS, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    conflict = _post(staff, PAYMENTS, {**body, "amount": "999.00"})
    assert (conflict.status_code, conflict.json()) == (
        409,
        {"detail": PAYMENT_REF_CONFLICT.format(ref="BANK-1")},
    )
    assert Payment.objects.count() == 1


def test_payment_external_ref_of_another_agency_is_not_handed_out(
    world, clients, issued, django_capture_on_commit_callbacks
):
    _post(
        clients["staff_a"],
        PAYMENTS,
        {"statement": issued.pk, "amount": "10.00", "paid_on": "2026-09-25", "external_ref": "R-1"},
    )
    b1 = _agreement(world, "brand_b1")
    setup_fee = Statement.objects.get(agreement=b1, kind="setup_fee")
    response = _post(
        clients["staff_b"],
        PAYMENTS,
        {
            "statement": setup_fee.pk,
            "amount": "10.00",
            "paid_on": "2026-09-25",
            "external_ref": "R-1",
        },
    )
    assert (response.status_code, response.json()) == (
        409,
        {"detail": PAYMENT_REF_CONFLICT.format(ref="R-1")},
    )


def test_payment_idempotency_key(world, clients, issued):
    staff = clients["staff_a"]
    body = {"statement": issued.pk, "amount": "1000.00", "paid_on": "2026-09-25"}
    key = {"HTTP_IDEMPOTENCY_KEY": "pay-2026-09-25-1"}
    first = _post(staff, PAYMENTS, body, **key)
    second = _post(staff, PAYMENTS, body, **key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Payment.objects.count() == 1
    reused = _post(staff, PAYMENTS, {**body, "amount": "5.00"}, **key)
    assert (reused.status_code, reused.json()) == (422, {"detail": IDEMPOTENCY_KEY_REUSED})
    assert _post(staff, PAYMENTS, body).status_code == 201  # no key: a second payment
    assert Payment.objects.count() == 2


# --- expenses -----------------------------------------------------------------------------


def _expense(on, **kw):
    body = {
        "agreement": on.pk,
        "period": "2026-08",
        "amount": "1200.00",
        "description": "抖音推广 / Douyin promotion",
        "receipt_ref": "FP-2026-0815",
        "approved_by_brand_on": "2026-08-10",
    }
    body.update(kw)
    return body


def test_expense_recorded_and_passed_through(world, clients, django_capture_on_commit_callbacks):
    staff = clients["staff_a"]
    agreement = _agreement(world)
    response = _post(staff, EXPENSES, _expense(agreement))
    assert response.status_code == 201, response.data
    expense = Expense.objects.get()
    assert response.json() == {
        "id": expense.pk,
        "agreement": agreement.pk,
        "period": "2026-08",
        "amount": "1200.00",
        "description": "抖音推广 / Douyin promotion",
        "receipt_ref": "FP-2026-0815",
        "approved_by_brand_on": "2026-08-10",
        "statement": None,
        "created_at": response.json()["created_at"],
    }
    _sale(staff, agreement)
    _run(staff, django_capture_on_commit_callbacks, agreement)
    statement = _monthly(agreement)
    assert staff.get(f"{STATEMENTS}{statement.pk}/").json()["total_due"] == "3993.00"
    listing = clients["finance_a1"].get(f"{EXPENSES}?agreement={agreement.pk}&period=2026-08")
    assert listing.json()["count"] == 1
    assert clients["finance_b1"].get(EXPENSES).json()["count"] == 0
    assert clients["finance_b1"].get(f"{EXPENSES}{expense.pk}/").status_code == 404


def test_expense_rules_and_roles(world, clients):
    staff = clients["staff_a"]
    agreement = _agreement(world)
    assert _post(staff, EXPENSES, _expense(agreement, receipt_ref="")).json() == {
        "receipt_ref": [msg.RECEIPT_REQUIRED]
    }
    missing = {
        k: v for k, v in _expense(agreement).items() if k not in ("receipt_ref", "description")
    }
    assert _post(staff, EXPENSES, missing).json() == {
        "description": [msg.REQUIRED],
        "receipt_ref": [msg.RECEIPT_REQUIRED],
    }
    assert _post(staff, EXPENSES, _expense(agreement, amount="0")).json() == {
        "amount": [msg.AMOUNT_POSITIVE]
    }
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert _post(staff, EXPENSES, _expense(agreement, approved_by_brand_on=future)).json() == {
        "approved_by_brand_on": [msg.FUTURE_DATE]
    }
    assert set(_post(staff, EXPENSES, _expense(agreement, period="2026-8")).json()) == {"period"}
    b2b = f.agreement(
        "b2b_commission",
        brand_org=world["brand_a1"],
        activate=True,
        terms={"monthly_service_fee": Decimal("8000.00")},
    )
    assert _post(staff, EXPENSES, _expense(b2b)).json() == {"agreement": [msg.EXPENSE_KIND]}
    other = _post(staff, EXPENSES, _expense(_agreement(world, "brand_b1")))
    assert (other.status_code, other.json()) == (404, {"detail": AGREEMENT_NOT_FOUND})
    assert _post(clients["finance_a1"], EXPENSES, _expense(agreement)).status_code == 403
    assert not Expense.objects.exists()
    key = {"HTTP_IDEMPOTENCY_KEY": "exp-1"}
    assert _post(staff, EXPENSES, _expense(agreement), **key).status_code == 201
    assert _post(staff, EXPENSES, _expense(agreement), **key).status_code == 201
    assert Expense.objects.count() == 1


JUNK = [
    "null",
    '"text"',
    "[]",
    "[1, 2]",
    '[{"a": 1}]',
    "{}",
    '{"statement": {"x": 1}, "agreement": [1], "period": 202608, "amount": 1e400}',
    '{"comment": 5, "reason": [], "reply": {}, "issued_on": 20260908, "confirmed_on": true}',
    '{"amount": "9999999999999999999999.99", "paid_on": "99999-01-01", "statement": -1}',
    "{broken",
]


@pytest.mark.parametrize("body", JUNK)
def test_junk_never_500(world, clients, august, body):
    staff = clients["staff_a"]
    urls = [RUNS, PAYMENTS, EXPENSES]
    urls += [
        f"{STATEMENTS}{august.pk}/{name}/"
        for name in ("issue", "confirm", "dispute", "withdraw-dispute", "reply", "void", "correct")
    ]
    for url in urls:
        response = staff.post(url, body, content_type="application/json")
        assert response.status_code < 500, (url, response.status_code)
    for query in ("?as_of=", "?as_of=0001-01-01", "?as_of=%00", "?as_of[]=1"):
        response = staff.get(f"{STATEMENTS}{august.pk}/penalty/{query}")
        assert response.status_code < 500, query
    for url in (STATEMENTS, PAYMENTS, EXPENSES, RUNS):
        assert staff.get(f"{url}?page=999&page_size=abc&agreement=%00").status_code < 500
