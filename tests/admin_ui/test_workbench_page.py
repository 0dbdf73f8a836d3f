"""The admin's home page is the workbench (issue 12): each section lists agency A's work
with a link to its page and nothing of agency B; a superuser sees both; empty sections
say so; each language reads in its own words; the receivables export is an XLSX cut to
the user's agency."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import User
from core.periods import Period
from kpis.models import SalesImport
from settlements import selectors
from settlements import services as s
from settlements.models import DailyRun, Statement, StatementRun
from settlements.workbench import BUCKET_LABELS
from tests import factories as f
from tests.settlements.test_workbench import _issued, _rs

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date(2026, 11, 30)
HOME = "/admin/"
EXPORT = "/admin/workbench/receivables.xlsx"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: TODAY)


def _months(agreement, staff):
    """August confirmed and unpaid (overdue), September disputed on its issue day and
    unanswered, October a draft."""
    august = _issued(agreement, staff, "2026-08", f"{agreement.number}-8")
    s.statement_confirm(statement=august, by=staff, confirmed_on=august.issued_on)
    september = _issued(agreement, staff, "2026-09", f"{agreement.number}-9")
    s.statement_dispute(
        statement=september, by=staff, comment="数量不符", disputed_on=september.issued_on
    )
    october = _issued(agreement, staff, "2026-10", f"{agreement.number}-10", issue=False)
    return august, september, october


def _agency(name, brand_name):
    agency = f.agency(name)
    return SimpleNamespace(
        agency=agency,
        brand=f.brand(agency, name=brand_name),
        staff=f.user(agency, User.Role.AGENCY_STAFF),
    )


@pytest.fixture
def world():
    """Agency A with something in every section of its workbench; agency B with its own
    statements, drafts and failures, none of which A's staff may see."""
    a = _agency("甲代运营 Alpha Agency", "甲品牌 Alpha Tea")
    main = _rs(a.brand)
    other = _rs(a.brand)
    # main: August overdue (the agency may terminate), September's dispute past its reply
    # deadline (its PDF missing), October a draft.
    a.august, a.september, a.october = _months(main, a.staff)
    # other: August issued late and confirmed on 11-27 (payment due in a few days),
    # September issued on 11-27 (receipt due in a few days), October neither generated
    # nor issued and demanded by the brand (the brand may terminate).
    a.other_august = _issued(other, a.staff, "2026-08", "O-8", issued_on=date(2026, 11, 20))
    s.statement_confirm(statement=a.other_august, by=a.staff, confirmed_on=date(2026, 11, 27))
    a.other_september = _issued(other, a.staff, "2026-09", "O-9", issued_on=date(2026, 11, 27))
    deadline = selectors.issue_deadline_of(agreement=other, period=Period(2026, 10))
    s.statement_demand(
        agreement=other, period=Period(2026, 10), by=a.staff, demanded_on=deadline + timedelta(1)
    )
    a.main, a.other = main, other
    a.failed_import = SalesImport.objects.create(
        agreement=main, original_name="alpha-bad.csv", status=SalesImport.Status.FAILED
    )
    a.failed_run = StatementRun.objects.create(
        period="2026-10", agreement=main, status=StatementRun.Status.FAILED, total=1, failed=1
    )
    a.failed_daily = DailyRun.objects.create(
        until=TODAY,
        status=DailyRun.Status.FAILED,
        errors=[{"step": "flags", "object": "x", "error": "boom", "agency": a.agency.pk}],
    )

    b = _agency("乙代运营 Beta Agency", "乙品牌 Beta Silk")
    theirs = _rs(b.brand)
    b.august, b.september, b.october = _months(theirs, b.staff)
    b.agreement = theirs
    b.failed_import = SalesImport.objects.create(
        agreement=theirs, original_name="beta-bad.csv", status=SalesImport.Status.FAILED
    )
    b.failed_run = StatementRun.objects.create(
        period="2026-10", agreement=theirs, status=StatementRun.Status.FAILED, total=1, failed=1
    )
    # PDFs are rendered after the commit a test never makes: give every issued statement
    # one but A's September, whose PDF is missing.
    Statement.objects.exclude(status=Statement.Status.DRAFT).exclude(pk=a.september.pk).update(
        pdf="statements/rendered.pdf"
    )
    for statement in (a.august, a.september, a.other_august, a.other_september, b.august):
        statement.refresh_from_db()
    return SimpleNamespace(a=a, b=b)


