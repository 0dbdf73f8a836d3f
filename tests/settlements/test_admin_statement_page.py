"""A statement's page in the staff admin (issue 12): it reads as a document in one
language, shows each action as a button only when it applies, and each action is a form
for one statement that goes through its service; the list refuses to pay several at once,
and exports what it shows as XLSX. Another agency's statement is a 404 everywhere."""

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from common.models import Event
from core.periods import Period
from settlements import services
from settlements.models import Payment, Statement
from tests import factories as f
from tests.settlements.test_admin import setup as admin_month  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Codes both languages write the same way, and the page's own abbreviations.
SHARED = {"PDF", "API", "KPI", "SKU", "XLSX", "ST", "HT", "v2"}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The clock the services and the page read; tests move it."""
    state = {"day": date(2026, 9, 8)}
    monkeypatch.setattr("common.clock.today", lambda: state["day"])

    def set_day(day):
        state["day"] = day

    return set_day


@pytest.fixture
def setup(request):
    """test_admin's month: a revenue-share draft of 2026-08 (¥2,793.00), staff logged in."""
    return request.getfixturevalue("admin_month")


@pytest.fixture
def staff(setup):
    """The agency staff user ``setup`` (test_admin's month) logged in."""
    _client, agreement, _draft = setup
    return User.objects.get(organization=agreement.agency, role=User.Role.AGENCY_STAFF)


def _issue(statement, staff):
    services.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=staff)
    statement.refresh_from_db()
    return statement


def url(name, statement, *args):
    return reverse(f"admin:settlements_statement_{name}", args=[statement.pk, *args])


class _Text(HTMLParser):
    """The text a person reads inside the element with ``data-testid=testid``."""

    def __init__(self, testid):
        super().__init__(convert_charrefs=True)
        self.testid, self.depth, self.parts = testid, 0, []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "input", "meta", "link", "hr"}:
            return
        if self.depth or dict(attrs).get("data-testid") == self.testid:
            self.depth += 1
        if "material-symbols" in (dict(attrs).get("class") or "") and self.depth:
            self.depth += 1000  # an icon's ligature is not text

    def handle_endtag(self, tag):
        if tag in {"br", "img", "input", "meta", "link", "hr"}:
            return
        if self.depth >= 1000:
            self.depth -= 1000
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.depth < 1000:
            self.parts.append(data)


def text_of(response, testid="statement-page"):
    reader = _Text(testid)
    reader.feed(response.content.decode())
    return " ".join(" ".join(reader.parts).split())


def page(client, statement, lang=EN):
    response = client.get(url("change", statement), **lang)
    assert response.status_code == 200
    return response


def buttons(response):
    html = text_of(response, "actions")
    return html


def action_links(response, statement):
    content = response.content.decode()
    return {
        name
        for name in ("issue", "payment", "reply", "dispute", "withdrawal", "void", "correct")
        if f'href="{url(name, statement)}"' in content
    }


# --- the page, per state --------------------------------------------------------------------


def test_a_draft_reads_as_a_document_with_issue_and_preview(setup):
    client, agreement, draft = setup
    response = page(client, draft)
    text = text_of(response)
    content = response.content.decode()
    assert draft.number in text and "Monthly statement" in text and "Draft" in text
    assert "Agency share" in text and "agency_share" not in content
    assert "Agency share 30% of profit 9,310.00" in text  # the line in one language
    assert "¥2,793.00" in text and "August 2026" in text
    assert reverse("admin:contracts_agreement_change", args=[agreement.pk]) in content
    assert reverse("admin:accounts_organization_change", args=[agreement.brand_id]) in content
    # How the profit adds up, from the portal's own explanation
    assert "How the profit adds up" in text and "¥9,310.00" in text
    for raw in ("基础编号", "分期", "计算数据", '"agency_ratio"', "Base number", ">ID<"):
        assert raw not in content
    # nothing to save
    assert 'name="_save"' not in content and 'name="_continue"' not in content
    assert action_links(response, draft) == {"issue"}
    assert "Preview PDF" in buttons(response) and "Download PDF" not in buttons(response)
    assert "Detail (XLSX)" in buttons(response)


