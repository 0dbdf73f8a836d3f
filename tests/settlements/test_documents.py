"""Statement documents: snapshot, HTML and PDF content, fonts, size and storage.

The monthly statement is DOMAIN.md's worked example (revenue share 70:30, period
2026-08, profit 9,310.00, agency share 2,793.00).
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from accounts.models import BankAccount, Organization
from contracts.models import Agreement
from core.workdays import fallback_note
from settlements import documents, pdf
from settlements.calculations import Expense, SaleFigures, settle_revenue_share_month
from settlements.models import Statement, StatementLine
from tests import factories
from tests.pdf_checks import (
    BASE_FONT_RE,
    MAX_PDF_BYTES,
    characters_drawn_from,
    embedded_fonts,
    load_subset_fonts,
    visible_characters,
)

pytestmark = pytest.mark.django_db

BRAND_NAME = "山野茶业（福建）有限公司"
BRAND_ADDRESS = "福建省福州市鼓楼区五四路 158 号"
AGENCY_NAME = "杭州云帆电商运营有限公司"
AGENCY_ADDRESS = "浙江省杭州市余杭区文一西路 969 号"
BANK_NAME = "招商银行杭州分行"
ACCOUNT_NUMBER = "5719 0688 1210 901"
AGREEMENT_NUMBER = "HT-2026-0001"
AGREEMENT_TITLE = "天猫旗舰店代运营合作协议"
NUMBER = "ST-2026-000123"

PENALTY_TERMS_0_3 = (
    "逾期付款按未付金额每日 0.3% 计收违约金，自到期日次日起按自然日计算。"
    "/ Late payment: 0.3% of the unpaid amount per calendar day from the day after the "
    "due date."
)
FALLBACK_NOTE = fallback_note([2027])

# Text WeasyPrint generates from document.css rather than from the HTML.
PAGE_FOOTER_TEXT = "第 1 页 / 共 1 页"

# Two hanzi or Chinese punctuation marks with whitespace between them.
CJK_SPACE_CJK = re.compile(
    r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]\s+[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
)


# --- builders ----------------------------------------------------------------------------


def worked_example_agreement(kind: str = Agreement.Kind.REVENUE_SHARE) -> Agreement:
    """The worked example's parties, payee account and agreement."""
    agency = factories.agency(name=AGENCY_NAME)
    agency.address = AGENCY_ADDRESS
    agency.contact_email = "finance@yunfan.example"
    agency.save()
    agency.bank_accounts.update(
        bank_name=BANK_NAME, account_name=AGENCY_NAME, account_number=ACCOUNT_NUMBER
    )
    brand = factories.brand(agency, name=BRAND_NAME)
    brand.address = BRAND_ADDRESS
    brand.save()
    return factories.agreement(
        kind,
        brand_org=brand,
        number=AGREEMENT_NUMBER,
        title=AGREEMENT_TITLE,
        signed_on=date(2026, 5, 20),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
    )


def statement_create(
    agreement: Agreement,
    *,
    kind: str = Statement.Kind.MONTHLY,
    status: str = Statement.Status.ISSUED,
    number: str = NUMBER,
    version: int = 1,
    lines: list[tuple[str, Decimal]],
    **fields: Any,
) -> Statement:
    """A statement with its lines; an issued one carries the snapshot of its agreement."""
    fields.setdefault("penalty_rate_per_day", agreement.penalty_rate_per_day)
    if status != Statement.Status.DRAFT:
        fields.setdefault(
            "snapshot",
            documents.build_snapshot(
                agreement, penalty_rate_per_day=fields["penalty_rate_per_day"]
            ),
        )
    statement = Statement.objects.create(
        number=number,
        base_number=number.split("-v")[0],
        version=version,
        agreement=agreement,
        kind=kind,
        status=status,
        total_due=sum((amount for _, amount in lines), start=Decimal("0.00")),
        **fields,
    )
    for position, (description, amount) in enumerate(lines, start=1):
        StatementLine.objects.create(
            statement=statement,
            position=position,
            kind="line",
            description=description,
            amount=amount,
        )
    return statement


