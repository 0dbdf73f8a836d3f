"""Obligations and approvals: the writes (see docs/obligations.md for the rules).

- ``obligations_on_activation`` (an activation hook of ``contracts``) creates the
  template's obligations of the agreement's kind, once (``template_key``).
- ``obligations_sync`` brings every recurring obligation and every dated one that falls
  due from the agreement's end up to the agreement's current last day
  (``effective_ends_on``): a renewal adds the missing periods, a termination removes the
  open ones of periods starting after it. It is called on activation, after a renewal or
  a termination (an event listener) and by the daily job, so the records depend only on
  the data, never on when it ran.
- ``obligation_create`` / ``obligation_update``: staff add their own and edit open ones.
- ``obligation_complete`` / ``obligation_waive``: done with evidence, or waived.
- ``approval_request`` / ``approval_decide``: one side asks, the other approves or
  rejects; an approved promotion plan exempts its sales from the minimum price.
- ``obligations_mark_missed``: the daily job, dated on the due date.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.roles import is_brand_finance_for, is_staff_for
from common import clock
from common.events import event_record
from common.jobs import RowGuard
from contracts.models import Agreement
from core.exceptions import InvalidStateError, RuleViolation
from kpis.models import Promotion
from kpis.services import promotion_sales_recheck
from obligations import messages as msg
from obligations import notifications, schedules, templates
from obligations.models import (
    Obligation,
    ObligationFile,
    ObligationKind,
    ObligationSeries,
    Schedule,
    Side,
)

Status = Obligation.Status
# Statuses the job and the sync may still change: nothing done, approved or waived moves.
LIVE = (Status.OPEN, Status.MISSED)
# Files of evidence or of a request.
FILES_MAX = 5
FILE_MAX_BYTES = 10 * 1024 * 1024
FILE_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "webp", "xlsx", "xls", "csv", "txt", "docx", "pptx")
# An approval asked without a date is due this many days later.
APPROVAL_DAYS = 7
EDITABLE = ("title", "description", "clause", "due_on", "remind_days", "schedule", "due_day")


# --- who may do what --------------------------------------------------------------------


def side_of(user: Any, agreement: Agreement) -> str:
    """The side ``user`` acts for on ``agreement``: "agency" (staff), "brand" (its
    finance user), or "" (anyone else, a brand viewer included)."""
    if is_staff_for(user, agreement):
        return Side.AGENCY
    if is_brand_finance_for(user, agreement):
        return Side.BRAND
    return ""


def may_complete(user: Any, obligation: Obligation) -> bool:
    """The side that owes it; staff also record what the brand did."""
    side = side_of(user, obligation.agreement)
    return side == Side.AGENCY or (side == Side.BRAND and obligation.owed_by == Side.BRAND)


def may_waive(user: Any, obligation: Obligation) -> bool:
    """The side it is owed to; staff also record the brand's waiver."""
    side = side_of(user, obligation.agreement)
    return side == Side.AGENCY or (side == Side.BRAND and obligation.owed_by == Side.AGENCY)


def may_decide(user: Any, obligation: Obligation) -> bool:
    """The side asked: brand finance for the brand (or staff recording its answer),
    staff for the agency."""
    side = side_of(user, obligation.agreement)
    return side == Side.AGENCY or (side == Side.BRAND and obligation.owed_by == Side.BRAND)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise RuleViolation({"non_field_errors": [message]})


def _require_live(obligation: Obligation) -> None:
    if obligation.status not in LIVE:
        raise InvalidStateError(
            msg.NOT_OPEN_OR_MISSED.format(status=obligation.get_status_display())
        )


def _not_future(day: date, field: str) -> None:
    if day > clock.today():
        raise RuleViolation({field: [msg.FUTURE_DATE]})