def test_an_issued_statement_offers_payment_dispute_and_void(setup, today, staff):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    response = page(client, statement)
    text = text_of(response)
    assert "Issued" in text
    assert "Sept. 8, 2026" in text  # issued on
    assert "Sept. 15, 2026" in text  # receipt due
    assert "Sept. 20, 2026" in text  # payment due
    assert action_links(response, statement) == {"payment", "dispute", "void"}
    assert "Download PDF" in buttons(response)
    # past the receipt deadline silence confirms it: no more dispute, and overdue shows days
    today(date(2026, 9, 30))
    response = page(client, statement)
    text = text_of(response)
    assert action_links(response, statement) == {"payment", "void"}
    assert "Confirmed by silence" in text
    assert "Overdue 10 days" in text
    assert "Late penalty" in text and "¥83.79" in text  # 2,793.00 × 0.3% × 10 days


def test_a_disputed_statement_offers_reply_withdrawal_and_shows_the_dispute(setup, today, staff):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    today(date(2026, 9, 10))
    services.statement_dispute(
        statement=statement,
        comment="Four returned boxes were not deducted",
        disputed_on=date(2026, 9, 10),
        attachments=[SimpleUploadedFile("list.csv", b"sku,qty\nTEA-1,4\n", "text/csv")],
        by=staff,
    )
    statement.refresh_from_db()
    response = page(client, statement)
    text = text_of(response, "dispute")
    assert "Four returned boxes were not deducted" in text
    assert "Sept. 10, 2026" in text and "Reply by" in text and "Sept. 17, 2026" in text
    assert "Not answered yet." in text
    attachment = statement.dispute_attachments.get()
    download = url("attachment", statement, attachment.pk)
    assert f'href="{download}"' in response.content.decode()
    assert b"".join(client.get(download).streaming_content) == b"sku,qty\nTEA-1,4\n"
    assert action_links(response, statement) == {"payment", "reply", "withdrawal", "void"}
    assert "none while the dispute is open" in text_of(response, "facts")
    services.statement_reply(statement=statement, reply="We will correct it", by=staff)
    response = page(client, statement)
    assert "We will correct it" in text_of(response, "dispute")
    assert action_links(response, statement) == {"payment", "withdrawal", "void"}


def test_a_void_statement_offers_the_correction_and_links_its_versions(setup, staff):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    services.statement_void(statement=statement, reason="Wrong tax", by=staff)
    statement.refresh_from_db()
    response = page(client, statement)
    assert "Wrong tax" in response.content.decode()
    assert action_links(response, statement) == {"correct"}
    assert "Detail (XLSX)" not in buttons(response)
    corrected = services.statement_correct(statement=statement, by=staff)
    response = page(client, statement)
    assert action_links(response, statement) == set()
    versions = text_of(response, "versions")
    assert f"Corrected by: {corrected.number}" in versions
    assert f'href="{url("change", corrected)}"' in response.content.decode()
    response = page(client, corrected)
    assert f"Corrects: {statement.number}" in text_of(response, "versions")
    assert action_links(response, corrected) == {"issue"}


def test_history_times_are_beijing_times_in_words(setup):
    client, _agreement, draft = setup
    event = Event.objects.create(
        action="payment.recorded",
        object_type="statement",
        object_id=draft.pk,
        detail={"amount": "1000.00", "paid_on": "2026-11-29", "reference": "CMB-1"},
    )
    Event.objects.filter(pk=event.pk).update(at=datetime(2026, 11, 29, 17, 30, tzinfo=UTC))
    response = page(client, draft)
    history = text_of(response, "history")
    assert "2026-11-30 01:30" in history and "2026-11-29 17:30" not in history
    assert "Payment received" in history and "payment.recorded" not in history
    assert "¥1,000.00 paid on Nov. 29, 2026 · CMB-1" in history
    assert "Draft generated" in history and "statement.generated" not in history
    zh_history = text_of(page(client, draft, ZH), "history")
    assert "已收到付款" in zh_history and "2026-11-30 01:30" in zh_history