def worked_example_statement(agreement: Agreement | None = None, **fields: Any) -> Statement:
    """The revenue-share statement of 2026-08, issued 2026-09-08, from the pure rules."""
    agreement = agreement or worked_example_agreement()
    result = settle_revenue_share_month(
        sales=[
            SaleFigures(
                sale_amount=Decimal("19900.00"),
                factory_cost=Decimal("8000.00"),
                tax=Decimal("1990.00"),
                logistics=Decimal("600.00"),
            )
        ],
        agency_ratio=Decimal("0.30"),
    )
    fields.setdefault("period", "2026-08")
    fields.setdefault("issued_on", date(2026, 9, 8))
    fields.setdefault("receipt_due_on", date(2026, 9, 15))
    fields.setdefault("payment_due_on", date(2026, 9, 20))
    # The shape settlements.services writes.
    fields.setdefault(
        "figures",
        {
            "sales_total": "19900.00",
            "month_profit": str(result.month_profit),
            "adjustment_profit": str(result.adjustment_profit),
            "carried_in": str(result.carried_in),
            "profit": str(result.profit),
            "agency_ratio": "0.3000",
            "agency_share": str(result.agency_share),
            "brand_share": str(result.brand_share),
            "carry_forward": str(result.carry_forward),
            "expenses_total": str(result.expenses_total),
            "payment_window_start": 15,
        },
    )
    return statement_create(
        agreement,
        lines=[(line.description, line.amount) for line in result.lines],
        **fields,
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squashed(text: str) -> str:
    """Text without whitespace: a sentence may wrap anywhere in the PDF."""
    return re.sub(r"\s+", "", text)


def assert_contains(data: bytes, *expected: str) -> None:
    text = squashed(pdf_text(data))
    missing = [item for item in expected if squashed(item) not in text]
    assert missing == []


@pytest.fixture(scope="module")
def subset_fonts() -> dict[str, TTFont]:
    return load_subset_fonts()


@pytest.fixture
def worked_example() -> Statement:
    return worked_example_statement()


@pytest.fixture
def worked_example_pdf(worked_example: Statement) -> bytes:
    return documents.statement_pdf_bytes(worked_example)


# --- snapshot ----------------------------------------------------------------------------


def test_snapshot_freezes_agreement_parties_account_and_terms() -> None:
    agreement = worked_example_agreement()

    snapshot = documents.build_snapshot(agreement)

    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot == {
        "agreement": {
            "number": AGREEMENT_NUMBER,
            "title": AGREEMENT_TITLE,
            "kind": "revenue_share",
            "kind_label": "销售分成 / Revenue share",
            "signed_on": "2026-05-20",
            "starts_on": "2026-06-01",
            "ends_on": "2027-05-31",
            "penalty_rate_per_day": "0.003",
        },
        "brand": {"name": BRAND_NAME, "address": BRAND_ADDRESS, "contact_email": ""},
        "agency": {
            "name": AGENCY_NAME,
            "address": AGENCY_ADDRESS,
            "contact_email": "finance@yunfan.example",
        },
        "bank_account": {
            "bank_name": BANK_NAME,
            "account_name": AGENCY_NAME,
            "account_number": ACCOUNT_NUMBER,
        },
        "penalty_terms": PENALTY_TERMS_0_3,
        "statement_detail": "pdf",
    }


def test_snapshot_uses_the_termination_date_as_the_end() -> None:
    agreement = worked_example_agreement()
    agreement.terminated_on = date(2026, 11, 30)

    assert documents.build_snapshot(agreement)["agreement"]["ends_on"] == "2026-11-30"


def test_snapshot_without_rate_or_account() -> None:
    agreement = factories.agreement(Agreement.Kind.B2B_COMMISSION, bank_account=None)

    snapshot = documents.build_snapshot(agreement)

    assert snapshot["bank_account"] is None
    assert snapshot["penalty_terms"] == documents.NO_PENALTY_TERMS


@pytest.mark.parametrize(
    ("rate", "sentence_part"),
    [
        (Decimal("0.003"), "每日 0.3% 计收违约金"),
        (Decimal("0.00500"), "每日 0.5% 计收违约金"),
        (Decimal("0.0005"), "每日 0.05% 计收违约金"),
        (Decimal("0"), "不计逾期违约金"),
    ],
)
def test_penalty_terms_follow_the_rate(rate: Decimal, sentence_part: str) -> None:
    assert sentence_part in documents.penalty_terms_text(rate)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("2793"), "2,793.00"),
        (Decimal("1234567.5"), "1,234,567.50"),
        ("9310.00", "9,310.00"),
        (Decimal("0.005"), "0.01"),
        (Decimal("-1200"), "-1,200.00"),
        (0, "0.00"),
    ],
)
def test_format_money(value: Any, text: str) -> None:
    assert documents.format_money(value) == text


