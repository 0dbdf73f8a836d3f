"""A staff month in a real browser (issue 12): agency staff run a whole month from the
admin's workbench without typing a URL after logging in.

Playwright drives Debian's chromium (headless) against pytest-django's live server, in
Chinese. The agency, its brand with two products and one staff user exist; everything
else is done on the pages by clicking sidebar items, buttons and links (``page.goto``
refuses after login): an agreement of each kind is added and activated (the activation
says what it billed), a sales file made from the import page's own CSV template is
imported for each agreement that takes sales, the B2B month's KPI record is added
through the chooser (pre-filled from those sales), the closed month is run, its
statements issued from their pages, a payment recorded, and the brand's written dispute
recorded and answered. Each step checks the database and
what the page says (messages in Chinese, money as ¥1,234.56).

A second test reads the workbench and a statement's page in English: no Chinese on them
but the data (names, titles, the brand's own words).

The clock is 2026-11-04, so October 2026 is the closed month. Celery runs eagerly.
"""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from contracts.models import Agreement
from core.periods import Period
from kpis.models import KpiRecord, SaleLine, SalesImport
from kpis.services import sale_line_record
from settlements import services
from settlements.models import Payment, Statement, StatementRun
from tests import factories as f
from tests.browser import BROWSER_TEST, admin_log_in, new_page

pytestmark = BROWSER_TEST

TODAY = date(2026, 11, 4)
TODAY_ZH = "2026年11月4日"
PASSWORD = "pw-Test-1234"
BRAND = "山野茶业（福建）有限公司"
AGENCY = "杭州云帆电商运营有限公司"
D = Decimal
PRODUCTS = [  # SKU, name, factory, distributor and minimum retail price, units per carton
    ("TEA-DHP-250", "大红袍 250g 礼盒", "80.00", "120.00", "199.00", 20),
    ("TEA-TGY-500", "铁观音 500g 罐装", "60.00", "95.00", "159.00", 24),
]
# The sales files' columns (the template's Chinese headers), then October's sales.
SALE_COLUMNS = ("产品", "日期", "数量", "单价", "渠道", "经销商", "外部单号")
TMALL_SALES = [
    ("TEA-DHP-250", "2026-10-08", 100, "199.00", "天猫", "", "TM-1008-01"),
    ("TEA-TGY-500", "2026-10-15", 50, "159.00", "天猫", "", "TM-1015-01"),
    ("TEA-DHP-250", "2026-10-20", -2, "199.00", "天猫", "", "TM-1020-R1"),  # a return
]
DISTRIBUTOR_SALES = [
    ("TEA-DHP-250", "2026-10-09", 200, "120.00", "经销商", "福州茶行", "JX-1009-01"),
    ("TEA-TGY-500", "2026-10-21", 48, "95.00", "经销商", "厦门茶庄", "JX-1021-01"),
]


def yuan(amount: Decimal) -> str:
    """Money as the pages write it: ¥12,345.60."""
    return f"¥{amount:,.2f}"


@pytest.fixture
def agency(transactional_db, monkeypatch, settings):
    monkeypatch.setattr("common.clock.today", lambda: TODAY)
    settings.PORTAL_BASE_URL = "http://testserver"
    org = f.agency(AGENCY)
    brand = f.brand(org, name=BRAND)
    for sku, name, factory, distributor, retail, per_carton in PRODUCTS:
        f.product(
            brand,
            sku=sku,
            name=name,
            factory_price=D(factory),
            distributor_price=D(distributor),
            min_retail_price=D(retail),
            units_per_carton=per_carton,
        )
    staff = f.user(org, User.Role.AGENCY_STAFF, username="xiaoli", first_name="小李")
    return {"agency": org, "brand": brand, "staff": staff}


@pytest.fixture
def page(chromium, live_server):
    with new_page(chromium, live_server, accept_downloads=True) as page:
        yield page


# --- what a person does on the pages ---------------------------------------------------------


def sidebar(page, name: str) -> None:
    """Click a sidebar item by its words (its icon's ligature is not part of them)."""
    page.locator("#nav-sidebar a").filter(has=page.get_by_text(name, exact=True)).click()


def said(page, text: str | re.Pattern) -> None:
    """The page shows ``text`` (a message, a figure)."""
    expect(page.get_by_text(text).first).to_be_visible()