# --- one language per page ------------------------------------------------------------------


def _without_data(text, *data):
    for value in data:
        text = text.replace(value, " ")
    return text


def test_the_page_reads_in_one_language(setup, today, staff):
    client, agreement, draft = setup
    statement = _issue(draft, staff)
    services.payment_record(
        statement=statement,
        amount=Decimal("1000.00"),
        paid_on=date(2026, 9, 8),
        reference="CMB-0908",
        external_ref="EXT-1",
        by=staff,
    )
    today(date(2026, 9, 30))
    data = [agreement.title, agreement.brand.name, agreement.number, statement.number]
    data += [staff.username, "CMB-0908", "EXT-1"]
    english = _without_data(text_of(page(client, statement, EN)), *data)
    assert not CJK.findall(english), CJK.findall(english)
    chinese = _without_data(text_of(page(client, statement, ZH)), *data)
    words = [w for w in LATIN_WORD.findall(chinese) if w not in SHARED]
    assert not words, words
    form = client.get(url("payment", statement), **ZH)
    chinese_form = _without_data(text_of(form, "action-form"), *data)
    assert not [w for w in LATIN_WORD.findall(chinese_form) if w not in SHARED]
    assert "银行流水号" in chinese_form and "外部单号" in chinese_form


# --- actions as single-object forms ---------------------------------------------------------


def test_issue_through_its_button_says_what_it_billed(setup):
    client, _agreement, draft = setup
    assert client.get(url("issue", draft), **EN).status_code == 200
    response = client.post(url("issue", draft), {"issued_on": "2026-09-08"}, follow=True, **EN)
    draft.refresh_from_db()
    assert (draft.status, draft.issued_on) == ("issued", date(2026, 9, 8))
    assert response.redirect_chain[-1][0] == url("change", draft)
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        "Issued" in m and draft.number in m and "¥2,793.00 due by Sept. 20, 2026" in m
        for m in messages
    ), messages
    # the button is gone, and a stale page's POST is refused on the form
    response = client.post(url("issue", draft), {"issued_on": "2026-09-08"}, **EN)
    assert response.status_code == 200
    assert "Refused" in text_of(response, "action-form")


def test_issue_refused_before_the_month_ends_keeps_the_date(setup, today):
    client, _agreement, draft = setup
    today(date(2026, 8, 31))
    response = client.post(url("issue", draft), {"issued_on": "2026-08-31"}, **EN)
    assert response.status_code == 200
    assert response.context["form"].errors["issued_on"]
    assert 'value="2026-08-31"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_payment_is_recorded_once_even_when_the_page_is_sent_twice(setup, staff):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    form = client.get(url("payment", statement), **EN)
    assert "¥2,793.00" in text_of(form, "summary")  # the outstanding amount
    prefilled = form.context["form"]["external_ref"].value()
    assert prefilled.startswith(f"ADMIN-{statement.number}-")
    data = {
        "amount": "1000.00",
        "paid_on": "2026-09-08",
        "reference": "CMB 0908-001",
        "external_ref": prefilled,
    }
    first = client.post(url("payment", statement), data, follow=True, **EN)
    second = client.post(url("payment", statement), data, follow=True, **EN)
    payment = Payment.objects.get(statement=statement)
    assert (payment.amount, payment.reference, payment.external_ref) == (
        Decimal("1000.00"),
        "CMB 0908-001",
        prefilled,
    )
    said = [str(m) for m in first.context["messages"]]
    assert any("Recorded ¥1,000.00 paid on Sept. 8, 2026" in m and "¥1,793.00" in m for m in said)
    said = [str(m) for m in second.context["messages"]]
    assert any("already recorded" in m and "Nothing new was recorded" in m for m in said), said
    statement.refresh_from_db()
    assert statement.payment_status == "partially_paid"
    assert Event.objects.filter(action="payment.recorded", object_id=statement.pk).count() == 1


