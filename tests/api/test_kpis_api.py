"""REST API of sales, sales imports and KPI records (kpis/api.py) against shared/API.md."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from kpis import imports
from kpis import messages as msg
from kpis.api import (
    AGREEMENT_NOT_FOUND,
    BODY_NOT_OBJECT_OR_LIST,
    EMPTY_LIST,
    ITEM_NOT_OBJECT,
    KPI_EXISTS,
    KPI_IMMUTABLE,
    NOT_AN_ID,
    TOO_MANY_LINES,
)
from kpis.models import FeeWaiver, KpiRecord, SaleLine, SalesImport
from tests import factories as f

pytestmark = pytest.mark.django_db


SALES = "/api/v1/sales/"
IMPORT = "/api/v1/sales/import/"
KPIS = "/api/v1/kpis/"


def _agreement(world, brand="brand_a1"):
    return world["agreements"][world[brand].pk]


def _row(on, **kw):
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
    return row


def _post(client, url, data, **extra):
    return client.post(url, data, format="json", **extra)


# --- sales: recording one line -----------------------------------------------------------


def test_anonymous_is_401(world):
    assert APIClient().get(SALES).status_code == 401
    assert _post(APIClient(), SALES, {}).status_code == 401


def test_post_one_sale_takes_the_product_prices_of_the_day(world, clients):
    agreement = _agreement(world)
    response = _post(clients["staff_a"], SALES, _row(agreement))
    assert response.status_code == 201, response.data
    line = SaleLine.objects.get()
    assert response.json() == {
        "id": line.pk,
        "agreement": agreement.pk,
        "product": "TEA-1",
        "sold_on": "2026-08-05",
        "quantity": 100,
        "unit_price": "199.00",
        "amount": "19900.00",
        "factory_price": "80.00",
        "distributor_price": "120.00",
        "min_retail_price": "199.00",
        "tax": "1990.00",
        "logistics": "600.00",
        "channel": "tmall",
        "distributor": "",
        "external_ref": "WE-1",
        "promotion": None,
        "price_violation": False,
        "settled_in": None,
        "created_at": response.json()["created_at"],
    }
    detail = clients["finance_a1"].get(f"{SALES}{line.pk}/")
    assert detail.status_code == 200
    assert detail.json()["amount"] == "19900.00"


def test_given_prices_and_a_price_violation(world, clients):
    agreement = _agreement(world)
    response = _post(
        clients["staff_a"],
        SALES,
        _row(agreement, unit_price="150.00", factory_price="70.5", channel="京东"),
    )
    assert response.status_code == 201, response.data
    body = response.json()
    assert (body["factory_price"], body["channel"], body["price_violation"]) == (
        "70.50",
        "jd",
        True,
    )
    # Distributors buy at the distributor price by design: no violation.
    distributor = _post(
        clients["staff_a"],
        SALES,
        _row(agreement, unit_price="120.00", channel="b2b_distributor", external_ref="D-1"),
    )
    assert distributor.json()["price_violation"] is False


def test_same_external_ref_replays_and_different_content_conflicts(world, clients):
    agreement = _agreement(world)
    first = _post(clients["staff_a"], SALES, _row(agreement))
    again = _post(clients["staff_a"], SALES, _row(agreement))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    conflict = _post(clients["staff_a"], SALES, _row(agreement, quantity=99))
    assert conflict.status_code == 409
    assert conflict.json() == {"detail": msg.EXTERNAL_REF_CONFLICT.format(ref="WE-1")}
    assert SaleLine.objects.count() == 1


def test_one_bad_line_names_its_fields(world, clients):
    agreement = _agreement(world)
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = _post(
        clients["staff_a"],
        SALES,
        _row(agreement, product="NOPE", quantity="abc", sold_on=future, channel="ebay"),
    )
    assert response.status_code == 400
    assert response.json() == {
        "product": [msg.UNKNOWN_PRODUCT.format(sku="NOPE")],
        "sold_on": [msg.FUTURE_DATE],
        "quantity": [msg.NOT_AN_INTEGER],
        "channel": [msg.UNKNOWN_CHANNEL.format(value="ebay")],
    }
    assert not SaleLine.objects.exists()


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"quantity": "1e999999999"}, {"quantity": [msg.NOT_AN_INTEGER]}),
        ({"quantity": [1, 2]}, {"quantity": [msg.NOT_AN_INTEGER]}),
        ({"quantity": 0}, {"quantity": [msg.QUANTITY_ZERO]}),
        ({"quantity": True}, {"quantity": [msg.NOT_AN_INTEGER]}),
        ({"unit_price": 1e30}, {"unit_price": [msg.NOT_AN_AMOUNT]}),
        ({"unit_price": "1e-999999"}, {"unit_price": [msg.NOT_AN_AMOUNT]}),
        ({"unit_price": {"a": 1}}, {"unit_price": [msg.NOT_AN_AMOUNT]}),
        ({"unit_price": "-1"}, {"unit_price": [msg.NEGATIVE_PRICE]}),
        ({"tax": "-5"}, {"tax": [msg.SIGN_MISMATCH]}),
        ({"sold_on": "2026-02-30"}, {"sold_on": [msg.NOT_A_DATE]}),
        ({"sold_on": None}, {"sold_on": [msg.REQUIRED]}),
        ({"product": ""}, {"product": [msg.REQUIRED]}),
        ({"agreement": None}, {"agreement": [msg.REQUIRED]}),
        ({"agreement": "abc"}, {"agreement": [NOT_AN_ID]}),
        ({"agreement": 10**30}, {"agreement": [NOT_AN_ID]}),
        ({"agreement": True}, {"agreement": [NOT_AN_ID]}),
        ({"agreement": "²"}, {"agreement": [NOT_AN_ID]}),
        ({"agreement": 3.0}, {"agreement": [NOT_AN_ID]}),
        ({"external_ref": "x" * 101}, {"external_ref": [msg.TOO_LONG.format(max=100)]}),
    ],
)
def test_bad_input_is_400_never_500(world, clients, changes, errors):
    response = _post(clients["staff_a"], SALES, _row(_agreement(world), **changes))
    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize(
    ("body", "content_type", "errors"),
    [
        ('"just a string"', "application/json", {"non_field_errors": [BODY_NOT_OBJECT_OR_LIST]}),
        ("42", "application/json", {"non_field_errors": [BODY_NOT_OBJECT_OR_LIST]}),
        ("[]", "application/json", {"non_field_errors": [EMPTY_LIST]}),
        ('[1, "x"]', "application/json", None),
        ("{not json", "application/json", None),
        ('{"quantity": NaN}', "application/json", None),
    ],
)
def test_malformed_bodies(world, clients, body, content_type, errors):
    response = clients["staff_a"].post(SALES, body, content_type=content_type)
    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    if body.startswith("[1"):
        assert response.json() == {
            "errors": [
                {"index": 0, "non_field_errors": [ITEM_NOT_OBJECT]},
                {"index": 1, "non_field_errors": [ITEM_NOT_OBJECT]},
            ]
        }


# --- sales: scope and roles --------------------------------------------------------------


def test_agreement_outside_the_scope_is_404(world, clients):
    other = _agreement(world, "brand_b1")
    response = _post(clients["staff_a"], SALES, _row(other))
    assert response.status_code == 404
    assert response.json() == {"detail": AGREEMENT_NOT_FOUND}
    missing = _post(clients["staff_a"], SALES, _row(other, agreement=999999))
    assert (missing.status_code, missing.json()) == (404, {"detail": AGREEMENT_NOT_FOUND})
    bulk = _post(
        clients["staff_a"], SALES, [_row(_agreement(world)), _row(other, external_ref="X")]
    )
    assert bulk.status_code == 404
    assert not SaleLine.objects.exists()


@pytest.mark.parametrize("role", ["finance_a1", "viewer_a1"])
def test_brand_users_cannot_write_sales(world, clients, role):
    response = _post(clients[role], SALES, _row(_agreement(world)))
    assert response.status_code == 403
    upload = clients[role].post(
        IMPORT,
        {"agreement": _agreement(world).pk, "file": SimpleUploadedFile("s.csv", b"x")},
        format="multipart",
    )
    assert upload.status_code == 403


def test_reading_is_scoped_and_filtered(world, clients):
    a1, a2, b1 = (_agreement(world, b) for b in ("brand_a1", "brand_a2", "brand_b1"))
    staff = clients["staff_a"]
    _post(staff, SALES, _row(a1))
    _post(staff, SALES, _row(a1, external_ref="WE-2", sold_on="2026-07-31", unit_price="150"))
    _post(staff, SALES, _row(a2, external_ref="A2-1"))
    _post(clients["staff_b"], SALES, _row(b1, external_ref="B1-1"))
    listing = staff.get(SALES).json()
    assert set(listing) == {"count", "next", "previous", "results"}
    assert listing["count"] == 3
    assert clients["superuser"].get(SALES).json()["count"] == 4
    finance = clients["finance_a1"].get(SALES).json()
    assert [r["external_ref"] for r in finance["results"]] == ["WE-1", "WE-2"]
    b1_line = SaleLine.objects.get(external_ref="B1-1")
    assert clients["finance_a1"].get(f"{SALES}{b1_line.pk}/").status_code == 404
    assert staff.get(f"{SALES}{b1_line.pk}/").status_code == 404

    def refs(query):
        response = staff.get(SALES + query)
        assert response.status_code == 200, response.data
        return sorted(r["external_ref"] for r in response.json()["results"])

    assert refs(f"?agreement={a1.pk}") == ["WE-1", "WE-2"]
    assert refs(f"?agreement={a1.pk}&period=2026-08") == ["WE-1"]
    assert refs("?price_violation=true") == ["WE-2"]
    assert refs("?channel=tmall&product=TEA-1") == ["A2-1", "WE-1", "WE-2"]
    assert refs("?product=OTHER") == []
    assert refs(f"?agreement={b1.pk}") == []
    bad = staff.get(SALES + "?period=2026-13&agreement=1.5&channel=ebay")
    assert bad.status_code == 400
    assert set(bad.json()) == {"period", "agreement", "channel"}
    huge = staff.get(SALES + "?agreement=99999999999999999999999")
    assert (huge.status_code, set(huge.json())) == (400, {"agreement"})
    assert bad.json()["period"] == [msg.PERIOD_INVALID]
    assert staff.get(f"{SALES}99999999999999999999999/").status_code == 404


# --- sales: lists, all-or-nothing ---------------------------------------------------------


def test_bulk_is_all_or_nothing_with_indexed_errors(world, clients):
    agreement = _agreement(world)
    rows = [
        _row(agreement, external_ref="L-0"),
        _row(agreement, external_ref="L-1", quantity="abc"),
        _row(agreement, external_ref="L-2"),
        _row(agreement, external_ref="L-0"),
        _row(agreement, external_ref="L-4", product="NOPE"),
    ]
    response = _post(clients["staff_a"], SALES, rows)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"index": 1, "quantity": [msg.NOT_AN_INTEGER]},
            {"index": 3, "external_ref": [msg.EXTERNAL_REF_TWICE.format(ref="L-0", first=0)]},
            {"index": 4, "product": [msg.UNKNOWN_PRODUCT.format(sku="NOPE")]},
        ]
    }
    assert not SaleLine.objects.exists()


def test_bulk_created_then_replayed(world, clients):
    agreement = _agreement(world)
    rows = [_row(agreement, external_ref=f"L-{n}") for n in range(3)]
    created = _post(clients["staff_a"], SALES, rows)
    assert created.status_code == 201, created.data
    assert [line["external_ref"] for line in created.json()] == ["L-0", "L-1", "L-2"]
    replay = _post(clients["staff_a"], SALES, rows)
    assert (replay.status_code, replay.json()) == (200, created.json())
    more = _post(clients["staff_a"], SALES, [*rows, _row(agreement, external_ref="L-3")])
    assert more.status_code == 201
    assert [line["id"] for line in more.json()[:3]] == [line["id"] for line in created.json()]
    assert SaleLine.objects.count() == 4


def test_bulk_over_several_agreements_keeps_list_indexes(world, clients):
    a1, a2 = _agreement(world), _agreement(world, "brand_a2")
    rows = [
        _row(a1, external_ref="X-0"),
        _row(a2, external_ref="X-1"),
        _row(a1, external_ref="X-2"),
        _row(a2, external_ref="X-3", quantity=0),
    ]
    response = _post(clients["staff_a"], SALES, rows)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 3, "quantity": [msg.QUANTITY_ZERO]}]}
    assert not SaleLine.objects.exists()
    rows[3]["quantity"] = 5
    response = _post(clients["staff_a"], SALES, rows)
    assert response.status_code == 201
    assert [(r["external_ref"], r["agreement"]) for r in response.json()] == [
        ("X-0", a1.pk),
        ("X-1", a2.pk),
        ("X-2", a1.pk),
        ("X-3", a2.pk),
    ]


def test_bulk_conflict_is_409_and_writes_nothing(world, clients):
    agreement = _agreement(world)
    _post(clients["staff_a"], SALES, _row(agreement))
    response = _post(
        clients["staff_a"],
        SALES,
        [_row(agreement, external_ref="NEW"), _row(agreement, quantity=7)],
    )
    assert response.status_code == 409
    assert SaleLine.objects.count() == 1


def test_bulk_agreement_errors_are_indexed(world, clients):
    agreement = _agreement(world)
    response = _post(
        clients["staff_a"],
        SALES,
        [_row(agreement), {"product": "TEA-1"}, _row(agreement, agreement="x")],
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"index": 1, "agreement": [msg.REQUIRED]},
            {"index": 2, "agreement": [NOT_AN_ID]},
        ]
    }


def test_sales_honour_idempotency_key(world, clients):
    agreement = _agreement(world)
    row = _row(agreement, external_ref="")
    headers = {"HTTP_IDEMPOTENCY_KEY": "sale-key-1"}
    first = _post(clients["staff_a"], SALES, row, **headers)
    second = _post(clients["staff_a"], SALES, row, **headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert SaleLine.objects.count() == 1


def test_consulting_agreement_takes_no_sales(world, clients):
    consulting = f.agreement("consulting_fixed_fee", brand_org=world["brand_a1"], activate=True)
    response = _post(clients["staff_a"], SALES, _row(consulting))
    assert response.status_code == 400
    assert response.json() == {"agreement": [msg.NO_SALES_FOR_KIND]}


# --- sales import --------------------------------------------------------------------------

HEADER = "product,sold_on,quantity,unit_price,tax,logistics,channel,distributor,external_ref"


def _upload(client, agreement_pk, content, name="sales.csv", **extra):
    return client.post(
        IMPORT,
        {"agreement": agreement_pk, "file": SimpleUploadedFile(name, content)},
        format="multipart",
        **extra,
    )


def _csv(*lines):
    return "\n".join([HEADER, *lines]).encode() + b"\n"


def test_import_accepts_a_csv_and_is_idempotent(world, clients):
    agreement = _agreement(world)
    content = _csv(
        "TEA-1,2026-08-05,100,199.00,1990.00,600.00,tmall,,IMP-1",
        "TEA-1,2026-08-06,-2,199.00,-39.80,-12.00,天猫,,IMP-2",
    )
    response = _upload(clients["staff_a"], agreement.pk, content)
    assert response.status_code == 201, response.data
    sales_import = SalesImport.objects.get()
    assert response.json() == {
        "id": sales_import.pk,
        "agreement": agreement.pk,
        "file_name": "sales.csv",
        "status": "done",
        "rows_total": 2,
        "rows_created": 2,
        "rows_duplicate": 0,
        "errors": [],
        "columns": {
            "used": [[name, name] for name in HEADER.split(",")],
            "ignored": [],
        },
        "url": f"http://testserver/api/v1/sales/import/{sales_import.pk}/",
        "created_at": response.json()["created_at"],
        "finished_at": response.json()["finished_at"],
    }
    assert clients["staff_a"].get(response.json()["url"]).json()["status"] == "done"
    assert SaleLine.objects.filter(import_batch=sales_import).count() == 2
    again = _upload(clients["staff_a"], agreement.pk, content)
    assert again.status_code == 201
    assert (again.json()["rows_created"], again.json()["rows_duplicate"]) == (0, 2)
    assert SaleLine.objects.count() == 2


def test_import_ignores_extra_columns_and_lists_them(world, clients):
    agreement = _agreement(world)
    content = (
        "产品,商品名称,日期,数量,单价,备注,外部单号\n"
        "TEA-1,大红袍,2026-08-05,2,199.00,老客户,IMP-X\n"
    ).encode()
    response = _upload(clients["staff_a"], agreement.pk, content)
    assert response.status_code == 201, response.data
    assert response.json()["columns"] == {
        "used": [
            ["产品", "product"],
            ["日期", "sold_on"],
            ["数量", "quantity"],
            ["单价", "unit_price"],
            ["外部单号", "external_ref"],
        ],
        "ignored": ["商品名称", "备注"],
    }
    assert SaleLine.objects.get(external_ref="IMP-X").quantity == 2
    polled = clients["staff_a"].get(response.json()["url"]).json()
    assert polled["columns"]["ignored"] == ["商品名称", "备注"]
    missing = _upload(
        clients["staff_a"], agreement.pk, "产品,日期,单价\nTEA-1,2026-08-05,1\n".encode()
    )
    assert missing.status_code == 400
    assert [e["column"] for e in missing.json()["errors"]] == ["quantity"]


def test_import_rejects_a_bad_file_with_row_numbers_and_writes_nothing(world, clients):
    agreement = _agreement(world)
    content = _csv(
        "TEA-1,2026-08-05,100,199.00,,,tmall,,IMP-1",
        "TEA-1,2026-08-06,abc,199.00,,,tmall,,IMP-2",
        "NOPE,2026-08-07,1,199.00,,,tmall,,IMP-3",
    )
    response = _upload(clients["staff_a"], agreement.pk, content)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "rejected"
    assert [(e["row"], e["column"], e["message"]) for e in body["errors"]] == [
        (3, "quantity", msg.NOT_AN_INTEGER),
        (4, "product", msg.UNKNOWN_PRODUCT.format(sku="NOPE")),
    ]
    assert body["errors"][0]["text"].startswith("第 3 行")
    assert not SaleLine.objects.exists()


def test_import_input_errors(world, clients):
    agreement = _agreement(world)
    staff = clients["staff_a"]
    wrong_type = _upload(staff, agreement.pk, b"hello", name="sales.txt")
    assert (wrong_type.status_code, wrong_type.json()) == (
        400,
        {"file": [imports.UNSUPPORTED_FILE]},
    )
    empty_header = _upload(staff, agreement.pk, b"\n\n", name="sales.csv")
    assert empty_header.status_code == 400
    assert [e["message"] for e in empty_header.json()["errors"]] == [imports.EMPTY_FILE]
    missing = staff.post(IMPORT, {"agreement": agreement.pk}, format="multipart")
    assert missing.status_code == 400
    assert set(missing.json()) == {"file"}
    json_body = staff.post(IMPORT, {"agreement": agreement.pk}, format="json")
    assert json_body.status_code == 415
    other = _upload(staff, _agreement(world, "brand_b1").pk, _csv("TEA-1,2026-08-05,1,199,,,,,"))
    assert (other.status_code, other.json()) == (404, {"detail": AGREEMENT_NOT_FOUND})
    bad_id = _upload(staff, "x", _csv("TEA-1,2026-08-05,1,199,,,,,"))
    assert bad_id.status_code == 400
    assert set(bad_id.json()) == {"agreement"}
    assert not SaleLine.objects.exists()


def test_import_honours_idempotency_key(world, clients):
    agreement = _agreement(world)
    content = _csv(
        "TEA-1,2026-08-05,1,199.00,,,tmall,,",
    )
    key = {"HTTP_IDEMPOTENCY_KEY": "import-1"}
    first = _upload(clients["staff_a"], agreement.pk, content, **key)
    second = _upload(clients["staff_a"], agreement.pk, content, **key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert (SalesImport.objects.count(), SaleLine.objects.count()) == (1, 1)


# --- KPI records --------------------------------------------------------------------------


@pytest.fixture
def b2b(world):
    agreement = f.agreement(
        "b2b_commission",
        brand_org=world["brand_a1"],
        activate=True,
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        terms={
            "monthly_service_fee": Decimal("8000.00"),
            "min_distributors": 5,
            "min_cartons": 200,
            "min_sales_amount": Decimal("100000.00"),
        },
    )
    return agreement


def _kpi(on, **kw):
    body = {
        "agreement": on.pk,
        "period": "2026-08",
        "distributors_recruited": 5,
        "cartons_shipped": "200",
        "sales_amount": "99999.99",
        "unique_visitors": 600,
        "daily_inquiries": "12.5",
        "conversion_rate": "0.015",
        "baidu_first_page": True,
        "google_first_page": False,
    }
    body.update(kw)
    return body


def test_kpi_record_with_evaluation(world, clients, b2b):
    response = _post(clients["staff_a"], KPIS, _kpi(b2b))
    assert response.status_code == 201, response.data
    record = KpiRecord.objects.get()
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("created_at", "updated_at")} == {
        "id": record.pk,
        "agreement": b2b.pk,
        "period": "2026-08",
        "distributors_recruited": 5,
        "cartons_shipped": "200.00",
        "sales_amount": "99999.99",
        "unique_visitors": 600,
        "daily_inquiries": "12.50",
        "conversion_rate": "0.015",
        "baidu_first_page": True,
        "google_first_page": False,
        "notes": "",
        "evaluation_unavailable": None,
        "evaluation": {
            "minimums_met": False,
            "missed": ["sales_amount"],
            "required": {
                "distributors": "5",
                "cartons": "200",
                "sales_amount": "100000.00",
            },
            "web_targets_apply": False,
            "web_targets": {},
        },
    }
    again = _post(clients["staff_a"], KPIS, _kpi(b2b))
    assert again.status_code == 400
    assert again.json() == {"period": [KPI_EXISTS.format(period="2026-08")]}
    patched = clients["staff_a"].patch(
        f"{KPIS}{record.pk}/", {"sales_amount": "100000.00"}, format="json"
    )
    assert patched.status_code == 200, patched.data
    assert patched.json()["evaluation"]["minimums_met"] is True
    assert patched.json()["unique_visitors"] == 600
    moved = clients["staff_a"].patch(f"{KPIS}{record.pk}/", {"period": "2026-09"}, format="json")
    assert (moved.status_code, moved.json()) == (400, {"period": [KPI_IMMUTABLE]})
    same = clients["staff_a"].patch(
        f"{KPIS}{record.pk}/", {"period": "2026-08", "agreement": b2b.pk}, format="json"
    )
    assert same.status_code == 200
    assert (
        clients["staff_a"].put(f"{KPIS}{record.pk}/", _kpi(b2b), format="json").status_code == 405
    )


def test_kpi_web_targets_from_the_fourth_month(world, clients, b2b):
    response = _post(clients["staff_a"], KPIS, _kpi(b2b, period="2026-09"))
    evaluation = response.json()["evaluation"]
    assert evaluation["web_targets_apply"] is True
    assert evaluation["web_targets"] == {
        "baidu_first_page": True,
        "google_first_page": False,
        "unique_visitors": True,
        "daily_inquiries": True,
        "conversion_rate": True,
    }


def test_kpi_missing_figures_come_from_the_sales(world, clients, b2b):
    _post(
        clients["staff_a"],
        SALES,
        _row(b2b, quantity=40, unit_price="120.00", tax="0", logistics="0", channel="经销商"),
    )
    response = _post(clients["staff_a"], KPIS, {"agreement": b2b.pk, "period": "2026-08"})
    assert response.status_code == 201, response.data
    body = response.json()
    assert (body["cartons_shipped"], body["sales_amount"]) == ("40.00", "4800.00")
    assert body["evaluation"]["missed"] == ["distributors", "cartons", "sales_amount"]


def test_kpi_of_a_revenue_share_agreement_has_no_evaluation(world, clients):
    response = _post(clients["staff_a"], KPIS, _kpi(_agreement(world)))
    assert response.status_code == 201
    assert response.json()["evaluation"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": 202608}, "period"),
        ({"conversion_rate": "1.5"}, "conversion_rate"),
        ({"conversion_rate": "0.00001"}, "conversion_rate"),
        ({"distributors_recruited": -1}, "distributors_recruited"),
        ({"distributors_recruited": 10**20}, "distributors_recruited"),
        ({"sales_amount": "1e20"}, "sales_amount"),
        ({"cartons_shipped": "abc"}, "cartons_shipped"),
        ({"baidu_first_page": "maybe"}, "baidu_first_page"),
        ({"agreement": "x"}, "agreement"),
        ({"agreement": None}, "agreement"),
    ],
)
def test_kpi_bad_input_is_400(world, clients, b2b, changes, field):
    response = _post(clients["staff_a"], KPIS, _kpi(b2b, **changes))
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not KpiRecord.objects.exists()


def test_kpi_period_message_is_the_constant(world, clients, b2b):
    response = _post(clients["staff_a"], KPIS, _kpi(b2b, period="2026/08"))
    assert response.json() == {"period": [msg.PERIOD_INVALID]}


def test_kpi_scope_and_roles(world, clients, b2b):
    other = _agreement(world, "brand_b1")
    assert _post(clients["staff_a"], KPIS, _kpi(other)).status_code == 404
    assert _post(clients["finance_a1"], KPIS, _kpi(b2b)).status_code == 403
    record = KpiRecord.objects.get(pk=_post(clients["staff_a"], KPIS, _kpi(b2b)).json()["id"])
    url = f"{KPIS}{record.pk}/"
    assert clients["finance_a1"].get(url).status_code == 200
    assert clients["finance_a1"].patch(url, {"notes": "x"}, format="json").status_code == 403
    assert clients["finance_b1"].get(url).status_code == 404
    assert clients["staff_b"].patch(url, {"notes": "x"}, format="json").status_code == 404
    assert clients["finance_b1"].get(KPIS).json()["count"] == 0
    listing = clients["viewer_a1"].get(f"{KPIS}?agreement={b2b.pk}&period=2026-08").json()
    assert [r["id"] for r in listing["results"]] == [record.pk]
    assert clients["viewer_a1"].get(f"{KPIS}?period=2026-09").json()["count"] == 0
    assert clients["viewer_a1"].get(f"{KPIS}?period=bad").status_code == 400


# --- fee-withholding waivers --------------------------------------------------------------


def test_brand_finance_waives_the_withholding(world, clients, b2b):
    record_id = _post(clients["staff_a"], KPIS, _kpi(b2b)).json()["id"]
    url = f"{KPIS}{record_id}/waive/"
    response = _post(clients["finance_a1"], url, {"reason": "新品上市期间 / launch month"})
    assert response.status_code == 201, response.data
    waiver = FeeWaiver.objects.get()
    assert response.json() == {
        "id": waiver.pk,
        "kpi_record": record_id,
        "reason": "新品上市期间 / launch month",
        "consent_ref": "",
        "waived_by": world["users"]["finance_a1"].username,
        "waived_at": response.json()["waived_at"],
    }


def test_waiver_rules(world, clients, b2b):
    record_id = _post(clients["staff_a"], KPIS, _kpi(b2b)).json()["id"]
    url = f"{KPIS}{record_id}/waive/"
    assert _post(clients["viewer_a1"], url, {"reason": "x"}).status_code == 403
    assert _post(clients["finance_b1"], url, {"reason": "x"}).status_code == 404
    assert _post(clients["staff_b"], url, {"reason": "x", "consent_ref": "c"}).status_code == 404
    staff = clients["staff_a"]
    assert _post(staff, url, {"reason": "x"}).json() == {"consent_ref": [msg.CONSENT_REF_REQUIRED]}
    assert _post(staff, url, {}).json() == {"reason": [msg.REASON_REQUIRED]}
    assert _post(staff, url, {"reason": "  "}).json() == {"reason": [msg.REASON_REQUIRED]}
    ok = _post(staff, url, {"reason": "品牌方邮件同意", "consent_ref": "MAIL-2026-09-01"})
    assert ok.status_code == 201
    assert ok.json()["consent_ref"] == "MAIL-2026-09-01"
    met = _post(staff, KPIS, _kpi(b2b, period="2026-07", sales_amount="100000"))
    refused = _post(clients["finance_a1"], f"{KPIS}{met.json()['id']}/waive/", {"reason": "x"})
    assert (refused.status_code, refused.json()) == (
        400,
        {"non_field_errors": [msg.NOTHING_WITHHELD]},
    )
    rs_record = _post(staff, KPIS, _kpi(_agreement(world))).json()["id"]
    not_b2b = _post(clients["finance_a1"], f"{KPIS}{rs_record}/waive/", {"reason": "x"})
    assert not_b2b.json() == {"agreement": [msg.NOT_B2B]}


JUNK = [
    "null",
    '"text"',
    "[1, 2]",
    '[{"a": 1}]',
    "{}",
    '{"agreement": {"x": 1}, "period": ["2026-08"], "quantity": 1e400}',
    '{"agreement": 1, "product": ["TEA-1"], "sold_on": 20260805, "unit_price": "1e999999999"}',
    '{"reason": 5, "consent_ref": ["x"]}',
    "{broken",
]


@pytest.mark.parametrize("body", JUNK)
def test_junk_never_500(world, clients, b2b, body):
    staff = clients["staff_a"]
    record = _post(staff, KPIS, _kpi(b2b)).json()["id"]
    for url in (SALES, KPIS, IMPORT, f"{KPIS}{record}/waive/"):
        response = staff.post(url, body, content_type="application/json")
        assert response.status_code < 500, (url, response.status_code)
    response = staff.patch(f"{KPIS}{record}/", body, content_type="application/json")
    assert response.status_code < 500
    for url in (SALES, KPIS):
        assert staff.get(f"{url}?page=999&period=%00&agreement=-1").status_code < 500


def test_too_many_lines_in_one_request(world, clients):
    rows = [_row(_agreement(world), external_ref=f"N-{n}") for n in range(1001)]
    response = _post(clients["staff_a"], SALES, rows)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [TOO_MANY_LINES.format(max=1000)]}


def test_a_larger_file_is_accepted_and_imported_by_a_worker(
    world, clients, monkeypatch, django_capture_on_commit_callbacks
):
    """Over the in-request size, the upload answers 202 at once with the import to poll;
    the worker imports it (in-process here); outsiders cannot read its status."""
    monkeypatch.setattr("kpis.api.sales.SYNC_IMPORT_MAX_BYTES", 10)
    agreement = _agreement(world)
    content = _csv("TEA-1,2026-08-05,100,199.00,1990.00,600.00,tmall,,BIG-1")
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(clients["staff_a"], agreement.pk, content)
    assert response.status_code == 202, response.data
    body = response.json()
    assert body["status"] == "pending"
    url = body["url"].removeprefix("http://testserver")
    assert url == f"/api/v1/sales/import/{body['id']}/"
    polled = clients["staff_a"].get(url).json()
    assert (polled["status"], polled["rows_created"]) == ("done", 1)
    assert clients["finance_a1"].get(url).status_code == 200  # the brand's own import
    for outsider in ("finance_b1", "finance_a2", "staff_b"):
        assert clients[outsider].get(url).status_code == 404
    assert clients["staff_a"].get("/api/v1/sales/import/987654/").status_code == 404