def add_agreement(page, kind_label: str, fields: dict[str, str], terms: dict[str, str]) -> None:
    """From the agreement list: the kind's add button, the form, save."""
    sidebar(page, "协议")
    page.get_by_role("link", name=kind_label).click()
    page.wait_for_url("**/contracts/agreement/add/?kind=*")
    page.get_by_label("编号").fill(fields["number"])
    page.get_by_label("标题").fill(fields["title"])
    page.get_by_label("品牌方").select_option(label=BRAND)
    page.get_by_label("代运营方").select_option(label=AGENCY)
    page.get_by_label("签订日期").fill("2026-09-25")
    page.get_by_label("开始日期").fill("2026-10-01")
    page.get_by_label("结束日期").fill("2027-09-30")
    page.get_by_label("收款账户").select_option(index=1)
    for label, value in terms.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="保存", exact=True).click()
    said(page, "已按合同模板填入默认条款，请核对。")


def choose(page, label: str, starting: str) -> None:
    """Pick the option of the select ``label`` whose text starts with ``starting``."""
    select = page.get_by_label(label)
    value = select.locator("option").filter(has_text=re.compile("^" + re.escape(starting)))
    select.select_option(value.get_attribute("value"))


def template_rows(page, agreement_number: str) -> tuple[list[str], list[str]]:
    """On the upload page: choose the agreement, download the CSV template; its header row
    and example row."""
    choose(page, "协议", agreement_number)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV 模板").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text)))[:2]
    return header, example


def upload(page, tmp_path: Path, agreement_number: str, header: list[str], rows) -> None:
    """Write the rows under the template's header (plus a remark column the import
    ignores) and upload them for the agreement; the import's page follows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*header, "备注"])
    for sale in rows:
        values = dict(zip(SALE_COLUMNS, sale, strict=True))
        writer.writerow([values.get(name, "") for name in header] + ["店铺导出"])
    path = tmp_path / f"{agreement_number}-2026-10.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    choose(page, "协议", agreement_number)
    page.locator("input[type=file][name=file]").set_input_files(path)
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url(re.compile(r"/admin/kpis/salesimport/\d+/change/$"))


def statement_button(page, name: str) -> None:
    page.get_by_test_id("actions").get_by_role("link", name=name).click()


def submit_action(page, name: str) -> None:
    """Submit the one-statement form; its statement's page follows."""
    page.get_by_test_id("action-form").get_by_role("button", name=name).click()
    page.wait_for_url(re.compile(r"/admin/settlements/statement/\d+/change/$"))


def typed_a_url(url: str, **options) -> None:
    raise AssertionError(f"typed {url}: staff reach every page by clicking")


# --- the month --------------------------------------------------------------------------------


