"""The statement page explains itself: a bill entered late, the parts of a revenue-share
profit, a penalty notice's spans, the detail as XLSX, and the penalty clause, each in the
page's one language."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from common.xlsx import XLSX_CONTENT_TYPE
from settlements import detail, services
from settlements.models import Statement
from settlements.portal.explain import statement_explanation
from tests.portal.conftest import logged_in

pytestmark = pytest.mark.django_db

D = Decimal
CLAUSE_ZH, CLAUSE_EN = detail.PENALTY_CLAUSE_KEPT


def url(name, *args):
    return reverse(f"portal:{name}", args=args)


def page(client, statement) -> str:
    response = client.get(url("statement", statement.pk))
    assert response.status_code == 200
    return response.content.decode()


def squashed(html: str) -> str:
    return "".join(html.split())


@pytest.fixture
def setup_fee(world) -> Statement:
    """Entered on 2026-11-24 for a contract signed 2026-05-20: due 2026-05-25."""
    return world.rs.statements.get(kind=Statement.Kind.SETUP_FEE)


def test_a_bill_entered_late_says_so_in_one_language(world, setup_fee):
    assert (setup_fee.issued_on, setup_fee.payment_due_on) == (
        date(2026, 11, 24),
        date(2026, 5, 25),
    )

    zh = page(logged_in(world.finance), setup_fee)
    en = page(logged_in(world.finance, "en"), setup_fee)

    assert (
        "本账单于合同约定付款日（2026-05-25）之后出具：合同为补录。按合同约定，付款日仍为 2026-05-25。"
        in zh
    )
    assert "entered late" not in zh
    assert (
        "This bill was issued after the payment date the contract sets (2026-05-25): the "
        "contract was entered late. Under the contract the payment date remains 2026-05-25."
    ) in en.replace("&#x27;", "'")
    assert "合同为补录" not in en
    assert "detail.xlsx" not in zh  # one-off bills settle no sale lines


def test_a_monthly_statement_shows_how_its_profit_adds_up(world, finance_client):
    html = squashed(page(finance_client, world.issued))

    for label, value in [
        ("销售额", "¥19,900.00"),
        ("出厂成本", "¥8,000.00"),
        ("税费", "¥1,990.00"),
        ("物流费", "¥600.00"),
        ("本月收益", "¥9,310.00"),
        ("乙方分成（30%）", "¥2,793.00"),
        ("甲方所得", "¥6,517.00"),
    ]:
        assert f'{label}</th><tdclass="num' in html and value in html, label
    assert "合同为补录" not in html


def test_profit_rows_in_english_and_with_a_carried_loss(world):
    context = statement_explanation(world.issued, zh=False)

    assert [(row["sign"], row["label"], row["value"]) for row in context["profit"]] == [
        ("", "Sales", "¥19,900.00"),
        ("−", "Factory cost", "¥8,000.00"),
        ("−", "Tax", "¥1,990.00"),
        ("−", "Logistics", "¥600.00"),
        ("=", "Profit this month", "¥9,310.00"),
        ("", "Agency share (30%)", "¥2,793.00"),
        ("", "Brand share", "¥6,517.00"),
    ]
    world.issued.figures = {**world.issued.figures, "carried_in": "-1000.00", "profit": "8310.00"}
    rows = statement_explanation(world.issued, zh=True)["profit"]
    assert [(row["sign"], row["label"]) for row in rows[5:7]] == [
        ("+", "上期结转亏损"),
        ("=", "可分配收益"),
    ]


def test_detail_link_downloads_the_xlsx(world, finance_client, viewer_client):
    link = url("statement_detail", world.issued.pk)
    assert f'href="{link}"' in page(finance_client, world.issued)
    assert "下载明细 (XLSX)" in page(finance_client, world.issued)

    for client, sheet in (
        (viewer_client, "销售明细"),
        (logged_in(world.finance, "en"), "Sale lines"),
    ):
        response = client.get(link)
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX_CONTENT_TYPE
        assert f"{world.issued.number}-detail.xlsx" in response["Content-Disposition"]
        rows = list(load_workbook(io.BytesIO(response.content))[sheet].iter_rows(values_only=True))
        assert [row[12] for row in rows[1:-1]] == ["AUG-1"]


def test_detail_is_scoped_like_the_statement(world, finance_client, setup_fee):
    silk = logged_in(world.silk_finance)
    assert silk.get(url("statement", world.issued.pk)).status_code == 404
    assert silk.get(url("statement_detail", world.issued.pk)).status_code == 404
    assert finance_client.get(url("statement_detail", world.draft.pk)).status_code == 404
    assert finance_client.get(url("statement_detail", setup_fee.pk)).status_code == 404
    assert finance_client.get(url("statement_detail", 999999)).status_code == 404
    anonymous = logged_in(world.finance)
    anonymous.logout()
    assert anonymous.get(url("statement_detail", world.issued.pk)).status_code == 302


def test_every_statement_keeps_the_contracts_penalty_terms(world, setup_fee):
    for statement in (world.issued, world.confirmed, setup_fee):
        assert CLAUSE_ZH in page(logged_in(world.finance), statement)
        english = page(logged_in(world.finance, "en"), statement).replace("&#x27;", "'")
        assert CLAUSE_EN in english and CLAUSE_ZH not in english


def test_a_penalty_notice_shows_its_computation(world):
    # July: 1,000.00 paid on 2026-08-25; notice as of 2026-10-31.
    confirmed = world.confirmed
    notice = services.penalty_notice_issue(statement=confirmed, as_of=date(2026, 10, 31))
    assert notice is not None
    due = confirmed.payment_due_on
    spans = notice.figures["spans"]
    assert notice.figures["payments"] == [{"paid_on": "2026-08-25", "amount": "1000.00"}]

    html = page(logged_in(world.finance), notice)

    assert "违约金计算明细" in html
    assert "期间</th>" in html and "未付本金</th>" in html and "日利率</th>" in html
    first = spans[0]
    assert f"{first['start']} 至 {first['end']}" in html
    assert first["start"] == date.fromordinal(due.toordinal() + 1).isoformat()
    assert "原账单付款：</strong> 2026-08-25 ¥1,000.00" in html
    total = D(notice.figures["penalty_to_date"])
    assert f"¥{total:,.2f}" in html
    assert "违约金计至 2026-10-31；此后按合同约定继续计算，直至付清。" in html
    assert CLAUSE_ZH in html
    assert sum(D(span["amount"]) for span in spans).quantize(D("0.01")) == total

    english = page(logged_in(world.finance, "en"), notice)
    assert "How the penalty adds up" in english and "违约金计算明细" not in english
    assert f"{first['start']} to {first['end']}" in english
    assert "keeps accruing under the contract" in english


def test_explanation_of_a_notice_lists_the_equation(world):
    notice = services.penalty_notice_issue(statement=world.confirmed, as_of=date(2026, 10, 31))

    penalty = statement_explanation(notice, zh=True)["penalty"]

    assert [(sign, label) for sign, label, _ in penalty["equation"]] == [
        ("", "累计违约金"),
        ("−", "此前通知已计"),
        ("−", "已减免"),
        ("=", "本通知金额"),
    ]
    assert penalty["equation"][-1][2] == f"¥{notice.total_due:,.2f}"


def test_a_void_version_links_no_detail(world, finance_client):
    void = services.statement_void(statement=world.issued, by=world.staff, reason="物流费有误")

    html = page(finance_client, void)

    assert "detail.xlsx" not in html
    assert CLAUSE_ZH in html
    assert statement_explanation(void, zh=True)["profit"] is None  # its lines were released
