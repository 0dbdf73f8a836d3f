"""The organization's admin page: an agency chooses how its monthly statements carry their
detail (an appendix page of the PDF, or the XLSX only); a brand's page leaves it out."""

import pytest
from django.urls import reverse

from accounts.models import Organization, User
from tests import factories as f
from tests.vat.test_admin import _form  # the organization's change form as posted

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _url(org: Organization) -> str:
    return reverse("admin:accounts_organization_change", args=[org.pk])


@pytest.fixture
def agency_client(client):
    agency = f.agency()
    client.force_login(f.superuser())
    return client, agency


def test_a_new_agency_puts_the_detail_in_the_pdf() -> None:
    assert f.agency().statement_detail == Organization.StatementDetail.PDF == "pdf"


def test_an_agency_page_shows_the_choice_in_its_language(agency_client) -> None:
    client, agency = agency_client

    english = client.get(_url(agency), **EN).content.decode()
    chinese = client.get(_url(agency), **ZH).content.decode()

    assert 'name="statement_detail"' in english
    assert "Statements (agencies)" in english
    assert "Appendix of the statement PDF" in english and "XLSX download only" in english
    assert "2–3 times slower to render" in english
    assert "对账单（代运营方）" in chinese
    assert "对账单 PDF 附件" in chinese and "仅 XLSX 下载" in chinese


def test_an_agency_chooses_xlsx_and_back(agency_client) -> None:
    client, agency = agency_client

    response = client.post(_url(agency), _form(agency, statement_detail="xlsx"))

    assert response.status_code == 302, response.content.decode()[:2000]
    agency.refresh_from_db()
    assert agency.statement_detail == Organization.StatementDetail.XLSX
    page = client.get(_url(agency), **EN).content.decode()
    assert '<option value="xlsx" selected>' in page

    client.post(_url(agency), _form(agency, statement_detail="pdf"))
    agency.refresh_from_db()
    assert agency.statement_detail == Organization.StatementDetail.PDF


def test_an_unknown_choice_is_refused(agency_client) -> None:
    client, agency = agency_client

    response = client.post(_url(agency), _form(agency, statement_detail="csv"), **EN)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    agency.refresh_from_db()
    assert agency.statement_detail == "pdf"


def test_agency_staff_set_their_own_agency(client) -> None:
    agency = f.agency()
    client.force_login(f.user(agency, User.Role.AGENCY_STAFF))

    response = client.post(_url(agency), _form(agency, statement_detail="xlsx"))

    assert response.status_code == 302, response.content.decode()[:2000]
    agency.refresh_from_db()
    assert agency.statement_detail == "xlsx"


def test_a_brand_page_leaves_the_choice_out_and_ignores_it(agency_client) -> None:
    client, agency = agency_client
    brand = f.brand(agency)

    page = client.get(_url(brand), **EN).content.decode()
    assert 'name="statement_detail"' not in page
    assert "Statements (agencies)" not in page

    response = client.post(_url(brand), _form(brand, statement_detail="xlsx"))

    assert response.status_code == 302, response.content.decode()[:2000]
    brand.refresh_from_db()
    assert brand.statement_detail == "pdf"


def test_a_new_organization_offers_the_choice(agency_client) -> None:
    client, _agency = agency_client

    page = client.get(reverse("admin:accounts_organization_add"), **EN).content.decode()

    assert 'name="statement_detail"' in page