def test_staff_run_a_month_without_typing_a_url(page, agency, tmp_path):
    brand = agency["brand"]
    admin_log_in(page, "xiaoli", PASSWORD)
    page.goto = typed_a_url  # from here on, every page is reached by a click
    expect(page.locator("#workbench")).to_contain_text(f"{AGENCY}，截至 {TODAY_ZH}。")

    # --- an agreement of each kind, then activate all three ------------------------------
    add_agreement(
        page,
        "经销商招募佣金",
        {"number": "HT-2026-0101", "title": "华东经销商招募"},
        {
            "外包服务费": "5000.00",
            "最低新增经销商数": "1",
            "最低出货箱数": "5",
            "最低销售额": "20000.00",
        },
    )
    add_agreement(
        page,
        "销售分成",
        {"number": "HT-2026-0102", "title": "天猫旗舰店代运营"},
        {"启动费": "12000.00"},
    )
    add_agreement(
        page,
        "固定费用咨询",
        {"number": "HT-2026-0103", "title": "品牌升级咨询"},
        {"服务费总额": "60000.00"},
    )
    agreements = {a.kind: a for a in Agreement.objects.filter(brand=brand)}
    assert len(agreements) == 3
    assert all(a.status == Agreement.Status.DRAFT for a in agreements.values())
    b2b = agreements[Agreement.Kind.B2B_COMMISSION]
    rs = agreements[Agreement.Kind.REVENUE_SHARE]
    consulting = agreements[Agreement.Kind.CONSULTING_FIXED_FEE]
    assert b2b.b2b_terms.monthly_service_fee == D("5000.00")
    assert rs.revenue_share_terms.setup_fee == D("12000.00")
    assert consulting.consulting_terms.total_fee == D("60000.00")

    sidebar(page, "协议")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label="激活所选草稿")
    page.locator("button[name=index]").click()
    expect(page.get_by_text("确认激活这些协议？")).to_be_visible()
    # what activation will bill, before anything is billed
    said(page, "¥12,000.00")
    said(page, "¥30,000.00")
    assert not Statement.objects.exists()
    page.get_by_role("button", name="确认激活").click()
    # each agreement's message says what its activation billed, in Chinese, as money
    said(page, re.compile(r"HT-2026-0101: 已激活。开具：暂无一次性账单；每月："))
    said(
        page,
        re.compile(
            r"HT-2026-0102: 已激活。开具：网络销售平台开办费 ¥12,000\.00（2026-09-28 到期）"
        ),
    )
    said(
        page,
        re.compile(r"HT-2026-0103: 已激活。开具：第 1 期服务费.* ¥30,000\.00（2026-09-30 到期）"),
    )
    for agreement in agreements.values():
        agreement.refresh_from_db()
        assert agreement.status == Agreement.Status.ACTIVE
    setup_fee = Statement.objects.get(agreement=rs, kind=Statement.Kind.SETUP_FEE)
    assert setup_fee.total_due == D("12000.00")
    installment = Statement.objects.get(agreement=consulting, kind=Statement.Kind.INSTALLMENT)
    assert installment.total_due == D("30000.00")

    # --- October's sales, from the import page's own template ----------------------------
    sidebar(page, "销售导入")
    page.get_by_role("link", name="上传销售文件").click()
    header, example = template_rows(page, rs.number)
    assert (
        header == "产品 日期 数量 单价 出厂价 经销价 税费 物流费 渠道 经销商 外部单号 促销".split()
    )
    by_name = dict(zip(header, example, strict=True))
    assert by_name["产品"] in ("TEA-DHP-250", "TEA-TGY-500")

    upload(page, tmp_path, rs.number, header, TMALL_SALES)
    expect(page.locator("#import-status")).to_have_text("完成")
    expect(page.locator("[data-field=rows_created]")).to_have_text("3")
    expect(page.locator("#import-columns-ignored")).to_have_text("备注")
    assert SaleLine.objects.filter(agreement=rs).count() == 3
    assert SalesImport.objects.get(agreement=rs).status == SalesImport.Status.DONE

    page.get_by_role("link", name="上传另一个文件").click()
    header, _example = template_rows(page, b2b.number)
    upload(page, tmp_path, b2b.number, header, DISTRIBUTOR_SALES)
    expect(page.locator("#import-status")).to_have_text("完成")
    expect(page.locator("[data-field=rows_created]")).to_have_text("2")
    assert SaleLine.objects.filter(agreement=b2b).count() == 2

    # --- the B2B month's KPIs, through the chooser ---------------------------------------
    sidebar(page, "月度考核记录")
    page.get_by_role("link", name="增加").click()
    expect(page.get_by_text("新增月度考核记录")).to_be_visible()
    choose(page, "协议", b2b.number)
    expect(page.get_by_label("月份")).to_have_value("2026-10")
    page.get_by_role("button", name="继续").click()
    # 200 + 48 units are 10 + 2 cartons; 200 × 120 + 48 × 95; two new distributors
    expect(page.locator("#id_cartons_shipped")).to_have_value("12.00")
    expect(page.locator("#id_sales_amount")).to_have_value("28560.00")
    expect(page.locator("#id_distributors_recruited")).to_have_value("2")
    page.get_by_role("button", name="保存", exact=True).click()
    record = KpiRecord.objects.get(agreement=b2b, period="2026-10")
    assert (record.cartons_shipped, record.sales_amount, record.distributors_recruited) == (
        D("12.00"),
        D("28560.00"),
        2,
    )

    # --- the closed month: run it from the workbench -------------------------------------
    sidebar(page, "工作台首页")
    to_generate = page.locator("#wb-to-generate")
    expect(to_generate).to_contain_text("待生成：2026年10月")
    expect(to_generate).to_contain_text(b2b.number)
    to_generate.get_by_role("link", name="月结").click()
    expect(page.locator("#id_period")).to_have_value("2026-10")
    page.get_by_role("button", name="开始").click()
    page.wait_for_url(re.compile(r"/admin/settlements/statementrun/\d+/change/$"))
    run = StatementRun.objects.get(period="2026-10")
    assert run.status == StatementRun.Status.DONE
    monthly = {s.agreement_id: s for s in Statement.objects.filter(kind=Statement.Kind.MONTHLY)}
    assert set(monthly) == {b2b.pk, rs.pk}
    rs_month, b2b_month = monthly[rs.pk], monthly[b2b.pk]
    # Revenue share: sales 98 × 199 + 50 × 159 = 27,452.00 less factory cost 98 × 80 +
    # 50 × 60 = 10,840.00 is a profit of 16,612.00; the agency's 30% is 4,983.60.
    assert rs_month.total_due == D("4983.60")
    # B2B: commission 200 × (120 − 80) + 48 × (95 − 60) = 9,680.00, and the 5,000.00
    # service fee, as every minimum was met.
    assert b2b_month.total_due == D("14680.00")
    made = page.locator("#made")
    expect(page.locator("#run-counts")).to_contain_text("已生成 2 份对账单")
    expect(made).to_contain_text(yuan(rs_month.total_due))
    expect(made).to_contain_text(yuan(b2b_month.total_due))
    made.get_by_role("link", name=rs_month.number).click()

    # --- issue the revenue-share month from its page -------------------------------------
    page.wait_for_url(f"**/admin/settlements/statement/{rs_month.pk}/change/")
    amounts = page.get_by_test_id("amounts")
    expect(amounts).to_contain_text("¥4,983.60")
    expect(page.get_by_test_id("figures")).to_contain_text("¥16,612.00")
    statement_button(page, "出具")
    expect(page.get_by_label("出具日期")).to_have_value(TODAY.isoformat())
    submit_action(page, "出具")
    rs_month.refresh_from_db()
    assert rs_month.status == Statement.Status.ISSUED
    assert rs_month.issued_on == TODAY
    said(page, f"已出具 {rs_month.number}，{yuan(rs_month.total_due)}，付款截止")

    # --- a payment on it: more than is owed is refused with what was typed kept -----------
    expect(amounts).to_contain_text(yuan(rs_month.total_due))  # nothing paid yet
    statement_button(page, "登记付款")
    too_much = rs_month.total_due + D("100.00")
    page.get_by_label("收款金额（¥）").fill(f"{too_much}")
    page.get_by_label("银行流水号").fill("CMB-20261104-0001")
    page.get_by_test_id("action-form").get_by_role("button", name="登记此笔付款").click()
    said(page, f"超过未付金额 {yuan(rs_month.total_due)}。")
    expect(page.get_by_label("银行流水号")).to_have_value("CMB-20261104-0001")
    assert not Payment.objects.filter(statement=rs_month).exists()
    page.get_by_label("收款金额（¥）").fill("2000.00")
    submit_action(page, "登记此笔付款")
    outstanding = rs_month.total_due - D("2000.00")
    said(
        page,
        f"已在 {rs_month.number} 登记 {TODAY_ZH} 付款 ¥2,000.00；尚有 {yuan(outstanding)} 未付。",
    )
    payment = Payment.objects.get(statement=rs_month)
    assert (payment.amount, payment.paid_on, payment.reference) == (
        D("2000.00"),
        TODAY,
        "CMB-20261104-0001",
    )
    assert payment.external_ref.startswith(f"ADMIN-{rs_month.number}-")
    expect(amounts).to_contain_text(yuan(outstanding))
    payments = page.get_by_test_id("payments")
    expect(payments).to_contain_text("¥2,000.00")
    expect(payments).to_contain_text("CMB-20261104-0001")
    rs_month.refresh_from_db()
    assert rs_month.payment_status == Statement.PaymentStatus.PARTIALLY_PAID

    # --- the B2B month: issue it, record the brand's dispute, reply ----------------------
    sidebar(page, "工作台首页")
    page.locator("#wb-to-issue").get_by_role("link", name=b2b_month.number).click()
    page.wait_for_url(f"**/admin/settlements/statement/{b2b_month.pk}/change/")
    expect(page.get_by_test_id("kpi-verdict")).to_have_text(
        "各项月度最低指标均已达成：服务费照常收取。"
    )
    statement_button(page, "出具")
    submit_action(page, "出具")
    said(page, f"已出具 {b2b_month.number}，¥14,680.00，付款截止")
    b2b_month.refresh_from_db()
    assert b2b_month.status == Statement.Status.ISSUED
    statement_button(page, "登记品牌方异议")
    page.get_by_label("品牌方的异议内容").fill("厦门茶庄的 48 罐铁观音未到货，不应计入。")
    page.get_by_label("异议日期").fill(TODAY.isoformat())  # the letter's date: no default
    submit_action(page, "登记异议")
    b2b_month.refresh_from_db()
    assert b2b_month.status == Statement.Status.DISPUTED
    assert b2b_month.disputed_on == TODAY
    said(page, f"已登记品牌方对 {b2b_month.number} 的异议（{TODAY_ZH}）")

    sidebar(page, "工作台首页")
    disputes = page.locator("#wb-disputes")
    expect(disputes).to_contain_text(TODAY_ZH)
    disputes.get_by_role("link", name=b2b_month.number).click()
    statement_button(page, "回复异议")
    reply = "已核对物流记录：48 罐已于 10 月 23 日签收，附签收单。"
    page.get_by_label("给品牌方的回复").fill(reply)
    submit_action(page, "保存回复")
    said(page, f"已保存对 {b2b_month.number} 异议的回复（{TODAY_ZH}）：品牌方可在门户中看到。")
    b2b_month.refresh_from_db()
    assert (b2b_month.agency_reply, b2b_month.replied_on) == (reply, TODAY)
    dispute = page.get_by_test_id("dispute")
    expect(dispute).to_contain_text("厦门茶庄的 48 罐铁观音未到货，不应计入。")
    expect(dispute).to_contain_text(f"乙方回复 · {TODAY_ZH}")
    expect(dispute).to_contain_text(reply)
    expect(page.get_by_test_id("actions").get_by_role("link", name="回复异议")).to_have_count(0)

    sidebar(page, "工作台首页")
    expect(page.locator("#wb-disputes")).to_contain_text("没有待回复的异议。")
    expect(page.locator("#wb-to-issue")).to_contain_text("没有待出具的对账单")


