"""Issue 12: the agreement and product lists fit 1366 px with money as money, and the
agreement actions say what they did, per agreement, linked, in the page's language."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = "admin:contracts_agreement_changelist"
LONG_TITLE = "网络销售平台合作协议（收益 7:3 分配，含直播与小程序渠道的全部线上销售）"


@pytest.fixture
def staff_client(client):
    agency = f.agency("杭州列表代运营")
    client.force_login(f.user(agency, User.Role.AGENCY_STAFF))
    client.brand = f.brand(agency, "山野茶业（福建）有限公司")
    return client


def _messages(response):
    """The messages an action left for the next page (each page shows and clears them)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def _terminate(client, agreement, on="2026-10-31"):
    selected = {"action": "terminate_selected", "_selected_action": [agreement.pk]}
    return client.post(reverse(LIST), {**selected, "on": on, "reason": "双方协商"})


def _en(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_agreement_list_shows_its_columns_on_one_line_each(staff_client):
    agreement = f.agreement(brand_org=staff_client.brand, title=LONG_TITLE, activate=True)
    response = staff_client.get(reverse(LIST))
    columns = list(response.context["cl"].list_display)
    assert columns[1:] == [
        "number_cell",
        "title_cell",
        "brand_cell",
        "kind_cell",
        "status_badge",
        "starts",
        "ends",
        "renews",
    ]
    html = response.content.decode()
    # the long title is cut to one line with an ellipsis, whole in its tooltip
    assert f'<span class="block truncate max-w-40" title="{LONG_TITLE}">' in html
    assert '<span class="whitespace-nowrap">2026-06-01</span>' in html  # dates as ISO
    assert f'title="山野茶业（福建）有限公司 · {agreement.agency.name}"' in html
    assert "自动续约" in html  # revenue share renews automatically
    headers = [str(h["text"]) for h in response.context["result_headers"]][1:]
    assert headers == ["编号", "标题", "品牌方", "类型", "状态", "开始", "结束", "续约"]
    english = _en(staff_client).get(reverse(LIST))
    headers = [str(h["text"]) for h in english.context["result_headers"]][1:]
    assert headers == ["Number", "Title", "Brand", "Kind", "Status", "Starts", "Ends", "Renewal"]


def test_a_terminated_agreement_ends_on_its_termination_day(staff_client):
    agreement = f.agreement(brand_org=staff_client.brand, activate=True)
    _terminate(staff_client, agreement)
    html = staff_client.get(reverse(LIST)).content.decode()
    assert 'title="已于 2026-10-31 终止">2026-10-31 ✕</span>' in html


def test_product_prices_are_money(staff_client):
    f.product(
        staff_client.brand,
        sku="TEA-LIST-1",
        factory_price=Decimal("1234.5"),
        distributor_price=Decimal("2000"),
        min_retail_price=Decimal("12345.67"),
    )
    html = staff_client.get(reverse("admin:contracts_product_changelist")).content.decode()
    assert "¥1,234.50" in html and "¥2,000.00" in html and "¥12,345.67" in html


def test_activation_says_what_it_billed_with_a_link_in_the_page_language(staff_client):
    agreement = f.agreement(brand_org=staff_client.brand, signed_on=date(2026, 5, 20))
    url = reverse(LIST)
    chosen = {"action": "activate_selected", "_selected_action": [agreement.pk]}
    confirm = staff_client.post(url, chosen).content.decode()
    assert "启动费" in confirm or "¥10,000.00" in confirm
    assert "Activation issues" not in confirm
    response = staff_client.post(url, {**chosen, "confirmed": "yes"})
    [message] = _messages(response)
    link = reverse("admin:contracts_agreement_change", args=[agreement.pk])
    assert message.startswith(f'<a href="{link}">{agreement.number}</a>: 已激活。开具：')
    assert "¥10,000.00" in message and "2026-05-25" in message
    assert "activated" not in message


def test_activation_and_termination_messages_in_english(staff_client):
    _en(staff_client)
    agreement = f.agreement(brand_org=staff_client.brand, signed_on=date(2026, 5, 20))
    url = reverse(LIST)
    response = staff_client.post(
        url,
        {"action": "activate_selected", "_selected_action": [agreement.pk], "confirmed": "yes"},
    )
    [message] = _messages(response)
    staff_client.get(url)  # shown, so gone
    assert f">{agreement.number}</a>: activated. Billed: " in message
    assert "¥10,000.00 due 2026-05-25" in message and "已激活" not in message
    [message] = _messages(_terminate(staff_client, agreement))
    assert message.endswith(
        f">{agreement.number}</a>: terminated on 2026-10-31; nothing is settled after that day."
    )
    staff_client.get(url)
    [refused] = _messages(_terminate(staff_client, agreement))
    assert refused.endswith("Only an active agreement can be terminated (now terminated).")
    assert "只有" not in refused


def test_the_action_names_read_in_one_language(staff_client):
    f.agreement(brand_org=staff_client.brand)
    html = staff_client.get(reverse(LIST)).content.decode()
    assert "激活所选草稿" in html and "Activate" not in html
    html = _en(staff_client).get(reverse(LIST)).content.decode()
    assert "Activate the selected drafts" in html and "激活所选草稿" not in html
