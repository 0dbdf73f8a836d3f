"""The actions on one statement, each a form page of its own: issue, record a payment,
reply to a dispute, record the brand's written dispute or its withdrawal, void, and make
the corrected version.

Every action goes through its service in ``settlements.services``; a refusal from the
service (``DomainError``) is shown on the form beside its field, everything typed kept.
What was done is said in words with the money, e.g. "Issued ST-2026-000013, ¥11,719.74
due by 2026年12月20日."
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import INPUT_CLASSES, TEXTAREA_CLASSES

from common.templatetags.portal import money_text
from core.exceptions import DomainError, InvalidStateError, RuleViolation
from settlements import messages as msg
from settlements import selectors, services
from settlements.admin.statement_page import (
    CORRECT,
    DISPUTE,
    ISSUE,
    PAYMENT,
    REPLY,
    VOID,
    WITHDRAWAL,
    one_language,
)
from settlements.models import Payment, Statement
from settlements.portal.actions import MultipleFileField, MultipleFileInput
from settlements.services.review import ATTACHMENT_MAX_FILES


def day_text(day: date | None) -> str:
    return date_format(day, "DATE_FORMAT") if day else "—"


def statement_link(statement: Statement) -> SafeString:
    url = reverse("admin:settlements_statement_change", args=[statement.pk])
    return format_html('<a href="{}">{}</a>', url, statement.number)


# --- widgets --------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    """The browser's date picker, drawn as unfold draws its inputs."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(attrs={"class": " ".join(INPUT_CLASSES)}, format="%Y-%m-%d")


def text_input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": " ".join(INPUT_CLASSES), **attrs})


def date_field(label: Any, help_text: Any) -> forms.DateField:
    """A required date, picked in the browser's calendar; its first value is today."""
    return forms.DateField(label=label, widget=DateInput(), help_text=help_text)


def text_field(label: Any, *, max_length: int, help_text: Any) -> forms.CharField:
    """A required text of a few lines (a reply, a comment, a reason)."""
    widget = forms.Textarea(attrs={"class": " ".join(TEXTAREA_CLASSES), "rows": 4})
    return forms.CharField(label=label, max_length=max_length, widget=widget, help_text=help_text)


# --- forms ----------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """A form about one statement; ``today`` fills the date fields' first value."""

    date_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, statement: Statement, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statement = statement
        for name in self.date_fields:
            self.fields[name].initial = today


class IssueForm(ActionForm):
    date_fields = ("issued_on",)
    issued_on = date_field(
        gettext_lazy("Issue date"),
        gettext_lazy(
            "The date printed on the statement; the receipt and payment deadlines count "
            "from it. Not in the future; a month's statement only after the month ends."
        ),
    )