def test_paying_in_full_says_so_and_the_button_goes(setup, staff):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    data = {"amount": "2793.00", "paid_on": "2026-09-08", "reference": "", "external_ref": ""}
    response = client.post(url("payment", statement), data, follow=True, **EN)
    assert any("is paid in full" in str(m) for m in response.context["messages"])
    assert "payment" not in action_links(page(client, statement), statement)
    # opening the form now only says why not
    response = client.get(url("payment", statement), follow=True, **EN)
    assert response.redirect_chain[-1][0] == url("change", statement)


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"amount": "9999.00", "paid_on": "2026-09-08"}, "amount", "outstanding ¥2,793.00"),
        ({"amount": "100.00", "paid_on": "2026-09-09"}, "paid_on", "future"),
        ({"amount": "-5", "paid_on": "2026-09-08"}, "amount", "greater than or equal"),
        ({"amount": "", "paid_on": "2026-09-08"}, "amount", "required"),
    ],
)
def test_payment_errors_show_beside_their_field_and_keep_what_was_typed(
    setup, data, field, says, staff
):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    typed = {"reference": "CMB 0908-002", "external_ref": "BANK-778", **data}
    response = client.post(url("payment", statement), typed, **EN)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and says in " ".join(errors[field]), errors
    content = response.content.decode()
    for value in typed.values():
        if value:
            assert f'value="{value}"' in content
    assert not Payment.objects.exists()


def test_paying_a_void_statement_is_a_form_error(setup, staff):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    services.statement_void(statement=statement, reason="Wrong tax", by=staff)
    data = {"amount": "100.00", "paid_on": "2026-09-08", "external_ref": "BANK-1"}
    response = client.post(url("payment", statement), data, **EN)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Refused: {statement.number} is Void now."
    ]
    assert not Payment.objects.exists()
    chinese = client.post(url("payment", statement), data, **ZH)
    assert "已作废" in text_of(chinese, "action-form")


def test_the_list_refuses_to_pay_several_statements_at_once(setup, staff):
    client, agreement, draft = setup
    statement = _issue(draft, staff)
    setup_fee = Statement.objects.get(agreement=agreement, kind="setup_fee")
    changelist = reverse("admin:settlements_statement_changelist")
    data = {"action": "record_payment", "_selected_action": [statement.pk, setup_fee.pk]}
    response = client.post(changelist, data, follow=True, **EN)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "works on one statement at a time" in said and "2 were selected" in said
    assert not Payment.objects.exists()
    # one selected: its own payment form
    data["_selected_action"] = [statement.pk]
    response = client.post(changelist, data)
    assert response.status_code == 302 and response["Location"] == url("payment", statement)
    for action in ("void_selected", "reply_to_dispute", "record_dispute", "correct_selected"):
        data = {"action": action, "_selected_action": [statement.pk, setup_fee.pk]}
        response = client.post(changelist, data, follow=True, **EN)
        assert "one statement at a time" in " ".join(str(m) for m in response.context["messages"])
    statement.refresh_from_db()
    assert statement.status == "issued"


def test_bulk_issue_confirms_then_says_what_it_did_per_statement(setup, today):
    client, agreement, draft = setup
    other = f.agreement("revenue_share", activate=True, brand_org=agreement.brand)
    second = services.statement_generate(agreement=other, period=Period(2026, 8)).statement
    setup_fee = Statement.objects.get(agreement=agreement, kind="setup_fee")
    changelist = reverse("admin:settlements_statement_changelist")
    selected = [draft.pk, second.pk, setup_fee.pk]
    confirm = client.post(
        changelist, {"action": "issue_selected", "_selected_action": selected}, **EN
    )
    assert confirm.status_code == 200
    rows = text_of(confirm, "issue-rows")
    assert draft.number in rows and second.number in rows and "Will be issued" in rows
    assert "not a draft" in rows and "Drafts to issue: 2" in rows
    draft.refresh_from_db()
    assert draft.status == "draft"  # nothing issued before the confirmation
    response = client.post(
        changelist,
        {
            "action": "issue_selected",
            "_selected_action": selected,
            "post": "yes",
            "issued_on": "2026-09-08",
        },
        follow=True,
        **EN,
    )
    said = [str(m) for m in response.context["messages"]]
    for statement in (draft, second):
        statement.refresh_from_db()
        assert statement.status == "issued"
        assert any(
            f'href="{url("change", statement)}">{statement.number}</a>' in m for m in said
        ), said
    assert any("due by Sept. 20, 2026" in m for m in said)


