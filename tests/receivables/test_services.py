"""Balance confirmations: issue (snapshot, totals, number, PDF), confirm, dispute, once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from common.models import Event
from core.exceptions import InvalidStateError, RuleViolation
from core.messages import BRAND_FINANCE_ONLY, FUTURE_DATE, STAFF_ONLY
from receivables import messages as msg
from receivables import services
from receivables.models import BalanceConfirmation
from receivables.selectors import brand_receivables
from tests.receivables.conftest import TODAY

pytestmark = pytest.mark.django_db
D = Decimal


def issue(world, as_of=TODAY, by=None):
    return services.balance_confirmation_issue(brand=world.brand, as_of=as_of, by=by or world.staff)


def test_issue_snapshots_every_open_item_and_the_totals(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        confirmation = issue(world)
    found = brand_receivables(brand=world.brand, as_of=TODAY)
    assert confirmation.number == "BC-2026-000001"
    assert (confirmation.brand, confirmation.agency) == (world.brand, world.agency)
    assert confirmation.status == "issued" and confirmation.created_by == world.staff
    assert [item["statement"] for item in confirmation.items] == [
        r.statement.pk for r in found.items
    ]
    august = next(i for i in confirmation.items if i["statement"] == world.august.pk)
    assert august == {
        "statement": world.august.pk,
        "number": world.august.number,
        "kind": "monthly",
        "period": "2026-08",
        "payment_due_on": world.august.payment_due_on.isoformat(),
        "outstanding": "3570.00",
        "penalty": f"{found.items[1].penalty:.2f}",
        "days_past_due": (TODAY - world.august.payment_due_on).days,
        "bucket": "over_90",
    }
    # Disputed items count in the principal.
    assert confirmation.total_outstanding == D("10000.00") + D("3570.00") * 2
    assert confirmation.total_penalty == found.total_penalty > 0
    confirmation.refresh_from_db()
    assert confirmation.pdf.name.endswith(".pdf")
    event = Event.objects.get(action="balance_confirmation.issued")
    assert event.object_id == confirmation.pk and event.actor == world.staff
    assert issue(world).number == "BC-2026-000002"  # a new balance is a new confirmation


def test_a_past_day_is_fine_a_future_one_is_refused(world):
    earlier = issue(world, as_of=date(2026, 10, 1))
    assert {item["number"] for item in earlier.items} == {world.august.number}
    with pytest.raises(RuleViolation) as refused:
        issue(world, as_of=TODAY + timedelta(days=1))
    assert refused.value.errors == {"as_of": [FUTURE_DATE]}
    assert BalanceConfirmation.objects.count() == 1


def test_only_the_brands_agency_staff_issue(world, other):
    for user in (world.finance, world.viewer, other.staff):
        with pytest.raises(RuleViolation) as refused:
            issue(world, by=user)
        assert refused.value.errors == {"non_field_errors": [STAFF_ONLY]}
    with pytest.raises(RuleViolation) as refused:
        services.balance_confirmation_issue(brand=world.agency, as_of=TODAY, by=world.staff)
    assert refused.value.errors == {"brand": [msg.NOT_A_BRAND]}
    assert not BalanceConfirmation.objects.exists()


def test_the_brand_confirms_once(world):
    confirmation = issue(world)
    done = services.balance_confirmation_confirm(confirmation=confirmation, by=world.finance)
    assert (done.status, done.confirmed_on, done.answered_by) == ("confirmed", TODAY, world.finance)
    assert Event.objects.filter(action="balance_confirmation.confirmed").count() == 1
    for again in (
        lambda: services.balance_confirmation_confirm(confirmation=done, by=world.finance),
        lambda: services.balance_confirmation_dispute(
            confirmation=done, by=world.finance, comment="不对"
        ),
    ):
        with pytest.raises(InvalidStateError) as conflict:
            again()
        assert str(conflict.value) == msg.ALREADY_ANSWERED.format(status="confirmed")


def test_the_brand_disputes_with_a_comment_staff_may_record_it(world, other):
    confirmation = issue(world)
    with pytest.raises(RuleViolation) as refused:
        services.balance_confirmation_dispute(
            confirmation=confirmation, by=world.staff, comment=" "
        )
    assert refused.value.errors == {"comment": [msg.COMMENT_REQUIRED]}
    for outsider in (world.viewer, other.finance, other.staff):
        with pytest.raises(RuleViolation) as refused:
            services.balance_confirmation_dispute(
                confirmation=confirmation, by=outsider, comment="不对"
            )
        assert refused.value.errors == {"non_field_errors": [BRAND_FINANCE_ONLY]}
    done = services.balance_confirmation_dispute(
        confirmation=confirmation, by=world.staff, comment=" 九月对账单仍在异议中 "
    )
    assert (done.status, done.disputed_on, done.dispute_comment) == (
        "disputed",
        TODAY,
        "九月对账单仍在异议中",
    )
    with pytest.raises(InvalidStateError):
        services.balance_confirmation_confirm(confirmation=done, by=world.finance)
    # The items and totals issued are never edited.
    done.refresh_from_db()
    assert done.total_outstanding == confirmation.total_outstanding


def test_the_sweep_renders_a_pdf_a_broker_outage_left_out(world, settings):
    from django.utils import timezone

    from receivables import tasks

    confirmation = issue(world)  # its on-commit render never ran: no PDF
    assert not confirmation.pdf
    assert tasks.balance_confirmation_sweep_task() == []  # too recent to be stranded
    BalanceConfirmation.objects.filter(pk=confirmation.pk).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    assert tasks.balance_confirmation_sweep_task() == [confirmation.pk]
    confirmation.refresh_from_db()
    assert confirmation.pdf.name.endswith(".pdf")
    assert tasks.balance_confirmation_sweep_task() == []
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "receivables.tasks.balance_confirmation_sweep_task" in scheduled