class PaymentForm(ActionForm):
    date_fields = ("paid_on",)
    amount = forms.DecimalField(
        label=gettext_lazy("Amount received (¥)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=text_input(inputmode="decimal", placeholder="0.00"),
    )
    paid_on = date_field(
        gettext_lazy("Paid on"),
        gettext_lazy("The day the money reached the account; not in the future."),
    )
    reference = forms.CharField(
        label=gettext_lazy("Bank reference"),
        required=False,
        max_length=200,
        widget=text_input(),
        help_text=gettext_lazy("The bank slip or transfer number, as the bank shows it."),
    )
    external_ref = forms.CharField(
        label=gettext_lazy("External reference"),
        required=False,
        max_length=100,
        widget=text_input(),
        help_text=gettext_lazy(
            "Names this payment once: the same reference again records nothing new. "
            "Filled in so that sending this page twice records one payment; replace it "
            "with your ERP's or bank's transaction number if you have one."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outstanding = self.statement.total_due - selectors.amount_paid(self.statement)
        self.fields["amount"].help_text = _("At most the outstanding %(amount)s.") % {
            "amount": money_text(outstanding)
        }
        token = secrets.token_hex(3).upper()
        self.fields["external_ref"].initial = f"ADMIN-{self.statement.number}-{token}"


class ReplyForm(ActionForm):
    date_fields = ("replied_on",)
    reply = text_field(
        gettext_lazy("Reply to the brand"),
        max_length=4000,
        help_text=gettext_lazy("The brand reads this on the statement's page in its portal."),
    )
    replied_on = date_field(
        gettext_lazy("Replied on"),
        gettext_lazy("Not before the dispute, not in the future."),
    )


class DisputeForm(ActionForm):
    comment = text_field(
        gettext_lazy("What the brand disputes"),
        max_length=4000,
        help_text=gettext_lazy("As the brand wrote it: lines, amounts, months."),
    )
    disputed_on = date_field(
        gettext_lazy("Dated"),
        gettext_lazy(
            "The date of the brand's letter or e-mail: not before the issue date, not after "
            "the receipt deadline, not in the future."
        ),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"class": " ".join(INPUT_CLASSES)}),
        help_text=format_lazy(
            gettext_lazy(
                "The brand's letter, its own list or a screenshot: up to {count} files "
                "(PDF, images, spreadsheets, text), 10 MB each."
            ),
            count=ATTACHMENT_MAX_FILES,
        ),
    )


class WithdrawalForm(ActionForm):
    date_fields = ("withdrawn_on",)
    withdrawn_on = date_field(
        gettext_lazy("Withdrawn on"),
        gettext_lazy(
            "The statement counts as confirmed on this day, and payment falls due from it."
        ),
    )


class VoidForm(ActionForm):
    reason = text_field(
        gettext_lazy("Why it is void"),
        max_length=2000,
        help_text=gettext_lazy("Shown to the brand with the void version."),
    )
    and_correct = forms.BooleanField(
        label=gettext_lazy("Draft the corrected version now"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "The next version (-v2, …) is drafted with fresh figures; payments move to it "
            "when it is issued."
        ),
    )


class CorrectForm(ActionForm):
    pass


# --- what each action does -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    text: SafeString
    url: str = ""
    level: int = messages.SUCCESS


def _due_text(statement: Statement) -> str:
    if statement.payment_due_on is None:
        return ""
    return _("due by %(day)s") % {"day": day_text(statement.payment_due_on)}


def issued_text(statement: Statement) -> SafeString:
    """ "Issued ST-2026-000013, ¥11,719.74 due by 2026年12月20日." (the number linked)."""
    due = _due_text(statement)
    text = (
        _("Issued %(number)s, %(amount)s %(due)s.") if due else _("Issued %(number)s, %(amount)s.")
    )
    return _linked(text, statement, amount=money_text(statement.total_due), due=due)


def _linked(text: str, statement: Statement, **values: Any) -> SafeString:
    """``text`` (a translated sentence with %(number)s and other %(name)s places) with the
    statement's number linked to its page; the other values escaped."""
    template = text
    for name in ("number", *values):
        template = template.replace(f"%({name})s", "{" + name + "}")
    return format_html(template, number=statement_link(statement), **values)


# A bulk issue says this many issued statements one by one, the rest in one sentence.
ISSUED_MESSAGES = 20


def bulk_issue_report(
    report: Callable[[Any, int], None],
    outcomes: list[tuple[Statement, Statement | DomainError]],
    said: Callable[[Statement], SafeString],
) -> None:
    """The messages of a bulk issue (``services.statements_issue``): each refusal with its
    statement's link, the first ``ISSUED_MESSAGES`` issued as ``said`` says them, and
    how many more were issued for how much."""
    issued = [result for _, result in outcomes if isinstance(result, Statement)]
    for statement, result in outcomes:
        if isinstance(result, DomainError):
            report(
                format_html("{}: {}", statement_link(statement), one_language(str(result))),
                messages.ERROR,
            )
    for statement in issued[:ISSUED_MESSAGES]:
        report(said(statement), messages.SUCCESS)
    rest = issued[ISSUED_MESSAGES:]
    if rest:
        total = sum((s.total_due for s in rest), start=Decimal("0"))
        report(
            _("%(count)s more issued, %(amount)s in all; their PDFs are made in the background.")
            % {"count": len(rest), "amount": money_text(total)},
            messages.SUCCESS,
        )


def _issue(statement: Statement, data: dict[str, Any], by: Any) -> Outcome:
    issued = services.statement_issue(statement=statement, issued_on=data["issued_on"], by=by)
    return Outcome(issued_text(issued))


def _payment(statement: Statement, data: dict[str, Any], by: Any) -> Outcome:
    notices_before = set(statement.penalty_notices.values_list("pk", flat=True))
    recorded = services.payment_record(
        statement=statement,
        amount=data["amount"],
        paid_on=data["paid_on"],
        reference=data["reference"],
        external_ref=data["external_ref"],
        by=by,
    )
    payment: Payment = recorded.payment
    if not recorded.created:
        paid_into = payment.statement
        return Outcome(
            _linked(
                _(
                    "This payment was already recorded: external reference %(ref)s, "
                    "%(amount)s paid on %(day)s on %(number)s. Nothing new was recorded."
                ),
                paid_into,
                ref=payment.external_ref,
                amount=money_text(payment.amount),
                day=day_text(payment.paid_on),
            ),
            url=reverse("admin:settlements_statement_change", args=[paid_into.pk]),
            level=messages.WARNING,
        )
    statement.refresh_from_db()
    outstanding = statement.total_due - selectors.amount_paid(statement)
    if outstanding <= 0:
        text = _linked(
            _("Recorded %(amount)s paid on %(day)s: %(number)s is paid in full."),
            statement,
            amount=money_text(payment.amount),
            day=day_text(payment.paid_on),
        )
    else:
        text = _linked(
            _(
                "Recorded %(amount)s paid on %(day)s on %(number)s; %(outstanding)s is still "
                "outstanding."
            ),
            statement,
            amount=money_text(payment.amount),
            day=day_text(payment.paid_on),
            outstanding=money_text(outstanding),
        )
    notices = statement.penalty_notices.exclude(pk__in=notices_before)
    for notice in notices:
        text = format_html(
            "{} {}",
            text,
            _linked(
                _("Penalty notice %(number)s issued for %(amount)s."),
                notice,
                amount=money_text(notice.total_due),
            ),
        )
    return Outcome(text)


def _reply(statement: Statement, data: dict[str, Any], by: Any) -> Outcome:
    replied = services.statement_reply(
        statement=statement, reply=data["reply"], replied_on=data["replied_on"], by=by
    )
    return Outcome(
        _linked(
            _(
                "Reply to the dispute on %(number)s saved, dated %(day)s: the brand sees it in "
                "its portal."
            ),
            replied,
            day=day_text(replied.replied_on),
        )
    )


def _dispute(statement: Statement, data: dict[str, Any], by: Any) -> Outcome:
    disputed = services.statement_dispute(
        statement=statement,
        comment=data["comment"],
        disputed_on=data["disputed_on"],
        attachments=data.get("attachments") or [],
        by=by,
    )
    return Outcome(
        _linked(
            _(
                "Recorded the brand's dispute of %(number)s, dated %(day)s: no payment is due "
                "while it is open. Reply by %(reply_by)s."
            ),
            disputed,
            day=day_text(disputed.disputed_on),
            reply_by=day_text(selectors.dispute_reply_by(disputed)),
        )
    )


def _withdrawal(statement: Statement, data: dict[str, Any], by: Any) -> Outcome:
    confirmed = services.statement_withdraw_dispute(
        statement=statement, withdrawn_on=data["withdrawn_on"], by=by
    )
    return Outcome(
        _linked(
            _(
                "Recorded the withdrawal of the dispute on %(number)s: confirmed on %(day)s, "
                "%(amount)s %(due)s."
            ),
            confirmed,
            day=day_text(confirmed.withdrawn_on),
            amount=money_text(confirmed.total_due),
            due=_due_text(confirmed),
        )
    )


def _drafted(corrected: Statement) -> SafeString:
    return _linked(
        _("Drafted the corrected version %(number)s, %(amount)s: check it, then issue it."),
        corrected,
        amount=money_text(corrected.total_due),
    )


def _void(statement: Statement, data: dict[str, Any], by: Any) -> Outcome:
    voided = services.statement_void(statement=statement, reason=data["reason"], by=by)
    text = _linked(
        _("Voided %(number)s (%(amount)s)."), voided, amount=money_text(voided.total_due)
    )
    if not data.get("and_correct"):
        return Outcome(text)
    corrected = services.statement_correct(statement=voided, by=by)
    return Outcome(
        format_html("{} {}", text, _drafted(corrected)),
        url=reverse("admin:settlements_statement_change", args=[corrected.pk]),
    )


def _correct(statement: Statement, data: dict[str, Any], by: Any) -> Outcome:
    corrected = services.statement_correct(statement=statement, by=by)
    return Outcome(
        _drafted(corrected),
        url=reverse("admin:settlements_statement_change", args=[corrected.pk]),
    )


@dataclass(frozen=True)
class ActionPage:
    """One action: its button on the statement's page, its form page and what it does."""

    name: str
    button: Any  # the button's label (lazy)
    title: Any  # the form page's title
    intro: Any  # what the action does, in a sentence or two
    submit: Any
    icon: str
    form: type[ActionForm]
    perform: Callable[[Statement, dict[str, Any], Any], Outcome]
    variant: str = "default"
    danger: bool = False


PAGES = {
    page.name: page
    for page in (
        ActionPage(
            ISSUE,
            gettext_lazy("Issue"),
            gettext_lazy("Issue the statement"),
            gettext_lazy(
                "Issuing freezes the lines, the parties and the bank account, sets the "
                "receipt deadline and the payment due date, renders the PDF and e-mails the "
                "brand. An issued statement is never edited: a correction voids it."
            ),
            gettext_lazy("Issue"),
            "send",
            IssueForm,
            _issue,
            variant="primary",
        ),
        ActionPage(
            PAYMENT,
            gettext_lazy("Record a payment"),
            gettext_lazy("Record a payment"),
            gettext_lazy(
                "Money received against this statement only. Refused above what is "
                "outstanding, in the future, or on a draft or void statement."
            ),
            gettext_lazy("Record the payment"),
            "payments",
            PaymentForm,
            _payment,
            variant="primary",
        ),
        ActionPage(
            REPLY,
            gettext_lazy("Reply to the dispute"),
            gettext_lazy("Reply to the dispute"),
            gettext_lazy(
                "The agency's answer to the brand's dispute. The first reply stops the "
                '"dispute unanswered" flag.'
            ),
            gettext_lazy("Save the reply"),
            "reply",
            ReplyForm,
            _reply,
            variant="primary",
        ),
        ActionPage(
            DISPUTE,
            gettext_lazy("Record the brand's dispute"),
            gettext_lazy("Record the brand's written dispute"),
            gettext_lazy(
                "For a dispute the brand sent in writing. No payment is due while a dispute "
                "is open; the agency replies within the working days the terms give."
            ),
            gettext_lazy("Record the dispute"),
            "report",
            DisputeForm,
            _dispute,
        ),
        ActionPage(
            WITHDRAWAL,
            gettext_lazy("Record the withdrawal"),
            gettext_lazy("Record the brand's withdrawal of its dispute"),
            gettext_lazy(
                "The brand withdrew its dispute in writing: the statement counts as "
                "confirmed on that day and payment falls due from it."
            ),
            gettext_lazy("Record the withdrawal"),
            "undo",
            WithdrawalForm,
            _withdrawal,
        ),
        ActionPage(
            VOID,
            gettext_lazy("Void the statement"),
            gettext_lazy("Void the statement"),
            gettext_lazy(
                "An issued statement is never edited: void it and issue the corrected "
                "version. No penalty runs on a void version."
            ),
            gettext_lazy("Void the statement"),
            "block",
            VoidForm,
            _void,
            danger=True,
        ),
        ActionPage(
            CORRECT,
            gettext_lazy("Make the corrected version"),
            gettext_lazy("Make the corrected version"),
            gettext_lazy(
                "Drafts the next version of this void statement with fresh figures and "
                "deadlines; payments made on this version move to it when it is issued."
            ),
            gettext_lazy("Draft the corrected version"),
            "content_copy",
            CorrectForm,
            _correct,
            variant="primary",
        ),
    )
}

# Said when a page is opened for a statement the action no longer applies to.
NOT_APPLICABLE = {
    ISSUE: gettext_lazy("%(number)s is not a draft: there is nothing to issue."),
    PAYMENT: gettext_lazy("%(number)s takes no payment now: it is %(status)s."),
    REPLY: gettext_lazy("%(number)s has no dispute waiting for a reply."),
    DISPUTE: gettext_lazy(
        "%(number)s is not waiting for the brand's answer: a dispute can no longer be recorded."
    ),
    WITHDRAWAL: gettext_lazy("%(number)s has no open dispute to withdraw."),
    VOID: gettext_lazy("%(number)s cannot be voided: it is %(status)s."),
    CORRECT: gettext_lazy("%(number)s needs no corrected version."),
}
# A service's refusal because of the statement's state, in the page's language.
STATE_REFUSED = gettext_lazy("Refused: %(number)s is %(status)s now.")


def not_applicable_text(name: str, statement: Statement) -> str:
    return str(NOT_APPLICABLE[name]) % {
        "number": statement.number,
        "status": statement.get_status_display(),
    }


def _in_words(problem: str, statement: Statement) -> str:
    """A service's refusal in the page's language; "more than the outstanding 11719.74"
    with the amount written as money."""
    outstanding = statement.total_due - selectors.amount_paid(statement)
    if problem == msg.OVERPAYMENT.format(outstanding=outstanding):
        return _("More than the outstanding %(amount)s.") % {"amount": money_text(outstanding)}
    return one_language(problem)


def refusal_to_form(form: forms.Form, error: DomainError, statement: Statement) -> None:
    """A service's refusal shown on the form, each message beside its field, in the
    page's language."""
    if isinstance(error, RuleViolation):
        for key, problems in error.errors.items():
            name = key if key in form.fields else None
            for problem in problems:
                form.add_error(name, _in_words(str(problem), statement))
        return
    if isinstance(error, InvalidStateError):
        statement.refresh_from_db()
        form.add_error(
            None,
            str(STATE_REFUSED)
            % {"number": statement.number, "status": statement.get_status_display()},
        )
        return
    form.add_error(None, one_language(str(error)))


def perform(page: ActionPage, statement: Statement, form: ActionForm, by: Any) -> Outcome | None:
    """Do the action through its service; None when refused (the refusal is on the form)."""
    try:
        with transaction.atomic():  # void and correct: both or neither
            return page.perform(statement, form.cleaned_data, by)
    except DomainError as error:
        refusal_to_form(form, error, statement)
        return None