def test_reply_dispute_withdrawal_through_their_forms(setup, today, staff):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    today(date(2026, 9, 12))
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter", "application/pdf")
    response = client.post(
        url("dispute", statement),
        {"comment": "Returns missing", "disputed_on": "2026-09-10", "attachments": [upload]},
        follow=True,
        **EN,
    )
    statement.refresh_from_db()
    assert (statement.status, statement.disputed_on) == ("disputed", date(2026, 9, 10))
    assert statement.dispute_attachments.get().name == "letter.pdf"
    assert any("no payment is due while it is open" in str(m) for m in response.context["messages"])
    # an empty reply is refused beside the field
    response = client.post(url("reply", statement), {"reply": "", "replied_on": "2026-09-12"})
    assert "reply" in response.context["form"].errors
    client.post(
        url("reply", statement), {"reply": "Corrected next week", "replied_on": "2026-09-12"}
    )
    statement.refresh_from_db()
    assert (statement.agency_reply, statement.replied_on) == (
        "Corrected next week",
        date(2026, 9, 12),
    )
    response = client.post(
        url("withdrawal", statement), {"withdrawn_on": "2026-09-12"}, follow=True, **EN
    )
    statement.refresh_from_db()
    assert (statement.status, statement.confirmed_on) == ("confirmed", date(2026, 9, 12))
    assert any("confirmed on Sept. 12, 2026" in str(m) for m in response.context["messages"])


def test_void_and_correct_through_their_forms(setup, staff):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    response = client.post(url("void", statement), {"reason": ""}, **EN)
    assert "reason" in response.context["form"].errors
    response = client.post(
        url("void", statement), {"reason": "Wrong tax", "and_correct": "on"}, follow=True
    )
    statement.refresh_from_db()
    corrected = Statement.objects.get(previous_version=statement)
    assert (statement.status, statement.void_reason) == ("void", "Wrong tax")
    assert (corrected.version, corrected.status) == (2, "draft")
    assert response.redirect_chain[-1][0] == url("change", corrected)
    # the other way: void alone, then correct from the void statement's page
    other = _issue(
        services.statement_generate(
            agreement=f.agreement("revenue_share", activate=True), period=Period(2026, 8)
        ).statement,
        None,
    )
    other_staff = f.user(other.agreement.agency, User.Role.AGENCY_STAFF)
    client.force_login(other_staff)
    client.post(url("void", other), {"reason": "Typo"})
    other.refresh_from_db()
    assert other.status == "void" and not Statement.objects.filter(previous_version=other).exists()
    client.post(url("correct", other), {})
    assert Statement.objects.filter(previous_version=other, version=2).exists()


# --- tenancy --------------------------------------------------------------------------------


def test_another_agencys_statement_is_a_404_on_every_view(setup):
    client, _agreement, _draft = setup
    foreign = f.agreement("revenue_share", activate=True)
    bill = Statement.objects.get(agreement=foreign, kind="setup_fee")
    for name in ("issue", "payment", "reply", "dispute", "withdrawal", "void", "correct"):
        assert client.get(url(name, bill)).status_code == 404, name
        assert client.post(url(name, bill), {"amount": "1.00"}).status_code == 404, name
    assert client.get(url("pdf", bill)).status_code == 404
    assert client.get(url("detail_xlsx", bill)).status_code == 404
    assert client.get(url("attachment", bill, 1)).status_code == 404
    assert not Payment.objects.exists()
    bill.refresh_from_db()
    assert bill.status == "issued"


