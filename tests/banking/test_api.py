"""bank-transactions/ through the API: single and list, import, allocate, scoping."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from banking.models import BankTransaction
from settlements.models import Payment
from tests.banking import files
from tests.banking.test_imports import CMB_ROWS

URL = "/api/v1/bank-transactions/"


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(ref="R1", amount="3570.00", **extra):
    return {
        "booked_on": "2026-09-25",
        "amount": amount,
        "payer_name": "杭州茗香茶业有限公司",
        "payer_account": "",
        "remark": "货款",
        "bank_ref": ref,
        **extra,
    }


def test_post_one_then_again(world):
    client = _client(world.staff)
    response = client.post(URL, _body(remark=f"货款 {world.monthly.number}"), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "unmatched" and data["allocated"] == "0.00"
    assert data["brand"] == world.brand.pk
    assert data["suggestions"] == [
        {"statement": world.monthly.pk, "amount": "3570.00", "reason": "number_in_remark"}
    ]
    again = client.post(URL, _body(remark=f"货款 {world.monthly.number}"), format="json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    conflict = client.post(URL, _body(amount="1.00"), format="json")
    assert conflict.status_code == 409


def test_post_a_list_all_or_nothing(world):
    client = _client(world.staff)
    response = client.post(
        URL, [_body("A"), _body("B", amount="0"), _body("C", currency="USD")], format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["index"] for e in errors] == [1, 2]
    assert "amount" in errors[0] and "currency" in errors[1]
    assert not BankTransaction.objects.exists()
    response = client.post(URL, [_body("A"), _body("B", amount="12.00")], format="json")
    assert response.status_code == 201 and [r["bank_ref"] for r in response.json()] == ["A", "B"]


def test_list_filters_and_brands_see_nothing(world):
    client = _client(world.staff)
    client.post(URL, [_body("A"), _body("B", payer_name="陌生人")], format="json")
    listing = client.get(URL, {"status": "unmatched", "brand": world.brand.pk})
    assert [r["bank_ref"] for r in listing.json()["results"]] == ["A"]
    assert client.get(URL, {"booked_on_after": "2026-09-26"}).json()["count"] == 0
    assert client.get(URL, {"booked_on_before": "2026-09-25"}).json()["count"] == 2
    assert client.get(URL, {"status": "nope"}).status_code == 400
    finance = _client(world.finance)
    assert finance.get(URL).json()["count"] == 0
    pk = BankTransaction.objects.get(bank_ref="A").pk
    assert finance.get(f"{URL}{pk}/").status_code == 404
    assert finance.post(URL, _body("Z"), format="json").status_code == 403
    assert _client(world.other_staff).get(f"{URL}{pk}/").status_code == 404


def test_list_suggestions_without_a_query_per_row(world, django_assert_max_num_queries):
    client = _client(world.staff)
    client.post(URL, [_body(str(i), amount="10.00") for i in range(20)], format="json")
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert all(r["suggestions"] for r in response.json()["results"])


def test_import_preview_then_commit(world):
    client = _client(world.staff)

    def upload():
        return SimpleUploadedFile("cmb.csv", files.gbk_csv(CMB_ROWS).getvalue(), "text/csv")

    preview = client.post(
        f"{URL}import/", {"file": upload(), "preview": "true"}, format="multipart"
    )
    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert (body["preview"], body["created"], body["debits"]) == (True, 2, 1)
    assert [r["bank_ref"] for r in body["rows"]] == ["CMB0001", "CMB0003"]
    assert not BankTransaction.objects.exists()
    done = client.post(f"{URL}import/", {"file": upload(), "preset": "cmb"}, format="multipart")
    assert done.status_code == 201 and done.json()["created"] == 2
    again = client.post(f"{URL}import/", {"file": upload()}, format="multipart")
    assert again.status_code == 201 and (
        again.json()["created"],
        again.json()["already_imported"],
    ) == (0, 2)
    bad = client.post(
        f"{URL}import/", {"file": upload(), "mapping": '{"booked_on": "没有"}'}, format="multipart"
    )
    assert bad.status_code == 400 and bad.json()["errors"]
    assert (
        client.post(
            f"{URL}import/", {"file": upload(), "mapping": "{"}, format="multipart"
        ).status_code
        == 400
    )
    assert (
        _client(world.finance)
        .post(f"{URL}import/", {"file": upload()}, format="multipart")
        .status_code
        == 403
    )


def test_allocate(world):
    client = _client(world.staff)
    credit = client.post(URL, _body(amount="30000.00"), format="json").json()
    path = f"{URL}{credit['id']}/allocate/"
    over = client.post(
        path,
        {"allocations": [{"statement": world.installment.pk, "amount": "30000.00"}]},
        format="json",
    )
    assert over.status_code == 400 and "allocations" in over.json()
    foreign = client.post(
        path,
        {"allocations": [{"statement": world.other_statement.pk, "amount": "1.00"}]},
        format="json",
    )
    assert foreign.status_code == 404
    response = client.post(
        path,
        {
            "allocations": [
                {"statement": world.installment.pk, "amount": "25000.00"},
                {"statement": world.setup_fee.pk, "amount": "5000.00"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["allocated"], data["suggestions"]) == ("matched", "30000.00", [])
    assert {a["statement"] for a in data["allocations"]} == {
        world.installment.pk,
        world.setup_fee.pk,
    }
    assert Payment.objects.filter(statement=world.setup_fee).get().amount == Decimal("5000.00")
    # another agency's staff and the brand get 404 for the credit
    for user in (world.other_staff, world.finance):
        assert _client(user).post(path, {"allocations": []}, format="json").status_code == 404
