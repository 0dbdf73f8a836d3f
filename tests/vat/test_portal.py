"""The portal: a statement shows its VAT split; a brand's finance users keep its invoicing
details, its viewers read them, and no brand ever sees another's."""

import pytest
from django.urls import reverse

from accounts import messages as msg
from common.models import Event
from common.templatetags.portal import money_text
from settlements.vat import statement_vat
from tests.portal.conftest import TODAY, build_world, logged_in

pytestmark = pytest.mark.django_db

INVOICING = reverse("portal:invoicing")
GOOD = {
    "invoice_title": "山野茶业（福建）有限公司",
    "tax_id": "91350100m000100y43",
    "invoice_address_phone": "福建省福州市鼓楼区五四路 158 号 0591-12345678",
    "invoice_bank_account": "招商银行福州分行 591900000000001",
    "payer_names": "山野茶业（福建）有限公司\n\n山野茶业天猫旗舰店\n",
    "payer_accounts": "5919 0000 0000 001",
}


@pytest.fixture
def pw(db, monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: TODAY)
    return build_world()


def page(client) -> str:
    return client.get(INVOICING).content.decode()


def test_the_statement_page_shows_the_split(pw):
    statement = pw.issued
    split = statement_vat(statement)
    assert split.rate == statement.vat_rate
    body = logged_in(pw.finance).get(reverse("portal:statement", args=[statement.pk]))
    text = body.content.decode()
    assert body.status_code == 200
    assert "不含税金额" in text and "价税合计" in text
    assert "税额（税率 6%）" in text
    assert money_text(split.without_tax) in text and money_text(split.tax) in text
    english = logged_in(pw.finance, "en").get(reverse("portal:statement", args=[statement.pk]))
    assert "VAT at 6%" in english.content.decode() and "Net of tax" in english.content.decode()


def test_finance_keeps_the_details(pw):
    client = logged_in(pw.finance)
    text = page(client)
    assert "尚未填写" in text and 'data-testid="invoicing-form"' in text
    assert f'href="{INVOICING}"' in text  # in the navigation
    response = client.post(INVOICING, GOOD)
    assert response.status_code == 302 and response["Location"] == INVOICING
    pw.tea.refresh_from_db()
    assert pw.tea.tax_id == "91350100M000100Y43"
    assert pw.tea.payer_names == ["山野茶业（福建）有限公司", "山野茶业天猫旗舰店"]
    assert pw.tea.payer_accounts == ["591900000000001"]
    event = Event.objects.get(action="organization.changed", object_id=pw.tea.pk)
    assert event.actor == pw.finance
    assert set(event.detail["fields"]) == {
        "invoice_title",
        "tax_id",
        "invoice_address_phone",
        "invoice_bank_account",
        "payer_names",
        "payer_accounts",
    }
    text = page(client)
    assert "开票信息已保存" in text and "91350100M000100Y43" in text
    # Saving the same again changes nothing and records nothing.
    client.post(INVOICING, {**GOOD, "tax_id": "91350100M000100Y43"})
    assert Event.objects.filter(action="organization.changed").count() == 1


@pytest.mark.parametrize(
    ("language", "tax_message", "list_message"),
    [
        ("zh-hans", msg.TAX_ID_CHECK.split(" /")[0], "“甲公司”重复"),
        ("en", "The check character", "“甲公司” is given twice"),
    ],
)
def test_errors_are_shown_on_the_page_in_its_language(pw, language, tax_message, list_message):
    client = logged_in(pw.finance, language)
    response = client.post(
        INVOICING, {**GOOD, "tax_id": "91350100M000100Y44", "payer_names": "甲公司\n甲公司"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert tax_message in text and list_message in text
    assert ("check character" in text) == (language == "en")  # one language per page
    assert 'value="91350100M000100Y44"' in text  # what was typed is kept
    pw.tea.refresh_from_db()
    assert pw.tea.tax_id == "" and pw.tea.invoice_title == ""
    assert not Event.objects.filter(action="organization.changed").exists()


def test_viewers_read_but_cannot_change(pw):
    pw.tea.invoice_title = "山野茶业（福建）有限公司"
    pw.tea.save()
    client = logged_in(pw.viewer)
    text = page(client)
    assert "山野茶业（福建）有限公司" in text
    assert 'data-testid="invoicing-form"' not in text
    response = client.post(INVOICING, {**GOOD, "invoice_title": "改掉"})
    assert response.status_code == 403
    pw.tea.refresh_from_db()
    assert pw.tea.invoice_title == "山野茶业（福建）有限公司"


def test_another_brands_details_are_never_shown(pw):
    logged_in(pw.finance).post(INVOICING, GOOD)
    text = page(logged_in(pw.silk_finance))
    assert "91350100M000100Y43" not in text and "山野茶业（福建）" not in text
    assert "尚未填写" in text
    # Posting from the other brand writes the other brand only.
    logged_in(pw.silk_finance).post(INVOICING, {**GOOD, "invoice_title": "江南丝绸有限公司"})
    pw.tea.refresh_from_db()
    pw.silk.refresh_from_db()
    assert pw.tea.invoice_title == GOOD["invoice_title"]
    assert pw.silk.invoice_title == "江南丝绸有限公司"


def test_staff_are_sent_to_the_admin(pw):
    response = logged_in(pw.staff).get(INVOICING)
    assert response.status_code == 302 and response["Location"] == "/admin/"
