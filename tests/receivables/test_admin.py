"""The admin: the receivables page and its XLSX export, issuing a balance confirmation
for a brand as of a date, and its read-only page with the brand's answer."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from receivables import services
from receivables.models import BalanceConfirmation
from tests.receivables.conftest import TODAY

pytestmark = pytest.mark.django_db
LIST = "/admin/receivables/balanceconfirmation/"


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    return client


def test_the_receivables_page_per_brand_or_agency_wide(staff_client, world, other):
    page = staff_client.get(LIST + "receivables/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world.august.number in html and other.august.number not in html
    assert "¥17,140.00" in html and "Over 90 days overdue" in html
    day = world.august.payment_due_on + timedelta(days=31)
    one = staff_client.get(LIST + f"receivables/?brand={world.brand.pk}&as_of={day}")
    found = one.context["found"]
    assert (found.brand, found.as_of) == (world.brand, day)
    row = next(i for i in found.items if i.statement.pk == world.august.pk)
    assert row.bucket == "31_60"
    assert f"brand={world.brand.pk}" in one.context["export_url"]
    # Another agency's brand is no choice; the future is refused.
    theirs = staff_client.get(LIST + f"receivables/?brand={other.brand.pk}")
    assert theirs.context["form"].errors and theirs.context["found"].brand is None
    future = staff_client.get(LIST + f"receivables/?as_of={TODAY + timedelta(days=1)}")
    assert future.context["form"].errors["as_of"]


def test_the_receivables_export(staff_client, world):
    response = staff_client.get(LIST + f"receivables/export.xlsx?brand={world.brand.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'-{world.brand.pk}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert world.august.number in numbers and world.september.number in numbers


def test_issue_for_a_brand_as_of_a_date(staff_client, world, other):
    add = staff_client.get(LIST + "add/")
    assert add.status_code == 200
    brands = set(add.context["adminform"].form.fields["brand"].queryset)
    assert world.brand in brands and other.brand not in brands and world.agency not in brands
    future = staff_client.post(
        LIST + "add/", {"brand": world.brand.pk, "as_of": (TODAY + timedelta(days=1)).isoformat()}
    )
    assert future.status_code == 200
    assert future.context["adminform"].form.errors["as_of"]
    assert not BalanceConfirmation.objects.exists()
    done = staff_client.post(LIST + "add/", {"brand": world.brand.pk, "as_of": "2026-12-01"})
    assert done.status_code == 302
    confirmation = BalanceConfirmation.objects.get()
    assert (confirmation.brand, str(confirmation.as_of)) == (world.brand, "2026-12-01")
    assert confirmation.created_by == world.staff


def test_staff_see_the_brands_answer_and_download(
    staff_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        confirmation = services.balance_confirmation_issue(
            brand=world.brand, as_of=TODAY, by=world.staff
        )
    services.balance_confirmation_dispute(
        confirmation=confirmation, by=world.finance, comment="八月已付清"
    )
    listing = staff_client.get(LIST + "?status__exact=disputed").content.decode()
    assert confirmation.number in listing
    assert (
        confirmation.number
        not in staff_client.get(LIST + "?status__exact=confirmed").content.decode()
    )
    page = staff_client.get(LIST + f"{confirmation.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "八月已付清" in html and world.august.number in html
    assert f"{LIST}{confirmation.pk}/pdf/" in html
    pdf = staff_client.get(LIST + f"{confirmation.pk}/pdf/")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert staff_client.get(LIST + f"{confirmation.pk}/xlsx/").status_code == 200
    # Read-only: a post changes nothing.
    staff_client.post(LIST + f"{confirmation.pk}/change/", {"brand": world.brand.pk})
    confirmation.refresh_from_db()
    assert confirmation.status == "disputed"


def test_another_agencys_confirmation_is_not_found(staff_client, other):
    theirs = services.balance_confirmation_issue(brand=other.brand, as_of=TODAY, by=other.staff)
    for path in ("change/", "pdf/", "xlsx/"):
        assert staff_client.get(LIST + f"{theirs.pk}/{path}").status_code in (302, 404)
    assert theirs.number not in staff_client.get(LIST).content.decode()


def test_the_sidebar_links(staff_client):
    html = staff_client.get("/admin/").content.decode()
    assert f'href="{LIST}receivables/"' in html and f'href="{LIST}"' in html