# --- the same pages in English ------------------------------------------------------------

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def chinese_besides(page, data: list[str]) -> list[str]:
    """The lines of the page's visible text with Chinese in them once ``data`` (names,
    titles, what the brand wrote) is taken out."""
    text = page.locator("body").inner_text()
    for each in sorted(data, key=len, reverse=True):
        text = text.replace(each, "")
    return [line.strip() for line in text.splitlines() if CJK.search(line)]


def test_the_workbench_and_a_statement_read_in_english(chromium, live_server, agency):
    staff, brand = agency["staff"], agency["brand"]
    rs = f.agreement(
        Agreement.Kind.REVENUE_SHARE,
        brand_org=brand,
        activate=True,
        by=staff,
        number="HT-2026-0102",
        title="天猫旗舰店代运营",
        signed_on=date(2026, 9, 25),
        starts_on=date(2026, 10, 1),
        ends_on=date(2027, 9, 30),
    )
    sale_line_record(
        agreement=rs,
        by=staff,
        data={
            "product": "TEA-DHP-250",
            "sold_on": "2026-10-08",
            "quantity": 100,
            "unit_price": "199.00",
            "channel": "tmall",
            "external_ref": "TM-1008-01",
        },
    )
    october = services.statement_generate(
        agreement=rs, period=Period.parse("2026-10"), by=staff
    ).statement
    october = services.statement_issue(statement=october, by=staff, issued_on=date(2026, 11, 3))
    services.payment_record(
        statement=october, amount=D("1000.00"), paid_on=TODAY, reference="CMB-0001", by=staff
    )
    comment = "退货 2 盒未扣除，请更正。"
    services.statement_dispute(statement=october, by=staff, comment=comment, disputed_on=TODAY)
    data = [
        AGENCY,
        BRAND,
        rs.title,
        "大红袍 250g 礼盒",
        "铁观音 500g 罐装",
        comment,
        staff.first_name,
        staff.first_name[:1],  # the user menu's avatar
        *brand.agency.bank_accounts.values_list("bank_name", flat=True),
    ]

    with new_page(chromium, live_server, locale="en-US") as page:
        admin_log_in(page, "xiaoli", PASSWORD)
        assert page.locator("html").get_attribute("lang") == "en"
        disputes = page.locator("#wb-disputes")
        expect(disputes).to_contain_text("Disputes awaiting a reply")
        assert chinese_besides(page, data) == []

        disputes.get_by_role("link", name=october.number).click()
        page.wait_for_url(f"**/admin/settlements/statement/{october.pk}/change/")
        expect(page.get_by_test_id("payments")).to_contain_text("¥1,000.00")
        expect(page.get_by_test_id("actions")).to_contain_text("Reply to the dispute")
        expect(page.get_by_text(comment).first).to_be_visible()
        expect(page.get_by_test_id("facts")).to_contain_text(BRAND)  # data stays as it is
        assert chinese_besides(page, data) == []