def test_format_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        documents.format_money(2793.0)  # type: ignore[arg-type]


# --- the worked example ------------------------------------------------------------------


@pytest.mark.parametrize(
    "expected",
    [
        "对账单",
        "Reconciliation statement",
        NUMBER,
        "第 1 版",
        "2026年8月（2026-08-01 至 2026-08-31）",
        AGREEMENT_NUMBER,
        AGREEMENT_TITLE,
        BRAND_NAME,
        BRAND_ADDRESS,
        AGENCY_NAME,
        AGENCY_ADDRESS,
        "收益分成 30%（收益 9,310.00）/ Agency share 30% of profit 9,310.00",
        "合计 Total 2,793.00",
        "应付金额 Total due ¥2,793.00",
        "人民币（大写）：贰仟柒佰玖拾叁元整",
        "可分配收益 Profit to share 9,310.00",
        "乙方分成比例 Agency ratio 30%",
        "甲方所得 Brand share 6,517.00",
        "出具日期 Issued on 2026-09-08",
        "回执截止 Receipt due 2026-09-15",
        "付款截止 Payment due 2026-09-20",
        "付款起始日 Payments from 2026-09-15",
        BANK_NAME,
        ACCOUNT_NUMBER,
        PENALTY_TERMS_0_3,
        documents.RECEIPT_TERMS,
        "甲方（盖章）",
        "乙方（盖章）",
        "日期 Date：____年__月__日",
    ],
)
def test_worked_example_text(worked_example_pdf: bytes, expected: str) -> None:
    assert_contains(worked_example_pdf, expected)


@pytest.mark.parametrize(
    "expected",
    ["人民币（大写）：贰仟柒佰玖拾叁元整", "甲方（盖章）", "¥2,793.00", PAGE_FOOTER_TEXT],
)
def test_short_texts_extract_exactly(worked_example_pdf: bytes, expected: str) -> None:
    assert expected in pdf_text(worked_example_pdf)


def test_no_line_break_inside_chinese_text(worked_example: Statement) -> None:
    # A newline inside a Chinese run in the template renders as a space.
    html = documents.statement_html(worked_example)

    assert [run for run in _text_runs(html) if CJK_SPACE_CJK.search(run)] == []


def _text_runs(html: str) -> set[str]:
    body = re.split(r"<body[^>]*>", html, maxsplit=1)[1]
    return {run for run in re.split(r"<[^>]+>", body) if run.strip()}


def test_worked_example_is_one_page_and_small(worked_example_pdf: bytes) -> None:
    assert len(PdfReader(io.BytesIO(worked_example_pdf)).pages) == 1
    assert len(worked_example_pdf) <= MAX_PDF_BYTES, f"{len(worked_example_pdf) / 1024:.0f} KB"


@pytest.mark.parametrize("absent", ["本月收益", "以前期间调整", "上期结转亏损", "营销推广费"])
def test_worked_example_leaves_out_zero_and_repeated_figures(
    worked_example_pdf: bytes, absent: str
) -> None:
    assert absent not in pdf_text(worked_example_pdf)


def test_no_mark_on_an_issued_statement(worked_example_pdf: bytes) -> None:
    text = pdf_text(worked_example_pdf)

    assert "VOID" not in text
    assert "DRAFT" not in text
    assert "无节假日数据" not in text


def test_issued_statement_shows_the_snapshot_not_the_live_agreement(
    worked_example: Statement,
) -> None:
    Organization.objects.filter(name=BRAND_NAME).update(name="改名后的品牌有限公司")
    BankAccount.objects.filter(account_number=ACCOUNT_NUMBER).update(
        account_number="9999 0000 1111 222"
    )
    statement = Statement.objects.get(pk=worked_example.pk)

    text = squashed(pdf_text(documents.statement_pdf_bytes(statement)))

    assert BRAND_NAME in text
    assert squashed(ACCOUNT_NUMBER) in text
    assert "改名后的品牌有限公司" not in text


# --- fonts -------------------------------------------------------------------------------