# --- exports --------------------------------------------------------------------------------


def _sheet(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.worksheets[0].iter_rows(values_only=False))


def test_the_list_exports_as_filtered_and_never_another_agencys(setup, staff):
    client, agreement, draft = setup
    statement = _issue(draft, staff)
    services.payment_record(
        statement=statement,
        amount=Decimal("793.00"),
        paid_on=date(2026, 9, 8),
        by=staff,
    )
    foreign = f.agreement("revenue_share", activate=True)
    foreign_bill = Statement.objects.get(agreement=foreign, kind="setup_fee")
    changelist = client.get(
        reverse("admin:settlements_statement_changelist") + "?kind__exact=monthly", **EN
    )
    export = reverse("admin:settlements_statement_export")
    assert f'href="{export}?kind__exact=monthly"' in changelist.content.decode()
    response = client.get(export + "?kind__exact=monthly", **EN)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(response)
    headers = [cell.value for cell in rows[0]]
    assert headers[:3] == ["Number", "Brand", "Agreement"]
    assert "Total (¥)" in headers and "Receipt due" in headers and "Issued on" in headers
    body = {row[0].value: row for row in rows[1:]}
    assert list(body) == [statement.number]  # the setup-fee bill is filtered out
    row = body[statement.number]
    values = dict(zip(headers, row, strict=True))
    assert values["Total (¥)"].value == Decimal("2793.00") or values["Total (¥)"].value == 2793
    assert values["Total (¥)"].number_format == '"¥"#,##0.00'
    assert values["Outstanding (¥)"].value == 2000
    assert values["Brand"].value == agreement.brand.name
    assert values["Kind"].value == "Monthly statement"
    assert values["Receipt due"].value.date() == date(2026, 9, 15)
    everything = client.get(export, **EN)
    numbers = [row[0].value for row in _sheet(everything)[1:]]
    assert foreign_bill.number not in numbers and statement.number in numbers
    chinese = _sheet(client.get(export, **ZH))
    assert chinese[0][0].value == "编号"


def test_a_statements_detail_exports_from_its_page(setup):
    client, agreement, draft = setup
    response = client.get(url("detail_xlsx", draft), **EN)
    assert response.status_code == 200
    rows = [[cell.value for cell in row] for row in _sheet(response)]
    assert rows[0][:3] == ["Date", "SKU", "Product"]
    assert rows[1][1] == "TEA-1" and rows[1][3] == 100
    setup_fee = Statement.objects.get(agreement=agreement, kind="setup_fee")
    assert client.get(url("detail_xlsx", setup_fee)).status_code == 404


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_money_and_overdue_days_in_red(setup, today, staff):
    client, _agreement, draft = setup
    statement = _issue(draft, staff)
    services.payment_record(
        statement=statement, amount=Decimal("793.00"), paid_on=date(2026, 9, 8), by=staff
    )
    today(date(2026, 9, 30))  # due 2026-09-20: ten days overdue
    changelist = reverse("admin:settlements_statement_changelist")
    response = client.get(changelist + "?kind__exact=monthly", **EN)
    content = response.content.decode()
    row = content[content.index(f">{statement.number}<") :]
    row = row[: row.index("</tr>")]
    assert "¥2,793.00" in row and "¥2,000.00" in row  # total and outstanding
    assert "Sept. 20, 2026" in row
    assert "10 days" in row and "bg-red-100" in row  # a red badge, with the days
    assert "Confirmed by silence" in row and "Partially paid" in row
    assert "icon-yes" not in content and "check_circle" not in row
    today(date(2026, 9, 20))  # due today: not overdue
    response = client.get(changelist + "?kind__exact=monthly", **EN)
    content = response.content.decode()
    row = content[content.index(f">{statement.number}<") :]
    assert "bg-red-100" not in row[: row.index("</tr>")]
