"""products/ and agreements/ (with their actions) through the REST API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from common.api.idempotency import IDEMPOTENCY_KEY_REUSED
from common.models import Event
from contracts import api
from contracts import validation as msg
from contracts.models import Agreement, Product, ProductPrice, RenewalObjection
from contracts.services import OPENING_PRICES_FROM
from core.periods import Period, add_months
from settlements import messages as settlement_msg
from settlements.models import StatementDemand
from settlements.services import issue_deadline_of
from tests import factories as f

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
AGREEMENTS = "/api/v1/agreements/"
COMMON_TERMS = {
    "vat_rate": "0.06",
    "invoice_before_payment": False,
    "invoice_payment_working_days": 5,
    "cure_days": 15,
}


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


def _a1(world):
    return world["agreements"][world["brand_a1"].pk]


def _agreement_payload(world, **changes):
    payload = {
        "number": "HT-2026-0500",
        "kind": "revenue_share",
        "brand": world["brand_a1"].pk,
        "title": "天猫旗舰店代运营",
        "signed_on": "2026-05-20",
        "starts_on": "2026-06-01",
        "ends_on": "2027-05-31",
    }
    payload.update(changes)
    return payload


def _post_agreement(client, world, **changes):
    return client.post(AGREEMENTS, _agreement_payload(world, **changes), format="json")


# --- products ---------------------------------------------------------------------------


def test_products_are_scoped_and_money_is_two_decimals(world, clients):
    response = clients["finance_a1"].get(PRODUCTS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    product = world["brand_a1"].products.get()
    assert body["results"][0] == {
        "id": product.pk,
        "brand": world["brand_a1"].pk,
        "sku": "TEA-1",
        "name": "测试产品",
        "factory_price": "80.00",
        "distributor_price": "120.00",
        "min_retail_price": "199.00",
        "units_per_carton": 1,
    }
    assert clients["staff_a"].get(PRODUCTS).json()["count"] == 2
    assert clients["superuser"].get(PRODUCTS).json()["count"] == 3


def test_product_filters(world, clients):
    f.product(world["brand_a1"], sku="TEA-2")
    client = clients["staff_a"]
    by_brand = client.get(PRODUCTS, {"brand": world["brand_a2"].pk}).json()
    assert [row["brand"] for row in by_brand["results"]] == [world["brand_a2"].pk]
    by_sku = client.get(PRODUCTS, {"sku": "TEA-2"}).json()
    assert [row["sku"] for row in by_sku["results"]] == ["TEA-2"]
    assert client.get(PRODUCTS, {"brand": "abc"}).status_code == 400


def test_create_a_product(world, clients):
    response = clients["staff_a"].post(
        PRODUCTS,
        {
            "brand": world["brand_a1"].pk,
            "sku": "TEA-9",
            "name": "白茶",
            "factory_price": "10",
            "distributor_price": "15.5",
            "min_retail_price": "29.90",
            "units_per_carton": 24,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["factory_price"], body["distributor_price"], body["min_retail_price"]) == (
        "10.00",
        "15.50",
        "29.90",
    )
    assert body["units_per_carton"] == 24
    assert "valid_from" not in body


def test_negative_price_and_duplicate_sku_and_foreign_brand_are_400(world, clients):
    client = clients["staff_a"]
    base = {
        "brand": world["brand_a1"].pk,
        "sku": "TEA-9",
        "name": "x",
        "factory_price": "10",
        "distributor_price": "15",
        "min_retail_price": "20",
    }
    response = client.post(PRODUCTS, {**base, "factory_price": "-0.01"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"factory_price": [msg.NEGATIVE_PRICE]}
    response = client.post(PRODUCTS, {**base, "sku": "TEA-1"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"sku": [api.SKU_TAKEN]}
    response = client.post(PRODUCTS, {**base, "brand": world["brand_b1"].pk}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"brand"}
    product = world["brand_a1"].products.get()
    response = client.patch(f"{PRODUCTS}{product.pk}/", {"min_retail_price": "-1"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"min_retail_price": [msg.NEGATIVE_PRICE]}


def test_price_change_keeps_the_history(world, clients):
    product = world["brand_a1"].products.get()
    today = timezone.localdate()
    response = clients["staff_a"].patch(
        f"{PRODUCTS}{product.pk}/",
        {"factory_price": "85.00", "valid_from": (today - timedelta(days=10)).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["factory_price"] == "85.00"
    assert response.json()["distributor_price"] == "120.00"  # unchanged ones are kept
    history = list(ProductPrice.objects.filter(product=product).order_by("valid_from"))
    assert [(p.valid_from, p.factory_price, p.distributor_price) for p in history] == [
        (OPENING_PRICES_FROM, Decimal("80.00"), Decimal("120.00")),
        (today - timedelta(days=10), Decimal("85.00"), Decimal("120.00")),
    ]
    assert Event.objects.filter(action="product.prices_set", object_id=product.pk).exists()


def test_future_prices_wait_for_their_day_and_default_is_today(world, clients):
    product = world["brand_a1"].products.get()
    today = timezone.localdate()
    url = f"{PRODUCTS}{product.pk}/"
    future = (today + timedelta(days=30)).isoformat()
    response = clients["staff_a"].patch(
        url, {"factory_price": "90", "valid_from": future}, format="json"
    )
    assert response.json()["factory_price"] == "80.00"
    assert ProductPrice.objects.filter(
        product=product, valid_from=future, factory_price=Decimal("90")
    ).exists()
    response = clients["staff_a"].patch(url, {"min_retail_price": "209"}, format="json")
    assert response.json()["min_retail_price"] == "209.00"
    assert ProductPrice.objects.filter(product=product, valid_from=today).exists()


def test_valid_from_alone_and_brand_change_are_400(world, clients):
    product = world["brand_a1"].products.get()
    url = f"{PRODUCTS}{product.pk}/"
    response = clients["staff_a"].patch(url, {"valid_from": "2026-01-01"}, format="json")
    assert response.json() == {"valid_from": [api.VALID_FROM_WITHOUT_PRICES]}
    response = clients["staff_a"].patch(url, {"brand": world["brand_a2"].pk}, format="json")
    assert response.json() == {"brand": [api.BRAND_FIXED]}
    response = clients["staff_a"].patch(url, {"name": "红茶"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "红茶"


def test_products_brand_users_403_and_others_404(world, clients):
    product = world["brand_a1"].products.get()
    url = f"{PRODUCTS}{product.pk}/"
    assert clients["finance_a1"].patch(url, {"name": "x"}, format="json").status_code == 403
    response = clients["finance_a1"].post(
        PRODUCTS,
        {
            "brand": world["brand_a1"].pk,
            "sku": "Z",
            "name": "z",
            "factory_price": "1",
            "distributor_price": "1",
            "min_retail_price": "1",
        },
        format="json",
    )
    assert response.status_code == 403
    for name in ("finance_a2", "finance_b1", "staff_b"):
        assert clients[name].get(url).status_code == 404
        assert clients[name].patch(url, {"name": "x"}, format="json").status_code == 404
    assert Product.objects.get(pk=product.pk).name == "测试产品"
    assert APIClient().get(PRODUCTS).status_code == 401


# --- agreements: reading ----------------------------------------------------------------


def test_agreement_detail_shows_terms_money_rates_and_dates(world, clients):
    agreement = _a1(world)
    response = clients["viewer_a1"].get(f"{AGREEMENTS}{agreement.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        **body,
        "id": agreement.pk,
        "number": agreement.number,
        "kind": "revenue_share",
        "brand": world["brand_a1"].pk,
        "agency": world["agency_a"].pk,
        "signed_on": "2026-05-20",
        "starts_on": "2026-06-01",
        "ends_on": "2027-05-31",
        "status": "active",
        "auto_renew": True,
        "renewal_term_months": 12,
        "renewal_notice_months": 1,
        "penalty_rate_per_day": "0.003",
        "bank_account": world["agency_a"].bank_accounts.get().pk,
        "terminated_on": None,
        "termination_reason": "",
        "renewal_count": 0,
    }
    assert body["terms"] == {
        "agency_ratio": "0.30",
        "setup_fee": "10000.00",
        "setup_fee_due_days": 3,
        "setup_fee_penalty_rate_per_day": "0",
        "issue_by_day": 10,
        "receipt_working_days": 5,
        "payment_day": 20,
        "payment_window_start_day": 15,
        "payment_working_days": 3,
        "termination_overdue_days": 15,
        "dispute_reply_working_days": 5,
        "vat_rate": "0.06",
        "invoice_before_payment": False,
        "invoice_payment_working_days": 5,
        "cure_days": 15,
    }


def test_agreements_are_scoped_and_filtered(world, clients):
    a1, a2 = _a1(world), world["agreements"][world["brand_a2"].pk]
    draft = f.agreement("b2b_commission", brand_org=world["brand_a1"])
    staff = clients["staff_a"]
    assert _ids(staff.get(AGREEMENTS)) == {a1.pk, a2.pk, draft.pk}
    assert _ids(clients["finance_a1"].get(AGREEMENTS)) == {a1.pk, draft.pk}
    assert _ids(staff.get(AGREEMENTS, {"kind": "b2b_commission"})) == {draft.pk}
    assert _ids(staff.get(AGREEMENTS, {"status": "active"})) == {a1.pk, a2.pk}
    assert _ids(staff.get(AGREEMENTS, {"brand": world["brand_a2"].pk})) == {a2.pk}
    assert _ids(staff.get(AGREEMENTS, {"brand": world["brand_b1"].pk})) == set()
    assert staff.get(AGREEMENTS, {"status": "sleeping"}).status_code == 400
    assert APIClient().get(AGREEMENTS).status_code == 401


def test_other_brands_agreements_are_404_for_every_method_and_action(world, clients):
    agreement = _a1(world)
    base = f"{AGREEMENTS}{agreement.pk}/"
    calls = [
        ("get", base, None),
        ("patch", base, {"title": "x"}),
        ("post", f"{base}activate/", {}),
        ("post", f"{base}terminate/", {"on": "2026-09-30", "reason": "x"}),
        ("post", f"{base}demand/", {"period": "2026-06"}),
        ("post", f"{base}object-renewal/", {"on": "2026-07-01", "by": "brand"}),
    ]
    for name in ("finance_a2", "finance_b1", "staff_b"):
        for method, url, data in calls:
            response = getattr(clients[name], method)(url, data, format="json")
            assert response.status_code == 404, (name, method, url)
    agreement.refresh_from_db()
    assert agreement.status == "active" and agreement.title == "测试协议"
    assert not StatementDemand.objects.exists()
    assert not RenewalObjection.objects.exists()


# --- agreements: creating ---------------------------------------------------------------


def test_create_revenue_share_with_template_defaults(world, clients):
    response = _post_agreement(clients["staff_a"], world)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["agency"] == world["agency_a"].pk
    assert body["bank_account"] == world["agency_a"].bank_accounts.get().pk
    assert body["penalty_rate_per_day"] == "0.003"
    assert body["auto_renew"] is True
    assert body["terms"]["agency_ratio"] == "0.30"
    assert body["terms"]["setup_fee"] == "10000.00"
    agreement = Agreement.objects.get(pk=body["id"])
    assert agreement.revenue_share_terms.agency_ratio == Decimal("0.30")
    assert Event.objects.filter(action="agreement.created", agreement=agreement).exists()


def test_create_b2b_with_terms_and_products(world, clients):
    product = world["brand_a1"].products.get()
    response = _post_agreement(
        clients["staff_a"],
        world,
        kind="b2b_commission",
        products=[product.pk],
        exclusivity_party="agency",
        exclusivity_scope="线上 B2B 渠道",
        confidentiality_years=3,
        terms={
            "monthly_service_fee": "8000",
            "min_distributors": 5,
            "min_cartons": 100,
            "min_sales_amount": "50000",
            "min_conversion_rate": "0.02",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["penalty_rate_per_day"] == "0"
    assert body["products"] == [product.pk]
    assert (body["exclusivity_party"], body["confidentiality_years"]) == ("agency", 3)
    assert body["terms"] == {
        "monthly_service_fee": "8000.00",
        "min_distributors": 5,
        "min_cartons": 100,
        "min_sales_amount": "50000.00",
        "payment_working_days": 5,
        "web_targets_from_month": 4,
        "min_unique_visitors": 500,
        "min_daily_inquiries": "10",
        "min_conversion_rate": "0.02",
        "dispute_reply_working_days": 5,
        "vat_rate": "0.06",
        "invoice_before_payment": False,
        "invoice_payment_working_days": 5,
        "cure_days": 15,
    }


def test_create_consulting_with_installments(world, clients):
    response = _post_agreement(
        clients["staff_a"],
        world,
        kind="consulting_fixed_fee",
        ends_on="2026-11-30",
        terms={
            "total_fee": "50000.00",
            "installments": [
                {"percent": "30", "due_from": "signing", "working_days": 3},
                {"percent": "70", "due_from": "end", "working_days": 5},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["penalty_rate_per_day"] == "0.005"
    assert body["terms"] == {
        **COMMON_TERMS,
        "total_fee": "50000.00",
        "installments": [
            {"percent": "30", "due_from": "signing", "working_days": 3},
            {"percent": "70", "due_from": "end", "working_days": 5},
        ],
    }


def test_consulting_gets_the_seed_schedule_by_default(world, clients):
    response = _post_agreement(
        clients["staff_a"], world, kind="consulting_fixed_fee", terms={"total_fee": "50000"}
    )
    assert response.json()["terms"]["installments"] == [
        {"percent": "50", "due_from": "signing", "working_days": 3},
        {"percent": "50", "due_from": "end", "working_days": 3},
    ]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"ends_on": "2026-05-31"}, {"ends_on": [msg.ENDS_BEFORE_STARTS]}),
        ({"terms": {"agency_ratio": "1.5"}}, {"terms.agency_ratio": [msg.RATIO_OUT_OF_RANGE]}),
        ({"terms": {"agency_ratio": "12"}}, {"terms.agency_ratio": [msg.RATIO_OUT_OF_RANGE]}),
        ({"terms": {"agency_ratio": "-0.1"}}, {"terms.agency_ratio": [msg.RATIO_OUT_OF_RANGE]}),
        ({"terms": {"setup_fee": "-1"}}, {"terms.setup_fee": [msg.NEGATIVE_AMOUNT]}),
        (
            {"kind": "b2b_commission", "terms": {"monthly_service_fee": "-100"}},
            {"terms.monthly_service_fee": [msg.NEGATIVE_AMOUNT]},
        ),
        (
            {
                "kind": "consulting_fixed_fee",
                "terms": {
                    "total_fee": "1000",
                    "installments": [{"percent": "60"}, {"percent": "30"}],
                },
            },
            {"terms.installments": [msg.INSTALLMENTS_NOT_100.format(total="90")]},
        ),
        (
            {"kind": "consulting_fixed_fee", "terms": {"installments": []}},
            {"terms.installments": [msg.INSTALLMENTS_MISSING]},
        ),
        (
            {
                "kind": "consulting_fixed_fee",
                "terms": {"installments": [{"percent": "150"}, {"percent": "-50"}]},
            },
            {"terms.installments": [msg.INSTALLMENT_PERCENT_RANGE]},
        ),
        ({"kind": "lease"}, {"kind": [msg.UNKNOWN_KIND.format(kind="lease")]}),
        (
            {"terms": {"monthly_service_fee": "1"}},
            {"terms.monthly_service_fee": [api.UNKNOWN_TERM]},
        ),
        ({"terms": "70/30"}, {"terms": [api.TERMS_NOT_OBJECT]}),
        ({"penalty_rate_per_day": "2"}, {"penalty_rate_per_day": [msg.RATE_TOO_HIGH]}),
    ],
)
def test_agreement_rules_answer_400_with_their_messages(world, clients, changes, errors):
    response = _post_agreement(clients["staff_a"], world, **changes)
    assert response.status_code == 400
    assert response.json() == errors
    assert not Agreement.objects.filter(number="HT-2026-0500").exists()


def test_products_of_another_brand_and_brands_out_of_scope_are_400(world, clients):
    other = world["brand_a2"].products.get()
    response = _post_agreement(clients["staff_a"], world, products=[other.pk])
    assert response.json() == {"products": [msg.PRODUCT_OTHER_BRAND.format(sku="TEA-1")]}
    response = _post_agreement(clients["staff_a"], world, brand=world["brand_b1"].pk)
    assert response.status_code == 400
    assert set(response.json()) == {"brand"}
    response = _post_agreement(
        clients["superuser"], world, brand=world["brand_b1"].pk, agency=world["agency_a"].pk
    )
    assert response.json() == {"brand": [msg.BRAND_OF_OTHER_AGENCY]}
    assert not Agreement.objects.filter(number="HT-2026-0500").exists()


def test_brand_users_cannot_create_agreements(world, clients):
    assert _post_agreement(clients["finance_a1"], world).status_code == 403


def test_idempotency_key_replays_the_created_agreement(world, clients):
    client = clients["staff_a"]
    payload = _agreement_payload(world)
    first = client.post(AGREEMENTS, payload, format="json", HTTP_IDEMPOTENCY_KEY="agr-1")
    second = client.post(AGREEMENTS, payload, format="json", HTTP_IDEMPOTENCY_KEY="agr-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert first.json() == second.json()
    assert Agreement.objects.filter(number="HT-2026-0500").count() == 1
    changed = {**payload, "title": "另一个标题"}
    third = client.post(AGREEMENTS, changed, format="json", HTTP_IDEMPOTENCY_KEY="agr-1")
    assert third.status_code == 422
    assert third.json() == {"detail": IDEMPOTENCY_KEY_REUSED}
    # Another user's identical key is theirs alone.
    other = clients["superuser"].post(
        AGREEMENTS, changed, format="json", HTTP_IDEMPOTENCY_KEY="agr-1"
    )
    assert other.status_code == 400  # the number is taken: a real attempt, not a replay


# --- agreements: changing a draft -------------------------------------------------------


def test_patch_a_draft_and_its_terms(world, clients):
    draft = f.agreement("consulting_fixed_fee", brand_org=world["brand_a1"])
    url = f"{AGREEMENTS}{draft.pk}/"
    response = clients["staff_a"].patch(
        url,
        {
            "title": "品牌咨询",
            "penalty_rate_per_day": "0.004",
            "terms": {
                "total_fee": "60000",
                "installments": [{"percent": "100", "due_from": "end"}],
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "品牌咨询"
    assert body["penalty_rate_per_day"] == "0.004"
    assert body["terms"] == {
        **COMMON_TERMS,
        "total_fee": "60000.00",
        "installments": [{"percent": "100", "due_from": "end", "working_days": 3}],
    }
    assert Event.objects.filter(action="agreement.changed", agreement=draft).exists()


def test_patch_rules(world, clients):
    draft = f.agreement("revenue_share", brand_org=world["brand_a1"])
    url = f"{AGREEMENTS}{draft.pk}/"
    client = clients["staff_a"]
    response = client.patch(url, {"terms": {"agency_ratio": "1.01"}}, format="json")
    assert response.json() == {"terms.agency_ratio": [msg.RATIO_OUT_OF_RANGE]}
    response = client.patch(url, {"ends_on": "2026-01-01"}, format="json")
    assert response.json() == {"ends_on": [msg.ENDS_BEFORE_STARTS]}
    response = client.patch(url, {"kind": "b2b_commission"}, format="json")
    assert response.json() == {"kind": [api.KIND_FIXED]}
    draft.refresh_from_db()
    assert draft.ends_on == date(2027, 5, 31)
    assert draft.revenue_share_terms.agency_ratio == Decimal("0.30")


def test_patch_of_an_active_agreement_is_409(world, clients):
    agreement = _a1(world)
    response = clients["staff_a"].patch(
        f"{AGREEMENTS}{agreement.pk}/", {"terms": {"agency_ratio": "0.5"}}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": api.AGREEMENT_NOT_EDITABLE.format(status="active")}
    agreement.refresh_from_db()
    assert agreement.revenue_share_terms.agency_ratio == Decimal("0.30")


def test_brand_users_cannot_patch(world, clients):
    draft = f.agreement("revenue_share", brand_org=world["brand_a1"])
    response = clients["finance_a1"].patch(
        f"{AGREEMENTS}{draft.pk}/", {"title": "x"}, format="json"
    )
    assert response.status_code == 403


# --- activate and terminate -------------------------------------------------------------


def test_activate_a_draft(world, clients):
    draft = f.agreement(
        "b2b_commission",
        brand_org=world["brand_a1"],
        terms={"monthly_service_fee": Decimal("8000.00")},
    )
    url = f"{AGREEMENTS}{draft.pk}/activate/"
    response = clients["staff_a"].post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["id"] == draft.pk
    again = clients["staff_a"].post(url)
    assert again.status_code == 409
    assert again.json() == {"detail": msg.NOT_DRAFT.format(status="active")}


def test_activate_incomplete_is_400(world, clients):
    draft = f.agreement(
        "consulting_fixed_fee", brand_org=world["brand_a1"], terms={"total_fee": Decimal("0")}
    )
    response = clients["staff_a"].post(f"{AGREEMENTS}{draft.pk}/activate/")
    assert response.status_code == 400
    assert response.json() == {"terms.total_fee": [msg.TOTAL_FEE_REQUIRED]}
    no_account = f.agreement("b2b_commission", brand_org=world["brand_a1"], bank_account=None)
    response = clients["staff_a"].post(f"{AGREEMENTS}{no_account.pk}/activate/")
    assert response.json() == {"bank_account": [msg.BANK_ACCOUNT_REQUIRED]}
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_brand_users_cannot_activate_or_terminate(world, clients):
    draft = f.agreement("b2b_commission", brand_org=world["brand_a1"])
    assert clients["finance_a1"].post(f"{AGREEMENTS}{draft.pk}/activate/").status_code == 403
    response = clients["finance_a1"].post(
        f"{AGREEMENTS}{_a1(world).pk}/terminate/",
        {"on": "2026-09-30", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403


def test_terminate(world, clients):
    agreement = _a1(world)
    response = clients["staff_a"].post(
        f"{AGREEMENTS}{agreement.pk}/terminate/",
        {"on": "2026-09-30", "reason": "品牌方战略调整"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["terminated_on"], body["termination_reason"]) == (
        "terminated",
        "2026-09-30",
        "品牌方战略调整",
    )
    again = clients["staff_a"].post(
        f"{AGREEMENTS}{agreement.pk}/terminate/", {"on": "2026-09-30", "reason": "x"}, format="json"
    )
    assert again.status_code == 409
    assert again.json() == {"detail": msg.NOT_ACTIVE.format(status="terminated")}


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"on": "2026-09-30", "reason": "  "}, {"reason": [msg.REASON_REQUIRED]}),
        ({"on": "2026-05-01", "reason": "x"}, {"on": [msg.TERMINATION_BEFORE_START]}),
        ({"on": "2028-01-01", "reason": "x"}, {"on": [msg.TERMINATION_AFTER_END]}),
    ],
)
def test_terminate_bad_input_is_400(world, clients, data, errors):
    agreement = _a1(world)
    response = clients["staff_a"].post(
        f"{AGREEMENTS}{agreement.pk}/terminate/", data, format="json"
    )
    assert response.status_code == 400
    assert response.json() == errors
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_terminate_needs_a_date(world, clients):
    response = clients["staff_a"].post(
        f"{AGREEMENTS}{_a1(world).pk}/terminate/", {"on": "soon", "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"on"}


def test_terminate_a_draft_is_409(world, clients):
    draft = f.agreement("b2b_commission", brand_org=world["brand_a1"])
    response = clients["staff_a"].post(
        f"{AGREEMENTS}{draft.pk}/terminate/", {"on": "2026-09-30", "reason": "x"}, format="json"
    )
    assert response.status_code == 409


# --- demand (催缴) -----------------------------------------------------------------------


def _late_period() -> Period:
    """A month whose statement deadline (the 10th of the next month) has passed."""
    return Period.of(add_months(timezone.localdate(), -2))


def test_brand_finance_demands_a_late_statement(world, clients):
    agreement = _a1(world)
    period = _late_period()
    response = clients["finance_a1"].post(
        f"{AGREEMENTS}{agreement.pk}/demand/", {"period": str(period)}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "agreement": agreement.pk,
        "period": str(period),
        "demanded_on": timezone.localdate().isoformat(),
    }
    assert StatementDemand.objects.filter(agreement=agreement, period=str(period)).count() == 1
    assert Event.objects.filter(action="statement.demanded", agreement=agreement).exists()


def test_staff_demand_on_the_brands_behalf_with_a_date(world, clients):
    agreement = _a1(world)
    period = _late_period()
    on = timezone.localdate() - timedelta(days=1)
    response = clients["staff_a"].post(
        f"{AGREEMENTS}{agreement.pk}/demand/",
        {"period": str(period), "on": on.isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["demanded_on"] == on.isoformat()


def test_demand_of_a_statement_not_late_is_409(world, clients):
    agreement = _a1(world)
    period = Period.of(timezone.localdate())
    response = clients["finance_a1"].post(
        f"{AGREEMENTS}{agreement.pk}/demand/", {"period": str(period)}, format="json"
    )
    assert response.status_code == 409
    deadline = issue_deadline_of(agreement=agreement, period=period)
    assert response.json() == {
        "detail": settlement_msg.NOT_LATE.format(period=period, deadline=deadline)
    }


def test_demand_bad_input_is_400(world, clients):
    url = f"{AGREEMENTS}{_a1(world).pk}/demand/"
    response = clients["finance_a1"].post(url, {"period": "2026-13"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"period"}
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = clients["finance_a1"].post(
        url, {"period": str(_late_period()), "on": future}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"on": [settlement_msg.FUTURE_DATE]}


def test_brand_viewer_cannot_demand(world, clients):
    response = clients["viewer_a1"].post(
        f"{AGREEMENTS}{_a1(world).pk}/demand/", {"period": str(_late_period())}, format="json"
    )
    assert response.status_code == 403


# --- renewal objection ------------------------------------------------------------------


def test_brand_finance_objects_to_renewal(world, clients):
    agreement = _a1(world)
    today = timezone.localdate()
    response = clients["finance_a1"].post(
        f"{AGREEMENTS}{agreement.pk}/object-renewal/",
        {"on": today.isoformat(), "by": "brand", "note": "书面通知不再续约"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    deadline = date(2027, 4, 30)
    assert body == {
        "id": body["id"],
        "agreement": agreement.pk,
        "on": today.isoformat(),
        "by": "brand",
        "note": "书面通知不再续约",
        "deadline": deadline.isoformat(),
        "in_time": today <= deadline,
    }
    assert RenewalObjection.objects.get(pk=body["id"]).by_party == "brand"


def test_brand_user_objects_only_as_the_brand(world, clients):
    response = clients["finance_a1"].post(
        f"{AGREEMENTS}{_a1(world).pk}/object-renewal/",
        {"on": timezone.localdate().isoformat(), "by": "agency"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"by": [api.BRAND_OBJECTS_AS_BRAND]}
    assert not RenewalObjection.objects.exists()


def test_staff_record_the_agencys_objection(world, clients):
    response = clients["staff_a"].post(
        f"{AGREEMENTS}{_a1(world).pk}/object-renewal/",
        {"on": "2026-07-01", "by": "agency"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["by"], response.json()["note"]) == ("agency", "")


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"on": "2026-07-01", "by": "shop"}, {"by": [msg.OBJECTION_PARTY]}),
        ({"on": "2099-01-01", "by": "brand"}, {"on": [msg.FUTURE_DATE]}),
        ({"by": "brand"}, None),
    ],
)
def test_objection_bad_input_is_400(world, clients, data, errors):
    response = clients["finance_a1"].post(
        f"{AGREEMENTS}{_a1(world).pk}/object-renewal/", data, format="json"
    )
    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    else:
        assert set(response.json()) == {"on"}


def test_objection_to_an_agreement_that_does_not_renew_is_409(world, clients):
    b2b = f.agreement(
        "b2b_commission",
        brand_org=world["brand_a1"],
        activate=True,
        terms={"monthly_service_fee": Decimal("8000.00")},
    )
    response = clients["finance_a1"].post(
        f"{AGREEMENTS}{b2b.pk}/object-renewal/",
        {"on": "2026-07-01", "by": "brand"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {"detail": msg.OBJECTION_NOT_RENEWING}


def test_brand_viewer_cannot_object(world, clients):
    response = clients["viewer_a1"].post(
        f"{AGREEMENTS}{_a1(world).pk}/object-renewal/",
        {"on": "2026-07-01", "by": "brand"},
        format="json",
    )
    assert response.status_code == 403


def test_renewal_months_are_kept_within_sane_bounds(world, clients):
    for changes in ({"renewal_term_months": 0}, {"renewal_notice_months": 30000}):
        response = _post_agreement(clients["staff_a"], world, **changes)
        assert response.status_code == 400
        assert set(response.json()) == set(changes)


def test_common_terms_are_written_and_the_vat_rate_is_one_of_four(world, clients):
    staff = clients["staff_a"]
    draft = f.agreement("consulting_fixed_fee", brand_org=world["brand_a1"])
    url = f"{AGREEMENTS}{draft.pk}/"
    response = staff.patch(url, {"terms": {"vat_rate": "0.03", "cure_days": 20}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["terms"]["vat_rate"] == "0.03"
    assert response.json()["terms"]["cure_days"] == 20
    refused = staff.patch(url, {"terms": {"vat_rate": "0.13"}}, format="json")
    assert refused.status_code == 400
    assert "terms.vat_rate" in refused.json()
    draft.refresh_from_db()
    assert str(draft.terms.vat_rate) == "0.03"