def _all_kinds() -> dict[str, Statement]:
    """One statement of each kind, plus a void and a draft one (their marks are text too)."""
    principal = worked_example_statement(calendar_note=FALLBACK_NOTE)
    consulting = factories.agreement(
        Agreement.Kind.CONSULTING_FIXED_FEE,
        bank_account=principal.agreement.bank_account,
        brand_org=principal.agreement.brand,
    )
    return {
        Statement.Kind.MONTHLY: principal,
        Statement.Kind.SETUP_FEE: _setup_fee_bill(principal.agreement),
        Statement.Kind.INSTALLMENT: _installment_bill(consulting),
        Statement.Kind.PENALTY: _penalty_notice(principal),
        "void": worked_example_statement(
            principal.agreement,
            number=f"{NUMBER}-v2",
            version=2,
            status=Statement.Status.VOID,
            void_reason="甲方对物流费用提出异议 / logistics disputed",
        ),
        "draft": worked_example_statement(
            principal.agreement, number=f"{NUMBER}-v3", version=3, status=Statement.Status.DRAFT
        ),
    }


@pytest.mark.parametrize(
    "name", ["monthly", "setup_fee", "installment", "penalty", "void", "draft"]
)
def test_only_subset_fonts_draw_every_character(name: str, subset_fonts: dict[str, TTFont]) -> None:
    html = documents.statement_html(_all_kinds()[name])
    data = pdf.render_pdf(html, base_url=documents._base_url())

    fonts = embedded_fonts(data)
    wanted = visible_characters(html) | set(PAGE_FOOTER_TEXT.replace(" ", ""))

    assert [font.base_font for font in fonts if not BASE_FONT_RE.match(font.base_font)] == []
    assert {font.postscript_name for font in fonts} <= set(subset_fonts)
    assert sorted(wanted - characters_drawn_from(fonts, subset_fonts)) == []


# --- the other kinds ---------------------------------------------------------------------


def _setup_fee_bill(agreement: Agreement) -> Statement:
    return statement_create(
        agreement,
        kind=Statement.Kind.SETUP_FEE,
        number="SF-2026-000007",
        lines=[("网络销售平台开办费 / Sales platform setup fee", Decimal("10000.00"))],
        issued_on=date(2026, 5, 20),
        payment_due_on=date(2026, 5, 25),
        penalty_rate_per_day=Decimal("0"),
        # As services freeze it: with the agreement's rate, which the setup fee does not use.
        snapshot=documents.build_snapshot(agreement),
    )


def _installment_bill(agreement: Agreement) -> Statement:
    return statement_create(
        agreement,
        kind=Statement.Kind.INSTALLMENT,
        number="IN-2026-000011",
        installment_number=1,
        lines=[
            (
                "第 1 期服务费（总费用 50,000.00 的 50%）/ Installment 1: 50% of the total fee 50,000.00",
                Decimal("25000.00"),
            )
        ],
        issued_on=date(2026, 5, 20),
        payment_due_on=date(2026, 5, 25),
        figures={
            "installment_number": 1,
            "due_from": "signing",
            "total_fee": "50000.00",
            "percent": "50.00",
        },
    )


def _penalty_notice(principal: Statement) -> Statement:
    return statement_create(
        principal.agreement,
        kind=Statement.Kind.PENALTY,
        number="PN-2026-000003",
        penalty_of=principal,
        penalty_as_of=date(2026, 10, 12),
        lines=[("逾期违约金 / Late-payment penalty", Decimal("76.34"))],
        issued_on=date(2026, 10, 12),
        payment_due_on=date(2026, 10, 19),
        penalty_rate_per_day=Decimal("0"),
        figures={
            "principal_statement": principal.number,
            "as_of": "2026-10-12",
            "due_on": "2026-09-20",
            "rate": "0.00300",
            "days_overdue": 22,
            "penalty_to_date": "133.34",
            "already_billed": "57.00",
            "waived": "0.00",
        },
    )


def test_setup_fee_bill() -> None:
    data = documents.statement_pdf_bytes(_setup_fee_bill(worked_example_agreement()))

    assert_contains(
        data,
        "启动费账单",
        "Setup fee bill",
        "SF-2026-000007",
        "账期 Period：—",
        "¥10,000.00",
        "人民币（大写）：壹万元整",
        "付款截止 Payment due 2026-05-25",
        # The setup fee has no penalty although the agreement's shares do.
        documents.NO_PENALTY_TERMS,
        ACCOUNT_NUMBER,
    )
    assert "0.3%" not in pdf_text(data)
    assert "回执" not in pdf_text(data)


def test_installment_bill() -> None:
    agreement = factories.agreement(Agreement.Kind.CONSULTING_FIXED_FEE)

    data = documents.statement_pdf_bytes(_installment_bill(agreement))

    assert_contains(
        data,
        "分期付款账单",
        "Installment bill",
        "期数 Installment：第 1 期",
        "服务费总额 Total fee 50,000.00",
        "本期比例 This installment 50%",
        "¥25,000.00",
        "人民币（大写）：贰万伍仟元整",
        "逾期付款按未付金额每日 0.5% 计收违约金",
        agreement.bank_account.account_number,
    )


