"""The admin: import with a preview that saves nothing, then Save; the allocation page;
the workbench's queue of unmatched credits."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banking.models import BankTransaction
from banking.services import bank_transaction_create
from settlements.models import Payment
from tests.banking import files
from tests.banking.test_imports import CMB_ROWS

IMPORT = "/admin/banking/banktransaction/import/"


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def _credit(world, amount="3570.00", remark=""):
    data = {
        "booked_on": __import__("datetime").date(2026, 9, 25),
        "amount": Decimal(amount),
        "payer_name": "杭州茗香茶业有限公司",
        "remark": remark,
        "bank_ref": "ADM-1",
    }
    return bank_transaction_create(agency=world.agency, data=data, by=world.staff).transaction


def test_import_preview_then_save(staff_client, world):
    page = staff_client.get(IMPORT)
    assert page.status_code == 200 and "agency" not in page.context["form"].fields
    upload = SimpleUploadedFile("cmb.csv", files.gbk_csv(CMB_ROWS).getvalue())
    preview = staff_client.post(IMPORT, {"file": upload, "preset": "generic", "mapping": ""})
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result["ok"] and result["new"] == 2 and result["debits"] == 1
    assert [r["bank_ref"] for r in result["rows"]] == ["CMB0001", "CMB0003"]
    assert "¥3,570.00" in preview.content.decode()
    assert not BankTransaction.objects.exists()  # nothing before Save
    token = preview.context["token"]
    saved = staff_client.post(IMPORT, {"token": token})
    assert saved.status_code == 302
    assert BankTransaction.objects.count() == 2
    # the token is used up: a second Save imports nothing
    again = staff_client.post(IMPORT, {"token": token})
    assert again.status_code == 302 and BankTransaction.objects.count() == 2


def test_import_errors_are_shown_and_nothing_can_be_saved(staff_client):
    rows = [*CMB_ROWS, ["2026-09-31", "", "", "abc", "", "x", "CMB0004", "x", "", ""]]
    upload = SimpleUploadedFile("cmb.csv", files.gbk_csv(rows).getvalue())
    page = staff_client.post(IMPORT, {"file": upload, "preset": "generic"})
    assert page.status_code == 200 and "token" not in page.context
    assert not page.context["result"]["ok"]
    assert "第 9 行" in page.content.decode()
    bad = staff_client.post(
        IMPORT, {"file": SimpleUploadedFile("a.csv", b"x"), "preset": "generic", "mapping": "{"}
    )
    assert bad.context["form"].errors["mapping"]
    assert not BankTransaction.objects.exists()


def test_allocate_page_prefilled_split_and_errors(staff_client, world):
    credit = _credit(world, "30000.00", remark=world.monthly.number)
    url = reverse("admin:banking_banktransaction_allocate", args=[credit.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    initial = [f.initial for f in page.context["formset"].forms if f.initial]
    assert initial[0] == {"statement": world.monthly.pk, "amount": Decimal("3570.00")}
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-statement": world.monthly.pk,
        "form-0-amount": "3570.00",
        "form-1-statement": world.installment.pk,
        "form-1-amount": "30000.00",
    }
    refused = staff_client.post(url, data)
    assert refused.status_code == 200
    assert refused.context["formset"].non_form_errors()
    assert not Payment.objects.exists()
    data["form-1-amount"] = "20000.00"
    done = staff_client.post(url, data)
    assert done.status_code == 302
    credit.refresh_from_db()
    assert (credit.status, credit.allocated) == ("partially_matched", Decimal("23570.00"))
    assert Payment.objects.count() == 2
    # the credit's page lists its allocations
    change = staff_client.get(reverse("admin:banking_banktransaction_change", args=[credit.pk]))
    assert change.status_code == 200 and world.monthly.number in change.content.decode()


def test_another_agency_and_the_list(client, world):
    credit = _credit(world)
    client.force_login(world.other_staff)
    url = reverse("admin:banking_banktransaction_allocate", args=[credit.pk])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("admin:banking_banktransaction_changelist"))
    assert listing.status_code == 200 and "ADM-1" not in listing.content.decode()
    client.force_login(world.staff)
    listing = client.get(
        reverse("admin:banking_banktransaction_changelist"), {"status__exact": "unmatched"}
    )
    assert "ADM-1" in listing.content.decode() and "¥3,570.00" in listing.content.decode()


def test_the_workbench_queues_unmatched_credits(staff_client, world):
    credit = _credit(world)
    page = staff_client.get("/admin/")
    sections = {s.key: s for s in page.context["workbench"]["extra"]}
    queue = sections["unmatched-credits"]
    assert queue.count == 1 and queue.rows[0][0].text == credit.bank_ref
    assert (
        reverse("admin:banking_banktransaction_allocate", args=[credit.pk]) in page.content.decode()
    )
