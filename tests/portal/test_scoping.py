"""Every portal URL that takes an id answers 404 for another brand's object (and for a
draft), for every method, and never changes it; the list pages never show it."""

import pytest
from django.urls import reverse

from settlements.models import Statement
from tests.portal.conftest import logged_in

pytestmark = pytest.mark.django_db

STATEMENT_URLS = [
    ("statement", "get"),
    ("statement_pdf", "get"),
    ("statement_confirm", "get"),
    ("statement_confirm", "post"),
    ("statement_dispute", "get"),
    ("statement_dispute", "post"),
    ("statement_withdraw", "get"),
    ("statement_withdraw", "post"),
]


def _hit(client, method, path, data=None):
    return getattr(client, method)(path, data or {})


@pytest.mark.parametrize(("name", "method"), STATEMENT_URLS)
@pytest.mark.parametrize("who", ["finance", "viewer"])
def test_another_brands_statement_is_404(world, name, method, who):
    client = logged_in(getattr(world, who))
    path = reverse(f"portal:{name}", args=[world.silk_statement.pk])
    response = _hit(client, method, path, {"comment": "不是我的"})
    assert response.status_code == 404
    world.silk_statement.refresh_from_db()
    assert world.silk_statement.status == Statement.Status.ISSUED


@pytest.mark.parametrize(("name", "method"), STATEMENT_URLS)
def test_the_other_way_round_too(world, name, method):
    client = logged_in(world.silk_finance)
    for statement in (world.issued, world.confirmed):
        path = reverse(f"portal:{name}", args=[statement.pk])
        assert _hit(client, method, path, {"comment": "x"}).status_code == 404


@pytest.mark.parametrize(("name", "method"), STATEMENT_URLS)
def test_own_drafts_are_404(finance_client, world, name, method):
    path = reverse(f"portal:{name}", args=[world.draft.pk])
    assert _hit(finance_client, method, path).status_code == 404


def test_unknown_ids_are_404(finance_client):
    assert finance_client.get(reverse("portal:statement", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("name", "query", "month"),
    [
        ("sales_month", "", "2026-08"),
        ("sales_csv", "?agreement={pk}", None),
        ("sales_csv", "?agreement={pk}&period=2026-08", None),
        ("kpis_csv", "?agreement={pk}", None),
        ("sales", "?agreement={pk}", None),
        ("kpis", "?agreement={pk}", None),
    ],
)
def test_another_brands_agreement_is_404(world, name, query, month):
    other = world.silk_rs if name != "kpis_csv" and name != "kpis" else world.b2b
    client = logged_in(world.finance if other == world.silk_rs else world.silk_finance)
    args = [other.pk, month] if month else []
    target = reverse(f"portal:{name}", args=args) + query.format(pk=other.pk)
    assert client.get(target).status_code == 404, target


def test_bad_agreement_parameters_are_404(finance_client, world):
    for target in (
        reverse("portal:sales_csv"),
        reverse("portal:sales_csv") + "?agreement=abc",
        reverse("portal:kpis_csv") + f"?agreement={world.rs.pk}",  # not a B2B agreement
        reverse("portal:sales") + "?agreement=-1",
    ):
        assert finance_client.get(target).status_code == 404, target


def test_lists_and_dashboard_never_mention_the_other_brand(world):
    client = logged_in(world.finance)
    for name in ("dashboard", "statements", "sales", "kpis"):
        page = client.get(reverse(f"portal:{name}")).content.decode()
        assert world.silk_statement.number not in page
        assert world.silk_rs.number not in page
        assert "江南丝绸" not in page