def test_penalty_notice() -> None:
    principal = worked_example_statement()

    data = documents.statement_pdf_bytes(_penalty_notice(principal))

    assert_contains(
        data,
        "违约金通知",
        "Penalty notice",
        "原账单编号 Principal statement ST-2026-000123",
        "原账单金额 Principal 2,793.00",
        "原付款截止 Principal due 2026-09-20",
        "日违约金率 Daily rate 0.3%",
        "计至 Penalty as of 2026-10-12",
        "累计违约金 Penalty to date 133.34",
        "逾期天数 Days overdue 22 天 / days",
        "此前通知已计 Billed before 57.00",
        "本通知金额 This notice 76.34",
        "人民币（大写）：柒拾陆元叁角肆分",
        "违约金按原账单 ST-2026-000123 未付本金每日 0.3% 按自然日计算，不计复利",
    )


def test_b2b_statement_shows_commission_and_withheld_fee() -> None:
    agreement = factories.agreement(Agreement.Kind.B2B_COMMISSION)
    statement = statement_create(
        agreement,
        number="ST-2026-000200",
        period="2026-07",
        lines=[
            ("销售佣金 / Sales commission", Decimal("4200.00")),
            (
                "外包服务费暂不支付：未达最低指标（出货箱数）/ Service fee withheld: minimums missed (cartons)",
                Decimal("0.00"),
            ),
        ],
        issued_on=date(2026, 8, 7),
        receipt_due_on=date(2026, 8, 14),
        figures={
            "commission": "4200.00",
            "adjustment_commission": "0.00",
            "service_fee": "0.00",
            "fee_withheld": True,
            "missed": ["cartons", "sales_amount"],
            "waiver_reason": "",
            "carried_in": "0",
            "carry_forward": "0.00",
            "sales_total": "36000.00",
        },
    )

    data = documents.statement_pdf_bytes(statement)

    assert_contains(
        data,
        "对账单",
        "2026年7月（2026-07-01 至 2026-07-31）",
        "销售佣金 Sales commission 4,200.00",
        "服务费暂不支付 Service fee withheld 是 / Yes",
        "未达最低指标 Minimums missed 出货箱数、销售额 / cartons, sales amount",
        "经销商销售额 Distributor sales 36,000.00",
        "人民币（大写）：肆仟贰佰元整",
        "付款截止 Payment due 确认后确定 / set on confirmation",
        documents.NO_PENALTY_TERMS,
    )
    text = pdf_text(data)
    assert "甲方所得" not in text
    assert "上期结转" not in text  # zero figures of optional parts are left out
    assert "甲方同意照付" not in text


@pytest.mark.parametrize(
    ("kind", "heading"),
    [
        (Statement.Kind.MONTHLY, "对账单"),
        (Statement.Kind.SETUP_FEE, "启动费账单"),
        (Statement.Kind.INSTALLMENT, "分期付款账单"),
        (Statement.Kind.PENALTY, "违约金通知"),
    ],
)
def test_heading_by_kind(kind: str, heading: str) -> None:
    statement = _all_kinds()[kind]

    first_line = pdf_text(documents.statement_pdf_bytes(statement)).splitlines()[0]

    assert first_line.startswith(heading)


def test_revenue_share_statement_with_a_loss_and_an_expense() -> None:
    result = settle_revenue_share_month(
        sales=[
            SaleFigures(
                sale_amount=Decimal("1000.00"),
                factory_cost=Decimal("1500.00"),
                tax=Decimal("0"),
                logistics=Decimal("100.00"),
            )
        ],
        carried_in=Decimal("-200.00"),
        agency_ratio=Decimal("0.30"),
        expenses=[Expense("直通车推广", Decimal("1234.50"), "FP-0088")],
    )
    statement = statement_create(
        worked_example_agreement(),
        period="2026-09",
        lines=[(line.description, line.amount) for line in result.lines],
        figures={
            "month_profit": str(result.month_profit),
            "carried_in": str(result.carried_in),
            "profit": str(result.profit),
            "agency_share": str(result.agency_share),
            "expenses_total": str(result.expenses_total),
            "carry_forward": str(result.carry_forward),
        },
    )

    data = documents.statement_pdf_bytes(statement)

    assert_contains(
        data,
        "上期结转亏损 Loss carried in -200.00",
        "可分配收益 Profit to share -800.00",
        "结转下月亏损 Loss carried forward -800.00",
        "营销推广费：直通车推广（凭证 FP-0088）",
        "应付金额 Total due ¥1,234.50",
        "人民币（大写）：壹仟贰佰叁拾肆元伍角",
    )
    assert "甲方所得" not in pdf_text(data)


