"""Portal pages, one by one: who may see them, what they show, what the actions do."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from common.models import Event
from settlements import services
from settlements.models import Statement
from tests import factories as f
from tests.portal.conftest import PASSWORD, logged_in

D = Decimal
pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"portal:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


# --- who gets in --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_portal_login(client, world):
    response = client.get(url("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == f"{url('login')}?next={url('dashboard')}"
    assert client.get("/")["Location"] == url("dashboard")


def test_root_sends_brand_users_to_the_portal_and_staff_to_the_admin(world):
    assert logged_in(world.finance).get("/")["Location"] == url("dashboard")
    assert logged_in(world.staff).get("/")["Location"] == "/admin/"


def test_agency_staff_and_superusers_are_sent_to_the_admin(world):
    for user in (world.staff, f.superuser()):
        response = logged_in(user).get(url("statements"))
        assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_a_user_without_a_brand_role_is_refused(world):
    nobody = User.objects.create_user(username="nobody", password=PASSWORD)
    assert logged_in(nobody).get(url("dashboard")).status_code == 403
    response = Client().post(url("login"), {"username": "nobody", "password": PASSWORD})
    assert response.status_code == 200
    assert "此账户无权使用客户门户" in text(response)
    assert "_auth_user_id" not in Client().session


def test_login_lands_a_brand_user_on_the_dashboard_and_staff_in_the_admin(world):
    client = Client()
    page = client.get(url("login"))
    assert page.status_code == 200
    assert 'for="id_username"' in text(page) and 'for="id_password"' in text(page)
    response = client.post(url("login"), {"username": world.finance.username, "password": PASSWORD})
    assert response["Location"] == url("dashboard")
    assert client.get(url("login"))["Location"] == url("dashboard")  # already logged in
    staff = Client().post(url("login"), {"username": world.staff.username, "password": PASSWORD})
    assert staff["Location"] == "/admin/"


def test_login_follows_next_for_brand_users(world):
    target = url("statement", world.issued.pk)
    response = Client().post(
        f"{url('login')}?next={target}",
        {"username": world.finance.username, "password": PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_wrong_password_says_so(world):
    response = Client().post(url("login"), {"username": world.finance.username, "password": "x"})
    assert response.status_code == 200
    assert "请输入一个正确的" in text(response)  # Django's own message, in Chinese


def test_logout_is_a_post(finance_client):
    assert finance_client.get(url("logout")).status_code == 405
    response = finance_client.post(url("logout"))
    assert response["Location"] == url("login")
    assert finance_client.get(url("dashboard")).status_code == 302


def test_password_change(world):
    client = logged_in(world.viewer)
    assert Client().get(url("password_change"))["Location"].startswith(url("login"))
    assert client.get(url("password_change")).status_code == 200
    response = client.post(
        url("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Cha-cha-2027!",
            "new_password2": "Cha-cha-2027!",
        },
    )
    assert response["Location"] == url("password_change_done")
    world.viewer.refresh_from_db()
    assert world.viewer.check_password("Cha-cha-2027!")


def test_password_reset_by_email(world):
    client = Client()
    assert client.get(url("password_reset")).status_code == 200
    response = client.post(url("password_reset"), {"email": "finance@tea.example"})
    assert response["Location"] == url("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "重设客户门户密码" in message.subject and "Reset" in message.subject
    link = re.search(r"http://testserver(/portal/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "设置新密码" in text(form)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Neu-pass-2027!", "new_password2": "Neu-pass-2027!"},
    )
    assert done["Location"] == url("password_reset_complete")
    world.finance.refresh_from_db()
    assert world.finance.check_password("Neu-pass-2027!")


# --- dashboard ----------------------------------------------------------------------------


def test_dashboard_shows_what_is_owed_due_and_overdue(finance_client, world):
    response = finance_client.get(url("dashboard"))
    assert response.status_code == 200
    page = text(response)
    assert "山野茶业" in page and "江南丝绸" not in page
    # Owed: the setup fee 10,000.00 + July's share less 1,000.00 paid + August's share.
    owed = response.context["owed"]
    july, august = world.confirmed, world.issued
    assert owed == D("10000.00") + july.total_due - D("1000.00") + august.total_due
    assert f"¥{owed:,.2f}" in page
    overdue = {item.statement.pk: item for item in response.context["overdue"]}
    assert set(overdue) >= {july.pk, august.pk}
    # July was due 2026-08-20: 96 days overdue by 2026-11-24, the penalty runs at 0.3%/day.
    state = services.statement_penalty(statement=july, as_of=date(2026, 11, 24))
    assert overdue[july.pk].state.days_overdue == state.days_overdue == 96
    assert f"¥{state.penalty:,.2f}" in page
    # Its agency holds a termination right (more than 15 days overdue): shown.
    assert "解约权" in page and july.number in page
    # August's receipt deadline (2026-09-15) has passed: silence confirmed it, so the
    # dashboard asks for nothing, as it will show once the daily job has recorded it.
    assert response.context["awaiting"] == []


def test_dashboard_terms_in_plain_words_and_charts(finance_client, world):
    page = text(finance_client.get(url("dashboard")))
    assert world.rs.number in page and world.b2b.number in page
    assert "乙方获得每月收益的 30%，贵司保留 70%" in page
    assert "每月外包服务费 ¥8,000.00" in page
    assert "逾期付款按未付金额每日 0.3% 计收违约金" in page
    svgs = re.findall(r"<svg[^>]*class=\"chart[^\"]*\".*?</svg>", page, re.S)
    assert len(svgs) >= 4  # distributors, cartons, sales, the shop's monthly sales …
    assert all('role="img"' in svg and "<title" in svg for svg in svgs)
    assert page.count('class="bar bar-missed"') >= 3  # August missed all three minimums
    assert 'class="point point-' in page  # web targets drawn as lines from month 4


def test_dashboard_is_english_with_the_language_cookie(world):
    page = text(logged_in(world.finance, "en").get(url("dashboard")))
    assert "Owed now" in page and "当前应付" not in page
    assert "The agency receives 30% of each month&#x27;s profit and you keep 70%" in page


def test_dashboard_empty_state(world):
    lonely = f.brand(world.agency, "新品牌")
    page = text(logged_in(f.user(lonely, User.Role.BRAND_VIEWER)).get(url("dashboard")))
    assert "暂无执行中的协议" in page and "¥0.00" in page


# --- statements ---------------------------------------------------------------------------


def test_statement_list_shows_the_brands_issued_statements_only(finance_client, world):
    response = finance_client.get(url("statements"))
    numbers = {s.number for s in response.context["page"].object_list}
    assert {world.issued.number, world.confirmed.number} <= numbers
    assert world.draft.number not in numbers
    assert world.silk_statement.number not in numbers
    assert all(s.agreement.brand_id == world.tea.pk for s in response.context["page"].object_list)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"period": "2026-08"}, {"issued"}),
        # August is past its receipt deadline: confirmed by silence, as the brand reads it.
        ({"status": "confirmed"}, {"confirmed", "issued"}),
        ({"status": "issued", "period": "2026-07"}, set()),
        ({"payment": "partially_paid"}, {"confirmed"}),
    ],
)
def test_statement_list_filters(finance_client, world, query, expected):
    response = finance_client.get(url("statements"), query)
    got = {
        name
        for name in ("issued", "confirmed")
        if getattr(world, name).pk in {s.pk for s in response.context["page"].object_list}
    }
    assert got == expected


def test_statement_list_filter_by_agreement_and_overdue(finance_client, world):
    response = finance_client.get(
        url("statements"), {"agreement": world.rs.pk, "payment": "overdue"}
    )
    listed = {s.pk for s in response.context["page"].object_list}
    assert {world.confirmed.pk, world.issued.pk} <= listed
    assert all(s.agreement_id == world.rs.pk for s in response.context["page"].object_list)


def test_statement_list_refuses_a_bad_period_and_another_brands_agreement(finance_client, world):
    response = finance_client.get(url("statements"), {"period": "August"})
    assert "期间格式为 YYYY-MM" in text(response)
    response = finance_client.get(url("statements"), {"agreement": world.silk_rs.pk})
    assert response.status_code == 200
    assert world.silk_statement.number not in text(response)
    assert response.context["form"].errors["agreement"]


def test_statement_list_empty_states(world, finance_client):
    page = text(finance_client.get(url("statements"), {"period": "2020-01"}))
    assert "没有符合条件的对账单" in page
    lonely = f.brand(world.agency, "新品牌")
    page = text(logged_in(f.user(lonely, User.Role.BRAND_FINANCE)).get(url("statements")))
    assert "暂无对账单" in page


def test_statement_detail(finance_client, world):
    july = world.confirmed
    response = finance_client.get(url("statement", july.pk))
    page = text(response)
    assert response.status_code == 200
    assert july.number in page and "月度对账单" in page
    for line in july.lines.all():
        assert line.description in page
    assert f"¥{july.total_due:,.2f}" in page
    assert "2026年8月25日" in page and "¥1,000.00" in page  # the payment
    assert "已确认" in page and "部分付款" in page
    assert url("statement_pdf", july.pk) in page
    assert "乙方分成" in page  # the figures box
    history = [row["text"] for row in response.context["history"]]
    assert [str(t) for t in history] == ["已出具", "已确认", "已收到付款"]
    assert response.context["history"][1]["actor"] == world.finance.username
    assert "杭州云帆电商" in {row["actor"] for row in response.context["history"]}


def test_finance_sees_receipt_buttons_viewers_do_not(
    finance_client, viewer_client, world, monkeypatch
):
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 14))  # deadline 09-15
    confirm = url("statement_confirm", world.issued.pk)
    dispute = url("statement_dispute", world.issued.pk)
    page = text(finance_client.get(url("statement", world.issued.pk)))
    assert confirm in page and dispute in page
    page = text(viewer_client.get(url("statement", world.issued.pk)))
    assert confirm not in page and dispute not in page
    assert "只有贵司的财务用户可以确认对账单或提出异议" in page
    # A confirmed statement offers no receipt action to anybody.
    page = text(finance_client.get(url("statement", world.confirmed.pk)))
    assert url("statement_confirm", world.confirmed.pk) not in page


def test_confirm_has_a_confirmation_step_then_confirms(finance_client, world, monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 14))  # before 09-15
    statement = world.issued
    step = finance_client.get(url("statement_confirm", statement.pk))
    assert step.status_code == 200
    assert "确认即表示贵司认可" in text(step)
    # Confirming on 2026-09-14 + 3 working days (revenue share) is 09-17: the 20th floor wins.
    assert step.context["due_if_confirmed"] == date(2026, 9, 20)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.ISSUED  # the GET changed nothing
    response = finance_client.post(url("statement_confirm", statement.pk), follow=True)
    statement.refresh_from_db()
    assert (statement.status, statement.confirmed_on) == ("confirmed", date(2026, 9, 14))
    assert f"对账单 {statement.number} 已确认" in text(response)
    event = Event.objects.get(action="statement.confirmed", object_id=statement.pk)
    assert event.actor == world.finance


def test_viewers_get_403_on_every_receipt_action(viewer_client, world):
    statement = world.issued
    for name in ("statement_confirm", "statement_dispute"):
        assert viewer_client.get(url(name, statement.pk)).status_code == 403
        assert viewer_client.post(url(name, statement.pk), {"comment": "x"}).status_code == 403
    statement.refresh_from_db()
    assert statement.status == Statement.Status.ISSUED


def test_receipt_posts_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.finance)
    assert client.post(url("statement_confirm", world.issued.pk)).status_code == 403
    world.issued.refresh_from_db()
    assert world.issued.status == Statement.Status.ISSUED


def test_dispute_needs_a_comment_then_withdraw(finance_client, world, monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 14))  # before 09-15
    statement = world.issued
    response = finance_client.post(url("statement_dispute", statement.pk), {"comment": "  "})
    assert response.status_code == 200 and "errors" in text(response)
    statement.refresh_from_db()
    assert statement.status == Statement.Status.ISSUED
    finance_client.post(url("statement_dispute", statement.pk), {"comment": "退货 4 盒未扣除"})
    statement.refresh_from_db()
    assert (statement.status, statement.dispute_comment) == ("disputed", "退货 4 盒未扣除")
    page = text(finance_client.get(url("statement", statement.pk)))
    assert "退货 4 盒未扣除" in page and "乙方尚未回复" in page
    assert url("statement_withdraw", statement.pk) in page
    step = finance_client.get(url("statement_withdraw", statement.pk))
    assert step.status_code == 200
    assert statement.payment_due_on is None  # no due date while the dispute is open
    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 21))  # after 09-15
    finance_client.post(url("statement_withdraw", statement.pk))
    statement.refresh_from_db()
    # Withdrawn after the receipt deadline: confirmed that day, due 3 working days later.
    assert (statement.status, statement.confirmed_on, statement.withdrawn_on) == (
        "confirmed",
        date(2026, 9, 21),
        date(2026, 9, 21),
    )
    assert statement.payment_due_on == date(2026, 9, 24)


def test_an_action_no_longer_possible_says_so(finance_client, world):
    response = finance_client.post(url("statement_confirm", world.confirmed.pk), follow=True)
    assert "此对账单已不需要该操作" in text(response)
    world.confirmed.refresh_from_db()
    assert world.confirmed.status == Statement.Status.CONFIRMED
    # A one-off bill has no receipt step: nothing to confirm.
    setup_fee = Statement.objects.get(agreement=world.rs, kind=Statement.Kind.SETUP_FEE)
    assert url("statement_confirm", setup_fee.pk) not in text(
        finance_client.get(url("statement", setup_fee.pk))
    )
    finance_client.post(url("statement_confirm", setup_fee.pk))
    setup_fee.refresh_from_db()
    assert setup_fee.status == Statement.Status.ISSUED
    response = finance_client.get(url("statement_confirm", world.confirmed.pk), follow=True)
    assert "此对账单已不需要该操作" in text(response)


def test_disputed_statement_shows_the_reply_and_the_corrected_version(finance_client, world):
    statement = services.statement_dispute(
        statement=world.issued, comment="请核对", by=world.staff, disputed_on=date(2026, 9, 14)
    )
    services.statement_reply(statement=statement, reply="已核实，将出具更正版本。", by=world.staff)
    page = text(finance_client.get(url("statement", statement.pk)))
    assert "乙方回复" in page and "已核实，将出具更正版本。" in page
    services.statement_void(statement=statement, reason="更正退货", by=world.staff)
    corrected = services.statement_correct(statement=statement, by=world.staff)
    page = text(finance_client.get(url("statement", statement.pk)))
    assert "乙方正在准备更正版本" in page and corrected.number not in page  # still a draft
    corrected = services.statement_issue(statement=corrected, by=world.staff)
    response = finance_client.get(url("statement", statement.pk))
    page = text(response)
    assert url("statement", corrected.pk) in page and corrected.number in page
    assert "已作废" in page and "更正退货" in page
    versions = [v.number for v in response.context["versions"]]
    assert versions == [statement.number, corrected.number]


def test_pdf_download(finance_client, world):
    response = finance_client.get(url("statement_pdf", world.issued.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert world.issued.number in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    world.issued.refresh_from_db()
    assert world.issued.pdf  # rendered once and kept with the version


def test_void_pdf_is_drawn_live(finance_client, world):
    services.statement_void(statement=world.issued, reason="重开", by=world.staff)
    response = finance_client.get(url("statement_pdf", world.issued.pk))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_penalty_notice_page_links_its_principal(finance_client, world):
    july = world.confirmed
    notice = services.penalty_notice_issue(statement=july, as_of=date(2026, 10, 31))
    response = finance_client.get(url("statement", notice.pk))
    page = text(response)
    assert "违约金通知" in page and url("statement", july.pk) in page
    assert notice.number in text(finance_client.get(url("statement", july.pk)))


# --- sales and KPIs ---------------------------------------------------------------------------


def test_sales_per_month_with_totals(finance_client, world):
    response = finance_client.get(url("sales"), {"agreement": world.rs.pk})
    months = {str(m.period): m for m in response.context["months"]}
    assert set(months) == {"2026-07", "2026-08", "2026-10"}
    august = months["2026-08"]
    # 100 × 199.00 sale, factory 80.00 each, tax 1,990.00, logistics 600.00 → 9,310.00 profit.
    assert (august.amount, august.tax, august.logistics) == (
        D("19900.00"),
        D("1990.00"),
        D("600.00"),
    )
    assert august.profit == D("9310.00")
    total = response.context["total"]
    assert total.amount == D("19900.00") + D("9950.00") + D("1990.00")
    assert "¥31,840.00" in text(response)


def test_sales_month_lines(finance_client, world):
    response = finance_client.get(url("sales_month", world.rs.pk, "2026-08"))
    page = text(response)
    assert response.status_code == 200
    assert "2026年8月5日" in page and "¥19,900.00" in page
    assert world.issued.number in page  # the statement that billed the line
    assert finance_client.get(url("sales_month", world.rs.pk, "2026-13")).status_code == 404


def test_sales_csv_has_a_bom_and_chinese_headers(finance_client, world):
    response = finance_client.get(url("sales_csv"), {"agreement": world.rs.pk, "period": "2026-08"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff日期,商品编码,产品,渠道")
    rows = body.strip().splitlines()
    assert len(rows) == 2
    assert rows[1].startswith("2026-08-05,TEA-1,测试产品,天猫,,100,199.00,19900.00")


def test_csv_cells_cannot_run_as_formulas(finance_client, world):
    _distributor = '=HYPERLINK("http://evil")'
    from kpis.services import sale_line_record

    sale_line_record(
        agreement=world.rs,
        data={
            "product": "TEA-1",
            "sold_on": "2026-09-03",
            "quantity": 1,
            "unit_price": "199.00",
            "channel": "tmall",
            "distributor": _distributor,
        },
        by=None,
    )
    body = b"".join(
        finance_client.get(url("sales_csv"), {"agreement": world.rs.pk}).streaming_content
    ).decode()
    assert "'=HYPERLINK" in body


def test_kpi_page_and_csv(finance_client, world):
    response = finance_client.get(url("kpis"))
    assert response.context["agreement"] == world.b2b
    rows = {str(r["period"]): r for r in response.context["rows"] if r["recorded"]}
    assert set(rows) == {"2026-06", "2026-07", "2026-08", "2026-09", "2026-10"}
    assert rows["2026-08"]["minimums"]["ok"] is False
    assert rows["2026-08"]["missed"] == "经销商、出货箱数、销售额"
    assert rows["2026-09"]["web_met"] == 5
    csv = b"".join(
        finance_client.get(url("kpis_csv"), {"agreement": world.b2b.pk}).streaming_content
    ).decode()
    assert csv.startswith("\ufeff期间,新增经销商,最低指标")
    assert "2026-08,3,5.00,90.00,200.00,60000.00,100000.00,未达标" in csv


def test_sales_and_kpi_empty_states(world):
    lonely = f.brand(world.agency, "新品牌")
    client = logged_in(f.user(lonely, User.Role.BRAND_FINANCE))
    assert "暂无销售数据" in text(client.get(url("sales")))
    assert "暂无考核指标" in text(client.get(url("kpis")))


# --- language and formats -------------------------------------------------------------------


def test_language_switch_keeps_the_page(finance_client, world):
    page = url("statement", world.confirmed.pk)
    html = text(finance_client.get(page))
    assert 'action="/i18n/setlang/"' in html and f'name="next" value="{page}"' in html
    response = finance_client.post("/i18n/setlang/", {"language": "en", "next": page})
    assert response["Location"] == page
    html = text(finance_client.get(page))
    assert "Monthly statement" in html and "Payments received" in html
    assert "Aug. 25, 2026" in html  # English dates
    assert "¥1,000.00" in html  # the same money format in both languages


def test_dates_and_money_in_chinese(finance_client, world):
    html = text(finance_client.get(url("statement", world.confirmed.pk)))
    assert "2026年8月25日" in html
    assert re.search(r"¥\d{1,3}(,\d{3})*\.\d\d", html)


def test_consulting_terms_and_an_installment_bill(world):
    brand = f.brand(world.agency, "顾问客户")
    agreement = f.agreement("consulting_fixed_fee", brand_org=brand, activate=True)
    client = logged_in(f.user(brand, User.Role.BRAND_FINANCE))
    page = text(client.get(url("dashboard")))
    assert "服务费总额 ¥50,000.00，分期支付" in page
    assert "第 1 期：50%，签订后 3 个工作日内支付。" in page
    assert "逾期付款按未付金额每日 0.5% 计收违约金" in page
    bill = Statement.objects.filter(agreement=agreement).first()
    page = text(client.get(url("statement", bill.pk)))
    assert "分期付款账单" in page and "已出具" in page
    assert url("statement_confirm", bill.pk) not in page  # no receipt step for a bill
    assert "暂无销售数据" in text(client.get(url("sales")))


def test_past_its_receipt_deadline_a_statement_reads_as_confirmed(finance_client, world):
    """TODAY (2026-11-24) is long past August's receipt deadline (2026-09-15): the page says
    it was confirmed by silence on the deadline and offers no receipt action, even before
    the daily job has recorded the confirmation."""
    statement = world.issued
    response = finance_client.get(url("statement", statement.pk))
    page = text(response)
    assert url("statement_confirm", statement.pk) not in page
    assert url("statement_dispute", statement.pk) not in page
    assert "待您确认" not in page and "视为确认" in page
    assert response.context["statement"].deemed_on == date(2026, 9, 15)
    refused = finance_client.post(url("statement_dispute", statement.pk), {"comment": "x"})
    assert refused.status_code == 302
    statement.refresh_from_db()
    assert statement.status == "issued"  # unchanged; the daily job records the silence
    services.daily_run(until=date(2026, 11, 24))
    statement.refresh_from_db()
    assert (statement.status, statement.confirmed_on) == ("confirmed", date(2026, 9, 15))


def test_dispute_with_an_attachment_in_the_portal(finance_client, world, monkeypatch, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    monkeypatch.setattr("common.clock.today", lambda: date(2026, 9, 14))
    statement = world.issued
    bad = SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")
    refused = finance_client.post(
        url("statement_dispute", statement.pk), {"comment": "退货未扣除", "attachments": [bad]}
    )
    assert refused.status_code == 200 and "virus.exe" in text(refused)  # a form error
    statement.refresh_from_db()
    assert statement.status == "issued" and not statement.dispute_attachments.exists()
    screenshot = SimpleUploadedFile("对账截图.png", b"\x89PNG" + b"1" * 64, "image/png")
    response = finance_client.post(
        url("statement_dispute", statement.pk),
        {"comment": "退货未扣除", "attachments": [screenshot]},
        follow=True,
    )
    assert response.status_code == 200
    statement.refresh_from_db()
    assert statement.status == "disputed" and statement.payment_due_on is None
    attachment = statement.dispute_attachments.get()
    link = url("statement_attachment", statement.pk, attachment.pk)
    page = text(finance_client.get(url("statement", statement.pk)))
    assert link in page and "对账截图.png" in page and "异议期间无需付款" in page
    download = finance_client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    # Another brand's user: 404, as for an id that does not exist.
    client.force_login(world.silk_finance)
    assert client.get(link).status_code == 404
    assert client.get(url("statement_attachment", statement.pk, 987654)).status_code == 404
