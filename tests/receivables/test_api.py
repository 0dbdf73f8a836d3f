"""receivables/ and balance-confirmations/ through the API: shape, scope, states."""

from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.messages import FUTURE_DATE
from receivables import messages as msg
from receivables.models import BalanceConfirmation
from tests.api.conftest import token_client
from tests.receivables.conftest import TODAY

pytestmark = pytest.mark.django_db
RECEIVABLES = "/api/v1/receivables/"
CONFIRMATIONS = "/api/v1/balance-confirmations/"
BUCKETS = ["not_due", "1_30", "31_60", "61_90", "over_90", "disputed"]


@pytest.fixture
def api(world, other):
    return {
        name: token_client(user)
        for name, user in {
            "staff": world.staff,
            "finance": world.finance,
            "viewer": world.viewer,
            "other_staff": other.staff,
            "other_finance": other.finance,
        }.items()
    }


def test_receivables_shape(world, api):
    body = api["finance"].get(RECEIVABLES).json()
    assert set(body) == {"as_of", "brand", "items", "buckets", "total"}
    assert (body["as_of"], body["brand"]) == (TODAY.isoformat(), world.brand.pk)
    assert list(body["buckets"]) == BUCKETS
    august = next(i for i in body["items"] if i["statement"] == world.august.pk)
    assert august == {
        "statement": world.august.pk,
        "number": world.august.number,
        "brand": world.brand.pk,
        "kind": "monthly",
        "period": "2026-08",
        "payment_due_on": world.august.payment_due_on.isoformat(),
        "outstanding": "3570.00",
        "penalty": august["penalty"],
        "days_past_due": (TODAY - world.august.payment_due_on).days,
        "bucket": "over_90",
    }
    assert Decimal(august["penalty"]) > 0
    assert body["buckets"]["disputed"] == {"count": 1, "principal": "3570.00", "penalty": "0.00"}
    principal = sum(Decimal(b["principal"]) for b in body["buckets"].values())
    assert body["total"]["principal"] == f"{principal:.2f}" == "17140.00"
    assert body["total"]["count"] == len(body["items"]) == 3


def test_receivables_as_of_a_past_day_and_never_the_future(world, api):
    day = world.august.payment_due_on + timedelta(days=31)
    body = api["staff"].get(f"{RECEIVABLES}?as_of={day}&brand={world.brand.pk}").json()
    august = next(i for i in body["items"] if i["statement"] == world.august.pk)
    assert (august["days_past_due"], august["bucket"]) == (31, "31_60")
    future = api["staff"].get(f"{RECEIVABLES}?as_of={TODAY + timedelta(days=1)}")
    assert (future.status_code, future.json()) == (400, {"as_of": [FUTURE_DATE]})
    for bad in ("?as_of=2026-13-01", "?brand=abc", "?as_of=9999-12-31", "?brand=0"):
        response = api["staff"].get(RECEIVABLES + bad)
        assert response.status_code == 400, bad


def test_receivables_are_scoped(world, other, api):
    mine = {i["statement"] for i in api["staff"].get(RECEIVABLES).json()["items"]}
    theirs = {i["statement"] for i in api["other_staff"].get(RECEIVABLES).json()["items"]}
    assert mine and theirs and not mine & theirs
    assert api["staff"].get(RECEIVABLES).json()["brand"] is None  # every brand of the agency
    for client, brand in ((api["finance"], other.brand), (api["other_staff"], world.brand)):
        response = client.get(f"{RECEIVABLES}?brand={brand.pk}")
        assert (response.status_code, response.json()) == (404, {"detail": msg.BRAND_NOT_FOUND})
    missing = api["finance"].get(f"{RECEIVABLES}?brand=987654321")
    assert missing.json() == {"detail": msg.BRAND_NOT_FOUND}


def test_issue_and_answer_a_balance_confirmation(world, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = api["staff"].post(
            CONFIRMATIONS, {"brand": world.brand.pk, "as_of": TODAY.isoformat()}, format="json"
        )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {"id", "brand", "as_of", "items", "total_outstanding", "total_penalty", "status"} <= set(
        body
    )
    assert (body["brand"], body["as_of"], body["status"]) == (
        world.brand.pk,
        TODAY.isoformat(),
        "issued",
    )
    assert body["total_outstanding"] == "17140.00" and len(body["items"]) == 3
    url = f"{CONFIRMATIONS}{body['id']}/"
    pdf = api["finance"].get(f"{url}pdf/")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = api["viewer"].get(f"{url}xlsx/")
    assert xlsx.status_code == 200
    import io

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert world.august.number in numbers
    assert sheet.cell(row=sheet.max_row, column=7).value == Decimal("17140.00")
    # A viewer reads only; finance confirms, once.
    assert api["viewer"].post(f"{url}confirm/").status_code == 403
    confirmed = api["finance"].post(f"{url}confirm/")
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
    again = api["finance"].post(f"{url}dispute/", {"comment": "不对"}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": msg.ALREADY_ANSWERED.format(status="confirmed")}


def test_dispute_needs_a_comment(world, api):
    created = api["staff"].post(CONFIRMATIONS, {"brand": world.brand.pk}, format="json").json()
    assert created["as_of"] == TODAY.isoformat()
    url = f"{CONFIRMATIONS}{created['id']}/dispute/"
    assert api["finance"].post(url, {"comment": " "}, format="json").json() == {
        "comment": [msg.COMMENT_REQUIRED]
    }
    done = api["finance"].post(url, {"comment": "九月仍在异议"}, format="json").json()
    assert (done["status"], done["dispute_comment"]) == ("disputed", "九月仍在异议")


def test_balance_confirmations_are_scoped(world, other, api):
    created = api["staff"].post(CONFIRMATIONS, {"brand": world.brand.pk}, format="json").json()
    # No PDF yet (nothing ran the commit hooks): 404 until rendered.
    assert api["finance"].get(f"{CONFIRMATIONS}{created['id']}/pdf/").status_code == 404
    assert created["pdf_url"] is None
    for client in (api["other_finance"], api["other_staff"]):
        assert client.get(f"{CONFIRMATIONS}{created['id']}/").status_code == 404
        assert client.get(CONFIRMATIONS).json()["results"] == []
        assert client.post(f"{CONFIRMATIONS}{created['id']}/confirm/").status_code == 404
    # Staff may not issue for another agency's brand; brand users may not issue at all.
    refused = api["other_staff"].post(CONFIRMATIONS, {"brand": world.brand.pk}, format="json")
    assert (refused.status_code, refused.json()) == (404, {"detail": msg.BRAND_NOT_FOUND})
    assert (
        api["finance"].post(CONFIRMATIONS, {"brand": world.brand.pk}, format="json").status_code
        == 403
    )
    future = api["staff"].post(
        CONFIRMATIONS,
        {"brand": world.brand.pk, "as_of": (TODAY + timedelta(days=1)).isoformat()},
        format="json",
    )
    assert (future.status_code, future.json()) == (400, {"as_of": [FUTURE_DATE]})
    assert BalanceConfirmation.objects.count() == 1
    listed = api["finance"].get(f"{CONFIRMATIONS}?status=issued").json()
    assert [row["id"] for row in listed["results"]] == [created["id"]]