# --- notes and marks ---------------------------------------------------------------------


def test_calendar_fallback_note_is_shown() -> None:
    statement = worked_example_statement(calendar_note=FALLBACK_NOTE)

    data = documents.statement_pdf_bytes(statement)

    assert_contains(
        data,
        "2027年无节假日数据，工作日按周一至周五计算。",
        "Working days for 2027 were computed Monday–Friday: no holiday data for that year.",
    )


def test_void_statement_is_marked_with_reason_and_successor() -> None:
    void = worked_example_statement(
        status=Statement.Status.VOID,
        voided_on=date(2026, 9, 14),
        void_reason="甲方对物流费用提出异议，已更正 / logistics corrected after dispute",
    )
    worked_example_statement(
        void.agreement,
        number=f"{NUMBER}-v2",
        version=2,
        previous_version=void,
        issued_on=date(2026, 9, 14),
        receipt_due_on=date(2026, 9, 21),
        payment_due_on=date(2026, 9, 24),
    )
    void.refresh_from_db()

    data = documents.statement_pdf_bytes(void)

    assert_contains(
        data,
        "已作废 VOID",
        "作废日期 Voided on：2026-09-14",
        "作废原因 Reason：甲方对物流费用提出异议，已更正 / logistics corrected after dispute",
        "替代版本 Replaced by：ST-2026-000123-v2",
    )


def test_second_version_shows_its_number_and_version() -> None:
    agreement = worked_example_agreement()
    first = worked_example_statement(agreement, status=Statement.Status.VOID)
    second = worked_example_statement(
        agreement, number=f"{NUMBER}-v2", version=2, previous_version=first
    )

    data = documents.statement_pdf_bytes(second)

    assert_contains(data, "编号 No.：ST-2026-000123-v2", "版本 Version：第 2 版 / v2")
    assert "VOID" not in pdf_text(data)


def test_draft_preview_is_marked_and_uses_live_data() -> None:
    agreement = worked_example_agreement()
    statement = worked_example_statement(
        agreement,
        status=Statement.Status.DRAFT,
        issued_on=None,
        receipt_due_on=None,
        payment_due_on=None,
    )
    Organization.objects.filter(pk=agreement.brand_id).update(address="福建省武夷山市星村镇 1 号")
    statement = Statement.objects.get(pk=statement.pk)

    data = documents.statement_pdf_bytes(statement)

    assert statement.snapshot == {}
    assert_contains(
        data,
        documents.DRAFT_MARK,
        "福建省武夷山市星村镇 1 号",
        "出具日期 Issued on 出具时确定 / set at issue",
        "人民币（大写）：贰仟柒佰玖拾叁元整",
    )


# --- storage -----------------------------------------------------------------------------


@pytest.fixture
def render_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = pdf.render_pdf

    def counting(html: str, **kwargs: Any) -> bytes:
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", counting)
    return calls


def test_store_writes_once(worked_example: Statement, render_calls: list[str]) -> None:
    updated_at = worked_example.updated_at
    worked_example.total_due = Decimal("1.00")  # unsaved: the store must not write it

    first = documents.statement_pdf_store(worked_example)
    stored = Statement.objects.get(pk=worked_example.pk)
    second = documents.statement_pdf_store(stored)

    assert (first, second) == (True, False)
    assert len(render_calls) == 1
    assert re.fullmatch(r"statements/\d{4}/\d{2}/ST-2026-000123\.pdf", stored.pdf.name)
    assert stored.pdf.name == worked_example.pdf.name
    with stored.pdf.open("rb") as file:
        assert file.read(5) == b"%PDF-"
    assert stored.total_due == Decimal("2793.00")
    assert stored.updated_at == updated_at


def test_store_renders_again_when_the_file_is_gone(
    worked_example: Statement, render_calls: list[str]
) -> None:
    documents.statement_pdf_store(worked_example)
    worked_example.pdf.storage.delete(worked_example.pdf.name)

    assert documents.statement_pdf_store(Statement.objects.get(pk=worked_example.pk)) is True
    assert len(render_calls) == 2


