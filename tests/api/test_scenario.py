"""The whole month through HTTP only, as an integration would drive it."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_month_from_agreement_to_penalty_over_http(
    world, clients, django_capture_on_commit_callbacks
):
    staff, brand = clients["staff_a"], clients["finance_a1"]
    brand_id = world["brand_a1"].pk
    account_id = world["agency_a"].bank_accounts.first().pk

    product = staff.post(
        "/api/v1/products/",
        {
            "brand": brand_id,
            "sku": "DHP-250",
            "name": "大红袍 250g",
            "factory_price": "80.00",
            "distributor_price": "120.00",
            "min_retail_price": "199.00",
        },
        format="json",
    )
    assert product.status_code == 201, product.content
    agreement = staff.post(
        "/api/v1/agreements/",
        {
            "number": "HT-API-0001",
            "kind": "revenue_share",
            "brand": brand_id,
            "agency": world["agency_a"].pk,
            "title": "网络销售平台合作协议",
            "signed_on": "2026-05-20",
            "starts_on": "2026-06-01",
            "ends_on": "2027-05-31",
            "bank_account": account_id,
            "auto_renew": True,
            "renewal_term_months": 12,
            "renewal_notice_months": 1,
            "penalty_rate_per_day": "0.003",
            "terms": {"agency_ratio": "0.30", "setup_fee": "10000.00"},
        },
        format="json",
    )
    assert agreement.status_code == 201, agreement.content
    agreement_id = agreement.json()["id"]
    assert agreement.json()["terms"]["agency_ratio"] in ("0.30", "0.3", "0.3000")
    with django_capture_on_commit_callbacks(execute=True):
        activated = staff.post(f"/api/v1/agreements/{agreement_id}/activate/", {}, format="json")
    assert activated.json()["status"] == "active"

    sales = staff.post(
        "/api/v1/sales/",
        [
            {
                "agreement": agreement_id,
                "product": "DHP-250",
                "sold_on": "2026-08-05",
                "quantity": 60,
                "unit_price": "199.00",
                "tax": "1194.00",
                "logistics": "360.00",
                "channel": "tmall",
                "external_ref": "TM-0805",
            },
            {
                "agreement": agreement_id,
                "product": "DHP-250",
                "sold_on": "2026-08-18",
                "quantity": 40,
                "unit_price": "199.00",
                "tax": "796.00",
                "logistics": "240.00",
                "channel": "jd",
                "external_ref": "JD-0818",
            },
        ],
        format="json",
    )
    assert sales.status_code == 201, sales.content
    kpi = staff.post(
        "/api/v1/kpis/",
        {"agreement": agreement_id, "period": "2026-08", "unique_visitors": 800},
        format="json",
    )
    assert kpi.status_code == 201, kpi.content

    with django_capture_on_commit_callbacks(execute=True):
        run = staff.post(
            "/api/v1/statement-runs/",
            {"period": "2026-08", "agreement": agreement_id},
            format="json",
        )
    assert run.status_code == 201, run.content
    run = staff.get(f"/api/v1/statement-runs/{run.json()['id']}/").json()
    assert (run["status"], run["total"], run["done"], run["failed"]) == ("done", 1, 1, 0)

    listing = staff.get(f"/api/v1/statements/?agreement={agreement_id}&period=2026-08").json()
    assert listing["count"] == 1
    statement = listing["results"][0]
    assert (statement["kind"], statement["status"], statement["total_due"]) == (
        "monthly",
        "draft",
        "2793.00",
    )

    with django_capture_on_commit_callbacks(execute=True):
        issued = staff.post(
            f"/api/v1/statements/{statement['id']}/issue/",
            {"issued_on": "2026-09-08"},
            format="json",
        )
    assert issued.status_code == 200, issued.content
    assert issued.json()["receipt_due_on"] == "2026-09-15"
    confirmed = brand.post(
        f"/api/v1/statements/{statement['id']}/confirm/",
        {"confirmed_on": "2026-09-11"},
        format="json",
    )
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["payment_due_on"] == "2026-09-20"

    for amount, paid_on, ref in (
        ("1000.00", "2026-09-25", "B-1"),
        ("1793.00", "2026-10-12", "B-2"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            paid = staff.post(
                "/api/v1/payments/",
                {
                    "statement": statement["id"],
                    "amount": amount,
                    "paid_on": paid_on,
                    "reference": "招行",
                    "external_ref": ref,
                },
                format="json",
            )
        assert paid.status_code == 201, paid.content
    final = brand.get(f"/api/v1/statements/{statement['id']}/").json()
    assert (final["payment_status"], final["amount_paid"], final["outstanding"]) == (
        "paid",
        "2793.00",
        "0.00",
    )

    penalty = brand.get(f"/api/v1/statements/{statement['id']}/penalty/?as_of=2026-10-31").json()
    assert penalty["penalty"] == "133.34"
    assert penalty["days_overdue"] == 0 and penalty["termination_right"] is False
    during = brand.get(f"/api/v1/statements/{statement['id']}/penalty/?as_of=2026-10-06").json()
    assert during["termination_right"] is True and during["days_overdue"] == 16

    pdf = brand.get(f"/api/v1/statements/{statement['id']}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF-")
    events = brand.get(f"/api/v1/events/?statement={statement['id']}").json()
    assert {"statement.issued", "statement.confirmed", "payment.recorded"} <= {
        e["action"] for e in events["results"]
    }
