"""The API: statements show their VAT split; staff keep a brand's invoicing details on
organizations/, checked, and a brand user cannot write them."""

from decimal import Decimal

import pytest

from accounts import messages as msg
from accounts.models import Organization
from common.api.permissions import FORBIDDEN_FOR_ROLE
from common.models import Event
from settlements.models import Statement

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/organizations/"
STATEMENTS = "/api/v1/statements/"
D = Decimal

DETAILS = {
    "invoice_title": "品牌A1（上海）有限公司",
    "tax_id": "91350100M000100Y43",
    "invoice_address_phone": "上海市静安区某路1号 021-12345678",
    "invoice_bank_account": "招商银行上海分行 6225 0000 0000 0001",
    "payer_names": ["品牌A1（上海）有限公司", "品牌A1 天猫旗舰店"],
    "payer_accounts": ["6225 0000 0000 0001"],
}


def _patch(client, org, data):
    return client.patch(f"{ORGS}{org.pk}/", data, format="json")


@pytest.mark.parametrize(("rate", "text"), [("0.06", "0.06"), ("0.03", "0.03"), ("0", "0")])
def test_statements_show_the_rate_and_the_split(world, clients, rate, text):
    agreement = world["agreements"][world["brand_a1"].pk]
    bill = Statement.objects.get(agreement=agreement, kind="setup_fee")
    Statement.objects.filter(pk=bill.pk).update(vat_rate=D(rate))
    body = clients["finance_a1"].get(f"{STATEMENTS}{bill.pk}/").json()
    split = {
        "0.06": ("9433.96", "566.04"),
        "0.03": ("9708.74", "291.26"),
        "0": ("10000.00", "0.00"),
    }[rate]
    assert (body["vat_rate"], body["amount_without_tax"], body["tax_amount"]) == (text, *split)
    assert body["total_due"] == "10000.00"
    listed = clients["finance_a1"].get(f"{STATEMENTS}?agreement={agreement.pk}").json()
    assert listed["results"][0]["tax_amount"] == split[1]


def test_the_split_fields_are_read_only(world, clients):
    bill = Statement.objects.filter(agreement__brand=world["brand_a1"]).first()
    response = clients["staff_a"].patch(
        f"{STATEMENTS}{bill.pk}/", {"vat_rate": "0.01"}, format="json"
    )
    assert response.status_code == 405
    bill.refresh_from_db()
    assert bill.vat_rate == D("0.06")


def test_staff_write_a_brands_invoicing_details(world, clients):
    brand = world["brand_a1"]
    response = _patch(clients["staff_a"], brand, {**DETAILS, "tax_id": " 91350100m000100y43 "})
    assert response.status_code == 200, response.data
    body = response.json()
    assert {name: body[name] for name in DETAILS} == {
        **DETAILS,
        "payer_accounts": ["6225000000000001"],  # spaces removed
    }
    brand.refresh_from_db()
    assert brand.tax_id == "91350100M000100Y43"
    assert brand.payer_names == DETAILS["payer_names"]
    event = Event.objects.filter(action="organization.changed", object_id=brand.pk).get()
    assert "tax_id" in event.detail["fields"]
    # The brand's users read them.
    own = clients["viewer_a1"].get(f"{ORGS}{brand.pk}/").json()
    assert own["invoice_title"] == DETAILS["invoice_title"]


def test_a_new_brand_may_come_with_its_details(world, clients):
    response = clients["staff_a"].post(
        ORGS, {"name": "新品牌", "kind": "brand", **DETAILS}, format="json"
    )
    assert response.status_code == 201, response.data
    assert Organization.objects.get(name="新品牌").tax_id == DETAILS["tax_id"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"tax_id": "91350100M000100Y44"}, {"tax_id": [msg.TAX_ID_CHECK]}),
        ({"tax_id": "91350100M00010"}, {"tax_id": [msg.TAX_ID_LENGTH]}),
        ({"tax_id": "91350100M000100I43"}, {"tax_id": [msg.TAX_ID_CHARACTERS]}),
        ({"tax_id": "x" * 41}, None),  # DRF's own length message
        ({"payer_names": ["甲", " "]}, {"payer_names": [msg.ENTRY_EMPTY.format(position=2)]}),
        ({"payer_names": ["甲", "甲 "]}, {"payer_names": [msg.ENTRY_TWICE.format(value="甲")]}),
        (
            {"payer_accounts": [str(n) for n in range(21)]},
            {"payer_accounts": [msg.TOO_MANY.format(max=20)]},
        ),
        ({"payer_names": "甲公司"}, None),  # not a list
        ({"payer_names": [None]}, None),
        (
            {"tax_id": "1", "payer_names": [""]},
            {
                "tax_id": [msg.TAX_ID_LENGTH],
                "payer_names": [msg.ENTRY_EMPTY.format(position=1)],
            },
        ),
    ],
)
def test_bad_details_are_400_with_the_reason(world, clients, data, errors):
    brand = world["brand_a1"]
    response = _patch(clients["staff_a"], brand, data)
    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    else:
        assert set(response.json()) == set(data)
    brand.refresh_from_db()
    assert brand.tax_id == "" and brand.payer_names == []


def test_an_old_fifteen_character_number_is_accepted(world, clients):
    response = _patch(clients["staff_a"], world["brand_a1"], {"tax_id": "310104123456789"})
    assert response.status_code == 200 and response.json()["tax_id"] == "310104123456789"


def test_an_agency_carries_no_invoicing_details(world, clients):
    agency = world["agency_a"]
    response = clients["superuser"].patch(
        f"{ORGS}{agency.pk}/",
        {"invoice_title": "代运营甲", "payer_names": ["x"], "tax_id": ""},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "invoice_title": [msg.INVOICING_BRAND_ONLY],
        "payer_names": [msg.INVOICING_BRAND_ONLY],
    }
    # Empty values are fine: an agency's details stay empty.
    assert _patch(clients["staff_a"], agency, {"invoice_title": ""}).status_code == 200


@pytest.mark.parametrize("who", ["finance_a1", "viewer_a1"])
def test_brand_users_cannot_write_organizations(world, clients, who):
    brand = world["brand_a1"]
    response = _patch(clients[who], brand, {"invoice_title": "改名"})
    assert response.status_code == 403
    assert response.json() == {"detail": FORBIDDEN_FOR_ROLE}
    brand.refresh_from_db()
    assert brand.invoice_title == ""


def test_another_agencys_brand_is_404(world, clients):
    other = world["brand_b1"]
    assert _patch(clients["staff_a"], other, {"invoice_title": "x"}).status_code == 404
    assert _patch(clients["finance_a1"], other, {"invoice_title": "x"}).status_code == 404
    assert clients["finance_a1"].get(f"{ORGS}{other.pk}/").status_code == 404