def test_store_keeps_a_void_version(render_calls: list[str]) -> None:
    statement = worked_example_statement(status=Statement.Status.VOID, void_reason="更正")

    assert documents.statement_pdf_store(statement) is True
    assert Statement.objects.get(pk=statement.pk).pdf.name.endswith("ST-2026-000123.pdf")


def test_store_refuses_a_draft(render_calls: list[str]) -> None:
    statement = worked_example_statement(status=Statement.Status.DRAFT)

    with pytest.raises(ValueError, match="draft"):
        documents.statement_pdf_store(statement)

    assert render_calls == []
    assert not Statement.objects.get(pk=statement.pk).pdf


def test_void_statement_does_not_name_a_draft_successor() -> None:
    void = worked_example_statement(status=Statement.Status.VOID, void_reason="更正")
    worked_example_statement(
        void.agreement,
        number=f"{NUMBER}-v2",
        version=2,
        previous_version=void,
        status=Statement.Status.DRAFT,
    )
    void.refresh_from_db()

    text = pdf_text(documents.statement_pdf_bytes(void))

    assert "已作废 VOID" in text
    assert "-v2" not in text


def test_long_statement_repeats_the_header_but_not_the_total() -> None:
    lines = [
        (
            f"营销推广费：直通车推广第 {n} 批（凭证 FP-{n:04d}）/ Marketing expense: batch {n}",
            Decimal("100.00"),
        )
        for n in range(1, 41)
    ]
    statement = statement_create(worked_example_agreement(), period="2026-08", lines=lines)

    pages = [
        page.extract_text()
        for page in PdfReader(io.BytesIO(documents.statement_pdf_bytes(statement))).pages
    ]

    assert len(pages) >= 2
    assert all("摘要 Description" in page for page in pages)
    assert [page.count("合计 Total") for page in pages] == [0] * (len(pages) - 1) + [1]
    assert "4,000.00" in pages[-1]
    assert "乙方（盖章）" in pages[-1]


# --- bills that explain themselves -------------------------------------------------------

WORKED_SPANS = [
    {
        "start": "2026-09-21",
        "end": "2026-09-25",
        "days": "5",
        "principal": "2793.00",
        "rate": "0.00300",
        "amount": "41.895",
    },
    {
        "start": "2026-09-26",
        "end": "2026-10-12",
        "days": "17",
        "principal": "1793.00",
        "rate": "0.00300",
        "amount": "91.443",
    },
]
WORKED_PAYMENTS = [
    {"paid_on": "2026-09-25", "amount": "1000.00"},
    {"paid_on": "2026-10-12", "amount": "1793.00"},
]


def _explained_notice() -> Statement:
    """The worked example's penalty notice as services now issue it: with its spans."""
    notice = _penalty_notice(worked_example_statement())
    notice.figures = {**notice.figures, "spans": WORKED_SPANS, "payments": WORKED_PAYMENTS}
    notice.save(update_fields=["figures"])
    return notice


def _monthly_with_sale_lines() -> Statement:
    """The worked example's statement with the sale line it settles, and a late one."""
    from kpis.models import SaleLine

    statement = worked_example_statement()
    product = factories.product(statement.agreement.brand, sku="TEA-1", name="高山乌龙茶")
    for sold_on, quantity, ref in (
        (date(2026, 8, 5), 100, "TM-0805-1"),
        (date(2026, 7, 30), 1, ""),
    ):
        SaleLine.objects.create(
            agreement=statement.agreement,
            product=product,
            sold_on=sold_on,
            quantity=quantity,
            unit_price=Decimal("199.00"),
            amount=Decimal("199.00") * quantity,
            factory_price=Decimal("80.00"),
            distributor_price=Decimal("120.00"),
            min_retail_price=Decimal("199.00"),
            tax=Decimal("19.90") * quantity,
            logistics=Decimal("6.00") * quantity,
            channel=SaleLine.Channel.TMALL,
            external_ref=ref,
            settled_in=statement,
        )
    statement.figures = {**statement.figures, "adjustment_profit": "93.10", "profit": "9403.10"}
    statement.save(update_fields=["figures"])
    return statement