def files_check(files: Sequence[Any], field: str = "files") -> None:
    """At most ``FILES_MAX`` files of the usual document types, none empty or too big."""
    if len(files) > FILES_MAX:
        raise RuleViolation({field: [msg.FILES_TOO_MANY.format(max=FILES_MAX)]})
    problems = []
    for upload in files:
        name = getattr(upload, "name", "") or ""
        if name.rsplit(".", 1)[-1].lower() not in FILE_EXTENSIONS or "." not in name:
            problems.append(msg.FILE_TYPE.format(name=name, allowed=", ".join(FILE_EXTENSIONS)))
        elif not upload.size:
            problems.append(msg.FILE_EMPTY.format(name=name))
        elif upload.size > FILE_MAX_BYTES:
            problems.append(msg.FILE_TOO_LARGE.format(name=name, max_mb=FILE_MAX_BYTES // 2**20))
    if problems:
        raise RuleViolation({field: problems})


def _files_keep(obligation: Obligation, files: Sequence[Any], by: Any) -> list[str]:
    names = []
    for upload in files:
        name = upload.name.rsplit("/", 1)[-1][:200]
        ObligationFile.objects.create(
            obligation=obligation,
            file=upload,
            name=name,
            content_type=(getattr(upload, "content_type", "") or "")[:100],
            size=upload.size,
            uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        names.append(name)
    return names


def _record(action: str, obligation: Obligation, by: Any, message: str = "", **detail: Any) -> None:
    event_record(
        action=action,
        obj=obligation,
        actor=by,
        agreement=obligation.agreement,
        message=message,
        detail={"title": obligation.title, "due_on": obligation.due_on.isoformat(), **detail},
    )


# --- the template and the schedules -------------------------------------------------------


def _dated_due(template: templates.Template, agreement: Agreement) -> date:
    end: date = agreement.effective_ends_on
    if template.due == templates.DUE_END_PLUS_YEARS:
        years = agreement.confidentiality_years or templates.CONFIDENTIALITY_YEARS
        return schedules.years_after(end, max(years, templates.CONFIDENTIALITY_YEARS))
    return end


def _bound(template: templates.Template, agreement: Agreement) -> bool:
    """Whether the agreement binds the template's side (confidentiality names who)."""
    if template.due != templates.DUE_END_PLUS_YEARS:
        return True
    party = agreement.confidentiality_party
    return party == "both" or party == template.owed_by


def obligations_on_activation(*, agreement: Agreement, by: Any = None) -> list[str]:
    """The activation hook: the kind's template obligations, then their dates."""
    made = obligation_templates_apply(agreement=agreement, by=by)
    obligations_sync(agreement=agreement, by=by)
    return made


@transaction.atomic
def obligation_templates_apply(*, agreement: Agreement, by: Any = None) -> list[str]:
    """Create what the kind's template binds the sides to; what exists is kept (once per
    ``template_key``). Returns the keys created."""
    made = []
    for template in templates.templates_for(agreement.kind):
        if not _bound(template, agreement):
            continue
        common = {
            "agreement": agreement,
            "title": template.title,
            "kind": template.kind,
            "owed_by": template.owed_by,
            "clause": template.clause,
            "remind_days": template.remind_days,
            "template_key": template.key,
        }
        if template.schedule:
            if ObligationSeries.objects.filter(
                agreement=agreement, template_key=template.key
            ).exists():
                continue
            series = ObligationSeries.objects.create(
                **common,
                schedule=template.schedule,
                due_day=template.due_day,
                starts_on=agreement.starts_on,
                ends_on=agreement.effective_ends_on,
            )
            event_record(
                action="obligation.scheduled",
                obj=series,
                actor=by,
                agreement=agreement,
                detail={"title": series.title, "schedule": series.schedule},
            )
        else:
            if Obligation.objects.filter(
                agreement=agreement, template_key=template.key, series__isnull=True
            ).exists():
                continue
            obligation = Obligation.objects.create(
                **common,
                description=template.description,
                due_on=_dated_due(template, agreement),
            )
            _record("obligation.created", obligation, by, template=template.key)
        made.append(template.key)
    return made


@dataclass(frozen=True)
class SyncResult:
    created: list[str]
    removed: list[str]


def _series_sync(series: ObligationSeries, end: date, by: Any) -> SyncResult:
    """Bring one series' obligations to its schedule from its start to ``end``."""
    series.ends_on = end
    series.save(update_fields=["ends_on"])
    wanted = (
        schedules.occurrences(
            schedule=series.schedule,
            due_day=series.due_day,
            starts_on=series.starts_on,
            ends_on=end,
        )
        if end >= series.starts_on
        else []
    )
    existing = {o.period: o for o in series.obligations.all()}
    live = {period: o.due_on for period, o in existing.items() if o.status in LIVE}
    done = {period: o.due_on for period, o in existing.items() if o.status not in LIVE}
    plan = schedules.schedule_sync(stored={**done, **live}, wanted=wanted)
    created, removed = [], []
    template = templates.template_by_key(series.template_key)
    description = template.description if template else ""
    for item in plan.create:
        obligation = Obligation.objects.create(
            agreement=series.agreement,
            series=series,
            period=item.period,
            title=series.title,
            kind=series.kind,
            owed_by=series.owed_by,
            clause=series.clause,
            description=description,
            due_on=item.due_on,
            remind_days=series.remind_days,
            template_key=series.template_key,
        )
        created.append(item.period)
    for item in plan.move:
        obligation = existing[item.period]
        if obligation.status not in LIVE:
            continue  # what was done stays as it was done
        obligation.due_on = item.due_on
        if obligation.status == Status.MISSED:
            obligation.missed_on = item.due_on
        obligation.save(update_fields=["due_on", "missed_on", "updated_at"])
    for period in plan.remove:
        obligation = existing[period]
        if obligation.status in LIVE and not obligation.files.exists():
            _record("obligation.removed", obligation, by, period=period)
            obligation.delete()
            removed.append(period)
    if created:
        event_record(
            action="obligation.scheduled",
            obj=series,
            actor=by,
            agreement=series.agreement,
            detail={"title": series.title, "periods": created, "ends_on": end.isoformat()},
        )
    return SyncResult(created=created, removed=removed)


@transaction.atomic
def obligations_sync(*, agreement: Agreement, by: Any = None) -> SyncResult:
    """Every schedule of ``agreement`` up to its current last day, and the open dated
    obligations that fall due from its end moved with it."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    created: list[str] = []
    removed: list[str] = []
    for series in agreement.obligation_series.select_for_update().order_by("pk"):
        result = _series_sync(series, agreement.effective_ends_on, by)
        created += [f"{series.pk}:{p}" for p in result.created]
        removed += [f"{series.pk}:{p}" for p in result.removed]
    dated = agreement.obligations.filter(series__isnull=True, status__in=LIVE).exclude(
        template_key=""
    )
    for obligation in dated:
        template = templates.template_by_key(obligation.template_key)
        if template is None or not template.due:
            continue
        due = _dated_due(template, agreement)
        if obligation.due_on != due:
            obligation.due_on = due
            if obligation.status == Status.MISSED:
                obligation.missed_on = due
            obligation.save(update_fields=["due_on", "missed_on", "updated_at"])
    return SyncResult(created=created, removed=removed)


def obligations_sync_on_event(event: Any) -> None:
    """After a renewal or termination commits: the schedules follow the new end."""
    agreement = Agreement.objects.filter(pk=event.agreement_id).first()
    if agreement is not None:
        obligations_sync(agreement=agreement)


# --- staff's own, and edits ----------------------------------------------------------------


def _within_agreement(agreement: Agreement, day: date, field: str, message: str) -> None:
    end = agreement.effective_ends_on
    if not agreement.starts_on <= day <= end:
        raise RuleViolation({field: [message.format(day=day, start=agreement.starts_on, end=end)]})


def _schedule_check(schedule: str, due_day: int | None) -> None:
    if schedule not in Schedule.values:
        raise RuleViolation({"schedule": [msg.UNKNOWN_SCHEDULE]})
    if due_day is not None and not 1 <= due_day <= 31:
        raise RuleViolation({"due_day": [msg.BAD_DUE_DAY]})


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleViolation({field: [msg.REQUIRED]})
    return value


@transaction.atomic
def obligation_create(
    *,
    agreement: Agreement,
    by: Any,
    title: str,
    kind: str,
    owed_by: str,
    clause: str = "",
    description: str = "",
    due_on: date | None = None,
    schedule: str = "",
    due_day: int | None = None,
    starts_on: date | None = None,
    remind_days: int = 3,
) -> Obligation:
    """Staff add an obligation: one-off (``due_on``) or recurring (``schedule``, from
    ``starts_on``, default the agreement's first day, to the agreement's end). Returns
    the obligation, or a recurring one's first occurrence."""
    _require(is_staff_for(by, agreement), msg.STAFF_ONLY)
    if agreement.status == Agreement.Status.DRAFT:
        raise InvalidStateError(msg.AGREEMENT_NOT_RUNNING)
    title = _text(title, "title")
    if kind not in ObligationKind.values:
        raise RuleViolation({"kind": [msg.REQUIRED]})
    if owed_by not in Side.values:
        raise RuleViolation({"owed_by": [msg.REQUIRED]})
    if (due_on is None) == (not schedule):
        raise RuleViolation({"due_on": [msg.DUE_OR_SCHEDULE]})
    common = {
        "agreement": agreement,
        "title": title,
        "kind": kind,
        "owed_by": owed_by,
        "clause": clause.strip(),
        "remind_days": remind_days,
    }
    if due_on is not None:
        obligation = Obligation.objects.create(
            **common, description=description.strip(), due_on=due_on, created_by=by
        )
        _record("obligation.created", obligation, by)
        return obligation
    _schedule_check(schedule, due_day)
    starts_on = starts_on or agreement.starts_on
    _within_agreement(agreement, starts_on, "starts_on", msg.STARTS_OUTSIDE_AGREEMENT)
    series = ObligationSeries.objects.create(
        **common,
        schedule=schedule,
        due_day=due_day,
        starts_on=starts_on,
        ends_on=agreement.effective_ends_on,
    )
    _series_sync(series, agreement.effective_ends_on, by)
    if description.strip():
        series.obligations.update(description=description.strip())
    first = series.obligations.order_by("due_on").first()
    assert first is not None  # starts_on lies inside the agreement: one period at least
    return first


@transaction.atomic
def obligation_update(*, obligation: Obligation, by: Any, fields: dict[str, Any]) -> Obligation:
    """Staff edit an open obligation (title, description, clause, due date, reminder
    days); a recurring one's schedule and due day are its series', and its due date
    follows them."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    _require(is_staff_for(by, obligation.agreement), msg.STAFF_ONLY)
    if obligation.status != Status.OPEN:
        raise InvalidStateError(msg.NOT_OPEN.format(status=obligation.get_status_display()))
    fields = {k: v for k, v in fields.items() if k in EDITABLE}
    series = obligation.series
    if series is None and ({"schedule", "due_day"} & set(fields)):
        raise RuleViolation({"schedule": [msg.NOT_RECURRING]})
    if series is not None and "due_on" in fields:
        raise RuleViolation({"due_on": [msg.SERIES_DUE_ON]})
    if "title" in fields:
        fields["title"] = _text(fields["title"], "title")
    if "due_on" in fields and fields["due_on"] is None:
        raise RuleViolation({"due_on": [msg.REQUIRED]})
    for name in ("title", "description", "clause", "due_on", "remind_days"):
        if name in fields:
            setattr(obligation, name, fields[name])
    obligation.save()
    if series is not None and ({"schedule", "due_day", "title", "remind_days"} & set(fields)):
        schedule = fields.get("schedule", series.schedule)
        due_day = fields.get("due_day", series.due_day)
        _schedule_check(schedule, due_day)
        series.schedule, series.due_day = schedule, due_day
        for name in ("title", "remind_days"):
            if name in fields:
                setattr(series, name, fields[name])
                series.obligations.filter(status=Status.OPEN).update(**{name: fields[name]})
        series.save()
        _series_sync(series, obligation.agreement.effective_ends_on, by)
    _record("obligation.changed", obligation, by, fields=sorted(fields))
    return Obligation.objects.filter(pk=obligation.pk).first() or obligation


# --- status changes ------------------------------------------------------------------------


@transaction.atomic
def obligation_complete(
    *,
    obligation: Obligation,
    by: Any,
    note: str = "",
    files: Sequence[Any] = (),
    completed_on: date | None = None,
) -> Obligation:
    """Record an obligation done, with evidence (a note, minutes, files): who and when.

    The side that owes it records it; staff may on the brand's behalf. A missed one may
    still be done late (its date shows it)."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    _require(may_complete(by, obligation), msg.OWING_SIDE_ONLY)
    if obligation.kind == ObligationKind.APPROVAL:
        raise InvalidStateError(msg.IS_AN_APPROVAL)
    _require_live(obligation)
    note = (note or "").strip()
    if not note and not files:
        raise RuleViolation({"note": [msg.EVIDENCE_REQUIRED]})
    files_check(files)
    completed_on = completed_on or clock.today()
    _not_future(completed_on, "completed_on")
    obligation.status = Status.DONE
    obligation.completed_on = completed_on
    obligation.completed_by = by if getattr(by, "is_authenticated", False) else None
    obligation.note = note
    obligation.save()
    names = _files_keep(obligation, files, by)
    _record(
        "obligation.done",
        obligation,
        by,
        message=note,
        completed_on=completed_on.isoformat(),
        files=names,
    )
    return obligation


@transaction.atomic
def obligation_waive(*, obligation: Obligation, by: Any, reason: str) -> Obligation:
    """The side it is owed to (or staff) lets it go, with a reason."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    _require(may_waive(by, obligation), msg.OWED_SIDE_ONLY)
    _require_live(obligation)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation({"reason": [msg.REASON_REQUIRED]})
    obligation.status = Status.WAIVED
    obligation.waived_on = clock.today()
    obligation.waive_reason = reason
    obligation.save()
    _record("obligation.waived", obligation, by, message=reason)
    return obligation


# --- approvals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionPlan:
    code: str
    name: str
    starts_on: date
    ends_on: date
    price_floor: Decimal | None = None


def _promotion_pending(agreement: Agreement, plan: PromotionPlan) -> Promotion:
    if plan.ends_on < plan.starts_on:
        raise RuleViolation({"promotion_ends_on": [msg.PROMOTION_DATES]})
    if plan.starts_on < agreement.starts_on or plan.ends_on > agreement.effective_ends_on:
        raise RuleViolation({"promotion_starts_on": [msg.PROMOTION_OUTSIDE_AGREEMENT]})
    if plan.price_floor is not None and plan.price_floor < 0:
        raise RuleViolation({"price_floor": [msg.PRICE_FLOOR_NEGATIVE]})
    code = _text(plan.code, "promotion_code")
    promotion = Promotion.objects.select_for_update().filter(agreement=agreement, code=code).first()
    if promotion is not None and promotion.status == Promotion.Status.APPROVED:
        raise RuleViolation({"promotion_code": [msg.PROMOTION_APPROVED.format(code=code)]})
    values = {
        "name": (plan.name or "").strip() or code,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "price_floor": plan.price_floor,
        "status": Promotion.Status.PENDING,
        "approved_by_brand_on": None,
    }
    if promotion is None:
        return Promotion.objects.create(agreement=agreement, code=code, **values)
    for name, value in values.items():
        setattr(promotion, name, value)
    promotion.save()
    promotion_sales_recheck(promotion=promotion)  # pending again: its sales are flagged
    return promotion


@transaction.atomic
def approval_request(
    *,
    agreement: Agreement,
    by: Any,
    title: str = "",
    subject: str = "",
    description: str = "",
    due_on: date | None = None,
    files: Sequence[Any] = (),
    promotion: PromotionPlan | None = None,
) -> Obligation:
    """One side asks the other to approve something (a promotion plan with its code,
    dates and price floor; a budget; publishing construction work), with documents.

    The other side owes the answer by ``due_on`` (default in ``APPROVAL_DAYS``); a
    promotion plan makes (or resubmits) a pending promotion, whose sales stay flagged
    below the minimum price until the plan is approved."""
    side = side_of(by, agreement) if by is not None else Side.AGENCY
    _require(bool(side), msg.REQUESTING_ROLE)
    if agreement.status == Agreement.Status.DRAFT:
        raise InvalidStateError(msg.AGREEMENT_NOT_RUNNING)
    known = templates.approval_subject(subject) if subject else None
    title = (title or "").strip() or (known.title if known else "")
    title = _text(title, "title")
    files_check(files)
    today = clock.today()
    if due_on is not None and due_on < today:
        raise RuleViolation({"due_on": [msg.ANSWER_BY_PAST]})
    due_on = due_on or today + timedelta(days=APPROVAL_DAYS)
    linked = _promotion_pending(agreement, promotion) if promotion is not None else None
    obligation = Obligation.objects.create(
        agreement=agreement,
        title=title,
        kind=ObligationKind.APPROVAL,
        owed_by=Side.BRAND if side == Side.AGENCY else Side.AGENCY,
        requested_by=side,
        clause=known.clause if known else "",
        description=(description or "").strip(),
        due_on=due_on,
        promotion=linked,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    names = _files_keep(obligation, files, by)
    transaction.on_commit(lambda: notifications.approval_requested_notify(obligation=obligation))
    _record(
        "approval.requested",
        obligation,
        by,
        message=obligation.description,
        subject=subject,
        promotion=linked.code if linked else "",
        files=names,
    )
    return obligation


@transaction.atomic
def approval_decide(
    *, obligation: Obligation, by: Any, approve: bool, comment: str = ""
) -> Obligation:
    """The side asked approves or rejects, with a comment (required to reject).

    Approving a promotion plan approves the promotion (dated today) and its sales within
    its dates and down to its floor are no longer flagged; rejecting leaves them flagged."""
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if obligation.kind != ObligationKind.APPROVAL:
        raise InvalidStateError(msg.NOT_AN_APPROVAL)
    _require(may_decide(by, obligation), msg.DECIDING_SIDE_ONLY)
    _require_live(obligation)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise RuleViolation({"comment": [msg.COMMENT_REQUIRED]})
    today = clock.today()
    obligation.status = Status.APPROVED if approve else Status.REJECTED
    obligation.completed_on = today
    obligation.completed_by = by if getattr(by, "is_authenticated", False) else None
    obligation.note = comment
    obligation.save()
    rechecked = 0
    promotion = obligation.promotion
    if promotion is not None:
        promotion.status = Promotion.Status.APPROVED if approve else Promotion.Status.REJECTED
        promotion.approved_by_brand_on = today if approve else None
        promotion.save(update_fields=["status", "approved_by_brand_on"])
        rechecked = promotion_sales_recheck(promotion=promotion)
    _record(
        "approval.approved" if approve else "approval.rejected",
        obligation,
        by,
        message=comment,
        promotion=promotion.code if promotion else "",
        sales_rechecked=rechecked,
    )
    if approve:
        _follow_up(obligation, today, by)
    return obligation


def _follow_up(approval: Obligation, today: date, by: Any) -> None:
    """What the requester owes once approved (spending receipted after it is agreed)."""
    subject = next(
        (
            s
            for s in templates.approval_subjects_for(approval.agreement.kind)
            if s.follow_up and s.title == approval.title
        ),
        None,
    )
    if subject is None:
        return
    follow = Obligation.objects.create(
        agreement=approval.agreement,
        title=subject.follow_up,
        kind=ObligationKind.REPORT,
        owed_by=approval.requested_by or Side.AGENCY,
        clause=subject.clause,
        description=approval.title,
        due_on=today + timedelta(days=subject.follow_up_days),
    )
    _record("obligation.created", follow, by, approval=approval.pk)


# --- the daily job ----------------------------------------------------------------------


def obligations_daily(*, until: date, guard: RowGuard | None = None) -> dict[str, list[str]]:
    """The daily job's step: every agreement's schedules up to its current end, then the
    obligations missed as of ``until``."""
    guard = guard or RowGuard("obligations", strict=True)
    scheduled = Agreement.objects.exclude(status=Agreement.Status.DRAFT).filter(
        obligation_series__isnull=False
    )
    for agreement in scheduled.distinct().order_by("pk"):
        with guard.row(agreement.number):
            obligations_sync(agreement=agreement)
    return {"obligations_missed": obligations_mark_missed(until=until, guard=guard)}


def obligation_label(obligation: Obligation) -> str:
    """How the daily run's summary names an obligation: ``<id>:<agreement number>``."""
    return f"obligation-{obligation.pk}:{obligation.agreement.number}"


def obligations_mark_missed(*, until: date, guard: RowGuard | None = None) -> list[str]:
    """Every open obligation due before ``until`` becomes missed, dated on its due date;
    a duty that lasts until its date (confidentiality) is kept instead. Idempotent."""
    guard = guard or RowGuard("obligations", strict=True)
    marked: list[str] = []
    due = Obligation.objects.filter(status=Status.OPEN, due_on__lt=until).select_related(
        "agreement"
    )
    for obligation in due.order_by("due_on", "pk"):
        label = obligation_label(obligation)
        with guard.row(label):
            with transaction.atomic():
                fresh = Obligation.objects.select_for_update().get(pk=obligation.pk)
                if fresh.status != Status.OPEN:
                    continue  # a concurrent run got there first
                if fresh.template_key in templates.LASTING_KEYS:
                    fresh.status = Status.DONE
                    fresh.completed_on = fresh.due_on
                    fresh.save(update_fields=["status", "completed_on", "updated_at"])
                    _record("obligation.kept", fresh, None)
                    continue
                fresh.status = Status.MISSED
                fresh.missed_on = fresh.due_on
                fresh.save(update_fields=["status", "missed_on", "updated_at"])
                _record("obligation.missed", fresh, None, missed_on=fresh.due_on.isoformat())
            marked.append(label)
    return marked


__all__ = [
    "PromotionPlan",
    "approval_decide",
    "approval_request",
    "obligation_complete",
    "obligation_create",
    "obligation_update",
    "obligation_waive",
    "obligations_daily",
    "obligations_mark_missed",
    "obligations_on_activation",
    "obligations_sync",
]
