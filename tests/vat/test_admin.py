"""The admin: a statement's page shows its VAT split and, beside it, the brand's invoicing
details; staff edit those details on the organization, one payer name or account a line."""

import pytest
from django.urls import reverse

from accounts import messages as msg
from accounts.models import Organization, User
from tests.settlements.test_admin import setup as admin_month  # noqa: F401  (a fixture)
from tests.settlements.test_admin_statement_page import EN, ZH, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(request):
    """test_admin's month: a revenue-share draft of 2026-08 (¥2,793.00), staff logged in."""
    return request.getfixturevalue("admin_month")


def _page(client, statement, lang):
    response = client.get(
        reverse("admin:settlements_statement_change", args=[statement.pk]), **lang
    )
    assert response.status_code == 200
    return response


def test_the_statement_page_shows_the_split_and_the_empty_details(month):
    client, _agreement, draft = month
    response = _page(client, draft, EN)
    assert text_of(response, "vat") == (
        "Net of tax ¥2,634.91 VAT at 6% ¥158.09 Total including tax ¥2,793.00"
    )
    assert "The brand has not given its invoicing details yet." in text_of(response, "invoicing")
    chinese = _page(client, draft, ZH)
    assert text_of(chinese, "vat") == (
        "不含税金额 ¥2,634.91 税额（税率 6%） ¥158.09 价税合计 ¥2,793.00"
    )
    assert "品牌方尚未填写开票信息" in text_of(chinese, "invoicing")


def test_the_statement_page_shows_the_brands_details(month):
    client, agreement, draft = month
    Organization.objects.filter(pk=agreement.brand_id).update(
        invoice_title="山野茶业（福建）有限公司",
        tax_id="91350100M000100Y43",
        invoice_address_phone="福州市五四路 158 号 0591-12345678",
        invoice_bank_account="招商银行福州分行 591900000000001",
    )
    text = text_of(_page(client, draft, ZH), "invoicing")
    assert text.startswith(
        "名称 山野茶业（福建）有限公司 纳税人识别号 91350100M000100Y43 "
        "地址、电话 福州市五四路 158 号 0591-12345678 "
        "开户行及账号 招商银行福州分行 591900000000001"
    )
    assert "编辑开票信息" in text


def _form(org, **fields):
    data = {
        "name": org.name,
        "kind": org.kind,
        "agency": org.agency_id or "",
        "contact_email": org.contact_email,
        "address": org.address,
        "invoice_title": "",
        "tax_id": "",
        "invoice_address_phone": "",
        "invoice_bank_account": "",
        "payer_names": "",
        "payer_accounts": "",
        "bank_accounts-TOTAL_FORMS": "0",
        "bank_accounts-INITIAL_FORMS": "0",
        "bank_accounts-MIN_NUM_FORMS": "0",
        "bank_accounts-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def _save(client, org, **fields):
    return client.post(
        reverse("admin:accounts_organization_change", args=[org.pk]), _form(org, **fields), **ZH
    )


def test_staff_edit_the_details_one_entry_a_line(month):
    client, agreement, _draft = month
    brand = agreement.brand
    form = client.get(reverse("admin:accounts_organization_change", args=[brand.pk]), **ZH)
    assert "开票信息（品牌方）" in form.content.decode()
    response = _save(
        client,
        brand,
        invoice_title=" 山野茶业（福建）有限公司 ",
        tax_id="9135 0100 m000 100y43",
        payer_names="山野茶业（福建）有限公司\n\n山野茶业天猫旗舰店\n",
        payer_accounts="5919 0000 0000 001\r\n6225000000000002",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    brand.refresh_from_db()
    assert brand.invoice_title == "山野茶业（福建）有限公司"
    assert brand.tax_id == "91350100M000100Y43"
    assert brand.payer_names == ["山野茶业（福建）有限公司", "山野茶业天猫旗舰店"]
    assert brand.payer_accounts == ["591900000000001", "6225000000000002"]
    again = client.get(reverse("admin:accounts_organization_change", args=[brand.pk]), **ZH)
    assert "山野茶业（福建）有限公司\n山野茶业天猫旗舰店</textarea>" in again.content.decode()


def test_bad_details_are_refused_on_the_form(month):
    client, agreement, _draft = month
    brand = agreement.brand
    response = _save(client, brand, tax_id="91350100M000100Y44", payer_names="甲\n甲")
    assert response.status_code == 200
    text = response.content.decode()
    assert msg.TAX_ID_CHECK.split(" /")[0] in text
    assert "“甲”重复" in text
    brand.refresh_from_db()
    assert brand.tax_id == "" and brand.payer_names == []


def test_an_agency_carries_none(month):
    client, agreement, _draft = month
    agency = agreement.agency
    superuser = User.objects.create_superuser(username="root-vat", password="pw-Test-1234")
    client.force_login(superuser)
    response = _save(client, agency, invoice_title="代运营")
    assert response.status_code == 200
    assert msg.INVOICING_BRAND_ONLY.split(" /")[0] in response.content.decode()
    agency.refresh_from_db()
    assert agency.invoice_title == ""