def test_penalty_notice_shows_its_spans_payments_and_what_is_billed() -> None:
    data = documents.statement_pdf_bytes(_explained_notice())

    assert_contains(
        data,
        "附：违约金计算明细 Annex: penalty computation",
        "2026-09-21 至 2026-09-25 5 2,793.00 0.3% 41.895",
        "2026-09-26 至 2026-10-12 17 1,793.00 0.3% 91.443",
        "合计（四舍五入至分）Total, rounded to the fen 133.338 → 133.34",
        "原账单付款 Payments on the principal：2026-09-25 1,000.00；2026-10-12 1,793.00",
        "累计违约金 133.34 - 此前通知已计 57.00 - 已减免 0.00 = 本通知金额 76.34",
        # Paid in full by its date: the penalty stops there.
        "违约金计至 2026-10-12；原账单本金已付清，此后不再计算。",
    )
    # The computation is an annex after the signatures, which stay with the notice.
    first_page = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "乙方（盖章）" in first_page and "人民币（大写）：柒拾陆元叁角肆分" in first_page


def test_a_notice_whose_spans_would_not_give_its_penalty_leaves_the_table_out() -> None:
    # _penalty_notice froze no spans, and its principal has no payment rows: recomputed
    # now the spans would give 184.34, not the 133.34 it billed.
    data = documents.statement_pdf_bytes(_penalty_notice(worked_example_statement()))

    assert "违约金计算明细" not in pdf_text(data)
    assert_contains(data, "累计违约金 Penalty to date 133.34", "违约金计至 2026-10-12")


@pytest.mark.parametrize(
    "name", ["monthly", "setup_fee", "installment", "penalty", "void", "draft"]
)
def test_every_document_keeps_the_contracts_penalty_terms(name: str) -> None:
    data = documents.statement_pdf_bytes(_all_kinds()[name])

    assert_contains(
        data,
        "本对账单不变更合同关于逾期付款违约金的约定。/ This statement does not change the "
        "contract's terms on late-payment penalties.",
    )


def test_monthly_statement_shows_profit_parts_and_its_detail_appendix() -> None:
    statement = _monthly_with_sale_lines()

    data = documents.statement_pdf_bytes(statement)

    assert_contains(
        data,
        "销售额合计 Sales total 19,900.00",
        "减：出厂成本 Less factory cost 8,000.00",
        "减：税费 Less tax 1,990.00",
        "减：物流费 Less logistics 600.00",
        "本月收益 Profit this month 9,310.00",
        "以前期间调整 Prior-period adjustment 93.10",
        f"附件：{NUMBER} 明细 Appendix: detail of {NUMBER}",
        "2026-07-30 TEA-1 高山乌龙茶 天猫 / Tmall 1 199.00 199.00 80.00 19.90 6.00 93.10 ＊",
        "2026-08-05 TEA-1 高山乌龙茶 天猫 / Tmall 100 199.00 19,900.00 8,000.00 1,990.00 600.00 "
        "9,310.00 TM-0805-1",
        "合计 Total 101 20,099.00 8,080.00 2,009.90 606.00 9,403.10",
        "＊以前期间调整：此前已出具月份的补记销售",
    )
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 2 and "附件" in pages[1].extract_text()
    assert pages[1].mediabox.width > pages[1].mediabox.height  # the appendix is landscape


def test_appendix_lists_at_most_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "APPENDIX_MAX_LINES", 1)

    data = documents.statement_pdf_bytes(_monthly_with_sale_lines())

    assert_contains(
        data,
        f"本期共 2 行销售明细，此处列出前 1 行；全部明细见 XLSX 明细 {NUMBER}-detail.xlsx。",
        "合计 Total 101 20,099.00",
    )
    assert "TM-0805-1" not in pdf_text(data)


@pytest.mark.parametrize("name", ["notice", "appendix", "late_bill"])
def test_explanations_draw_every_character_from_the_subset_fonts(
    name: str, subset_fonts: dict[str, TTFont]
) -> None:
    if name == "notice":
        statement = _explained_notice()
    elif name == "appendix":
        statement = _monthly_with_sale_lines()
    else:
        statement = _setup_fee_bill(worked_example_agreement())
        statement.issued_on = date(2026, 6, 2)
    html = documents.statement_html(statement)
    data = pdf.render_pdf(html, base_url=documents._base_url())

    fonts = embedded_fonts(data)
    wanted = visible_characters(html) | set("第页共/")

    assert {font.postscript_name for font in fonts} <= set(subset_fonts)
    assert sorted(wanted - characters_drawn_from(fonts, subset_fonts)) == []
    assert [run for run in _text_runs(html) if CJK_SPACE_CJK.search(run)] == []