def _page(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(HOME)
    assert response.status_code == 200
    return response, response.content.decode()


def _section_html(page, key):
    found = re.search(rf'<section id="wb-{key}".*?</section>', page, re.S)
    assert found is not None, key
    return found.group(0)


def _href(name, pk):
    return f'href="/admin/{name}/{pk}/change/"'


def _b_markers(b):
    return [
        b.brand.name,
        b.agency.name,
        b.agreement.number,
        b.august.number,
        b.september.number,
        b.october.number,
        "beta-bad.csv",
    ]


def test_staff_see_each_section_with_its_links_and_nothing_of_another_agency(client, world):
    a, b = world.a, world.b
    response, page = _page(client, a.staff)

    to_generate = _section_html(page, "to-generate")
    assert _href("contracts/agreement", a.other.pk) in to_generate
    assert 'href="/admin/settlements/statement/generate/"' in to_generate
    assert _href("contracts/agreement", a.main.pk) not in to_generate  # October is drafted

    to_issue = _section_html(page, "to-issue")
    assert _href("settlements/statement", a.october.pk) in to_issue
    assert a.october.number in to_issue and "¥" in to_issue

    receipts = _section_html(page, "receipts-due")
    assert _href("settlements/statement", a.other_september.pk) in receipts
    assert a.other_september.receipt_due_on <= TODAY + timedelta(days=7)

    payments = _section_html(page, "payments-due")
    assert _href("settlements/statement", a.other_august.pk) in payments
    assert TODAY <= a.other_august.payment_due_on <= TODAY + timedelta(days=7)

    disputes = _section_html(page, "disputes")
    assert _href("settlements/statement", a.september.pk) in disputes
    # Its reply deadline has passed: the date is drawn as late, with a word saying so.
    assert re.search(r'<td class=" wb-late">\s*[^<]+\s*<small>Past the deadline</small>', disputes)

    overdue = _section_html(page, "overdue")
    assert _href("settlements/statement", a.august.pk) in overdue
    days = (TODAY - a.august.payment_due_on).days
    assert f">{days}<" in overdue.replace("\n", "").replace(" ", "")

    ageing = _section_html(page, "ageing")
    assert ageing.count("<tr>") == 1 + 6 + 1  # the heading, six buckets, the total
    for label in ("Not yet due", "1–30 days overdue", "Over 90 days overdue", "Disputed"):
        assert label in ageing
    bench = response.context["workbench"]
    assert bench["ageing"]["total"] in ageing
    assert 'action="/admin/workbench/receivables.xlsx"' in ageing  # the export, as of a day

    terminations = _section_html(page, "terminations")
    assert _href("settlements/statement", a.august.pk) in terminations
    assert _href("contracts/agreement", a.other.pk) in terminations
    assert "Agency" in terminations and "Brand" in terminations
    assert "may terminate" in terminations

    failures = _section_html(page, "failures")
    assert _href("kpis/salesimport", a.failed_import.pk) in failures
    assert _href("settlements/statementrun", a.failed_run.pk) in failures
    assert _href("settlements/dailyrun", a.failed_daily.pk) in failures
    assert _href("settlements/statement", a.september.pk) in failures  # its PDF is missing

    for marker in _b_markers(b):
        assert marker not in page, marker
    assert _href("settlements/statementrun", b.failed_run.pk) not in page
    assert _href("kpis/salesimport", b.failed_import.pk) not in page


def test_headline_cards_sum_the_sections(client, world):
    response, page = _page(client, world.a.staff)
    headlines = {h.key: h for h in response.context["workbench"]["headlines"]}
    assert headlines["disputes"].value == "1"
    assert headlines["failures"].value == "4"  # an import, a run, a daily run, a PDF
    assert headlines["overdue"].value.startswith("¥")
    receivables = selectors.receivables_as_of(
        as_of=TODAY, statements=Statement.objects.filter(agreement__brand=world.a.brand)
    )
    total = sum((r.total for r in receivables), D("0"))
    assert headlines["ageing"].value == f"¥{total:,.2f}"
    assert f"¥{total:,.2f}" in page


def test_every_see_all_link_opens_its_filtered_list(client, world):
    response, _page_html = _page(client, world.a.staff)
    bench = response.context["workbench"]
    sections = [*(s for pair in bench["pairs"] for s in pair), bench["overdue"]]
    links = {section.key: section.more_url for section in sections if section.more_url}
    assert {"to-issue", "receipts-due", "payments-due", "disputes", "overdue"} <= set(links)
    expected = {
        "to-issue": world.a.october,
        "receipts-due": world.a.other_september,
        "payments-due": world.a.other_august,
        "disputes": world.a.september,
        "overdue": world.a.august,
    }
    for key, statement in expected.items():
        listed = client.get(links[key])
        assert listed.status_code == 200, key
        assert "e=1" not in listed.get("Location", ""), key
        assert statement.number in listed.content.decode(), key
    for row in bench["ageing"]["rows"]:
        if row["url"]:
            assert client.get(row["url"]).status_code == 200


def test_a_superuser_sees_every_agency(client, world):
    _response, page = _page(client, f.superuser())
    for statement in (world.a.october, world.b.october, world.a.august, world.b.august):
        assert statement.number in page
    assert world.b.brand.name in page and world.a.brand.name in page
    assert "Every agency" in page


def test_empty_sections_say_what_is_done(client):
    staff = f.user(f.agency(), User.Role.AGENCY_STAFF)
    _response, page = _page(client, staff)
    for text in (
        "Nothing to issue — every draft is issued.",
        "No dispute is waiting for a reply.",
        "No receipt deadline in the next 7 days.",
        "No payment falls due in the next 7 days.",
        "Nothing is overdue",
        "Neither side holds a termination right today.",
        "No failure in the last 30 days",
        "Every agreement has its statement for October 2026.",
    ):
        assert text in page, text
    _response, page = _page(client, staff, "zh-hans")
    assert "没有待出具的对账单——草稿均已出具。" in page
    assert "没有待回复的异议。" in page


@pytest.mark.parametrize(
    ("language", "own", "other"),
    [
        (
            "zh-hans",
            ["待出具", "待回复的异议", "即将到期的签收", "即将到期的付款", "应收账龄", "解约权"],
            ["To issue", "Disputes awaiting a reply", "Receipts coming due", "Receivables by"],
        ),
        (
            "en",
            ["To issue", "Disputes awaiting a reply", "Receipts coming due", "Payments coming due"],
            ["待出具", "待回复的异议", "即将到期的签收", "应收账龄", "截至"],
        ),
    ],
)
def test_the_page_reads_in_one_language(client, world, language, own, other):
    _response, page = _page(client, world.a.staff, language)
    text = re.sub(r"<[^>]+>", " ", page)
    for title in own:
        assert title in text, title
    for title in other:
        assert title not in text, title
    if language == "zh-hans":
        # Section titles, column headings, notes and empty texts: no English word of ours.
        for word in ("Statement", "Outstanding", "Past the deadline", "Open the list", "Total"):
            assert word not in text, word
        assert "2026年11月30日" in text  # dates as the locale writes them
    else:
        assert "Nov. 30, 2026" in text


def test_a_user_of_no_agency_sees_no_workbench(client, world):
    bare = User.objects.create_user(username="bare", password="pw-Test-1234", is_staff=True)
    _response, page = _page(client, bare)
    assert "has no workbench" in page
    for marker in [*_b_markers(world.b), world.a.brand.name, world.a.august.number]:
        assert marker not in page


# --- the receivables export ------------------------------------------------------------


def _xlsx(client, user, query="", language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(EXPORT + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return response, [list(row) for row in book.active.iter_rows()]


def _values(rows):
    return [[cell.value for cell in row] for row in rows]


def test_the_export_lists_the_agencys_receivables_with_money_cells_and_totals(client, world):
    a, b = world.a, world.b
    response, rows = _xlsx(client, a.staff, "?as_of=2026-11-30")
    assert 'filename="receivables-2026-11-30.xlsx"' in response["Content-Disposition"]
    values = _values(rows)
    assert values[0] == [
        "Statement number",
        "Brand",
        "Agreement",
        "Kind",
        "Issued on",
        "Due on",
        "Days past due",
        "Ageing bucket",
        "Outstanding",
        "Penalty to date",
        "Total",
    ]
    expected = {
        r.statement.number: r
        for r in selectors.receivables_as_of(
            as_of=TODAY, statements=Statement.objects.filter(agreement__brand=a.brand)
        )
    }
    items = rows[1 : next(i for i, row in enumerate(values) if not any(row))]
    assert {row[0].value for row in items} == set(expected)
    august = next(row for row in items if row[0].value == a.august.number)
    item = expected[a.august.number]
    assert august[1].value == a.brand.name and august[2].value == a.main.number
    assert august[6].value == item.days_past_due
    with translation.override("en"):
        assert august[7].value == str(BUCKET_LABELS[item.bucket])
    assert D(str(august[8].value)) == item.outstanding
    assert D(str(august[10].value)).quantize(D("0.01")) == item.total
    assert "¥" in august[8].number_format and "#,##0.00" in august[8].number_format
    assert august[4].is_date and august[5].is_date
    # The totals block: one row per bucket, then the total of every item.
    labels = [row[7] for row in values if row[0] is None and len(row) > 7 and row[7]]
    assert labels[:6] == [
        "Not yet due",
        "1–30 days overdue",
        "31–60 days overdue",
        "61–90 days overdue",
        "Over 90 days overdue",
        "Disputed (nothing due)",
    ]
    total_row = values[-1]
    assert total_row[6] == len(expected) and total_row[7] == "Total"
    assert D(str(total_row[10])).quantize(D("0.01")) == sum(r.total for r in expected.values())
    flat = repr(values)
    for marker in (b.august.number, b.september.number, b.brand.name, b.agreement.number):
        assert marker not in flat, marker


def test_the_export_as_of_an_earlier_day_and_in_chinese(client, world):
    a = world.a
    # On 2026-10-01 only August was issued (September on 10-08): one item, not yet due.
    _response, rows = _xlsx(client, a.staff, "?as_of=2026-10-01", "zh-hans")
    values = _values(rows)
    assert values[0][:3] == ["对账单编号", "品牌方", "协议"]
    numbers = {row[0] for row in values[1:] if row[0] and str(row[0]).startswith("ST-")}
    assert numbers == {a.august.number}
    assert "截至 2026-10-01 的应收账款" in repr(values)


def test_a_superuser_exports_every_agency(client, world):
    _response, rows = _xlsx(client, f.superuser())
    numbers = {row[0].value for row in rows}
    assert {world.a.august.number, world.b.august.number} <= numbers


def test_the_export_refuses_who_may_not_see_it(client, world):
    response = client.get(EXPORT)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    brand_finance = f.user(world.a.brand, User.Role.BRAND_FINANCE)
    client.force_login(brand_finance)
    response = client.get(EXPORT)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    bare = User.objects.create_user(username="bare", password="pw-Test-1234", is_staff=True)
    client.force_login(bare)
    assert client.get(EXPORT).status_code == 403


def test_a_bad_date_is_refused_not_a_500(client, world):
    client.force_login(world.a.staff)
    assert client.get(EXPORT + "?as_of=2026-13-45").status_code == 400
    assert client.get(EXPORT + "?as_of=yesterday").status_code == 400
