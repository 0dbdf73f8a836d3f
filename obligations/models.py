"""Obligations besides money: meetings, reports, trainings, approvals, and breach notices.

An agreement's template creates its obligations on activation (``templates.py``); a
recurring one is an ``ObligationSeries`` whose dated ``Obligation`` rows (one per month or
quarter) are made up to the agreement's end, extended by a renewal and cut by a
termination. An approval is an obligation of kind "approval": the side that owes it
approves or rejects what the other side requested. A breach notice starts a cure clock;
if the breach is not cured by ``cure_by`` the other side holds a termination right.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    AGENCY = "agency", _("Agency")
    BRAND = "brand", _("Brand")


class ObligationKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    REPORT = "report", _("Report")
    TRAINING = "training", _("Training")
    APPROVAL = "approval", _("Approval")
    OTHER = "other", _("Other")


class Schedule(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class ObligationSeries(models.Model):
    """A recurring obligation: one ``Obligation`` per month or quarter of the agreement."""

    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.CASCADE,
        related_name="obligation_series",
        verbose_name=_("agreement"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ObligationKind.choices)
    owed_by = models.CharField(_("owed by"), max_length=10, choices=Side.choices)
    clause = models.CharField(_("clause"), max_length=60, blank=True)
    schedule = models.CharField(_("schedule"), max_length=10, choices=Schedule.choices)
    # Which day of the month or quarter each occurrence falls due: the period's last day
    # unless a day of the month is given (moved to the period's last day if it has fewer).
    due_day = models.PositiveSmallIntegerField(_("due day of the month"), null=True, blank=True)
    remind_days = models.PositiveSmallIntegerField(_("remind days before"), default=3)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    template_key = models.CharField(_("template"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["agreement", "title"]
        verbose_name = _("recurring obligation")
        verbose_name_plural = _("recurring obligations")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "template_key"],
                condition=~models.Q(template_key=""),
                name="one_series_per_template_key",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Obligation(models.Model):
    """One dated obligation of one side of an agreement."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        WAIVED = "waived", _("Waived")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.CASCADE,
        related_name="obligations",
        verbose_name=_("agreement"),
    )
    series = models.ForeignKey(
        ObligationSeries,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("recurring obligation"),
    )
    # "2026-09" for a monthly occurrence, "2026-Q3" for a quarterly one, "" otherwise.
    period = models.CharField(_("period"), max_length=7, blank=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ObligationKind.choices)
    owed_by = models.CharField(_("owed by"), max_length=10, choices=Side.choices)
    clause = models.CharField(_("clause"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("due on"))
    remind_days = models.PositiveSmallIntegerField(_("remind days before"), default=3)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # done / approved / rejected: when and by whom, with a note (minutes, a comment).
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    note = models.TextField(_("note"), blank=True)
    # missed: dated on the due date by the daily job; waived: with a reason.
    missed_on = models.DateField(_("missed on"), null=True, blank=True)
    waived_on = models.DateField(_("waived on"), null=True, blank=True)
    waive_reason = models.TextField(_("waive reason"), blank=True)
    # An approval: which side asked, and the promotion it approves (if any).
    requested_by = models.CharField(
        _("requested by"), max_length=10, choices=Side.choices, blank=True
    )
    promotion = models.ForeignKey(
        "kpis.Promotion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approvals",
        verbose_name=_("promotion"),
    )
    template_key = models.CharField(_("template"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            # A recurring schedule never has two obligations in one period.
            models.UniqueConstraint(
                fields=["series", "period"],
                condition=models.Q(series__isnull=False),
                name="one_obligation_per_series_period",
            ),
            models.UniqueConstraint(
                fields=["agreement", "template_key"],
                condition=~models.Q(template_key="") & models.Q(series__isnull=True),
                name="one_obligation_per_template_key",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on})"


class ObligationFile(models.Model):
    """Evidence of an obligation (minutes, a report), or a document of an approval request."""

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="files", verbose_name=_("obligation")
    )
    file = models.FileField(_("file"), upload_to="obligations/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("obligation file")
        verbose_name_plural = _("obligation files")

    def __str__(self) -> str:
        return self.name


class BreachNotice(models.Model):
    """A written breach notice from one side; the other must cure it by ``cure_by``."""

    agreement = models.ForeignKey(
        "contracts.Agreement",
        on_delete=models.PROTECT,
        related_name="breach_notices",
        verbose_name=_("agreement"),
    )
    obligation = models.ForeignKey(
        Obligation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="breach_notices",
        verbose_name=_("obligation"),
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    by = models.CharField(_("sent by"), max_length=10, choices=Side.choices)
    sent_on = models.DateField(_("sent on"))
    clause = models.CharField(_("clause"), max_length=60, blank=True)
    description = models.TextField(_("description"))
    cure_days = models.PositiveSmallIntegerField(_("cure period (calendar days)"))
    cure_by = models.DateField(_("cure by"))
    cured_on = models.DateField(_("cured on"), null=True, blank=True)
    cure_note = models.TextField(_("cure note"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="breach_notices/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("breach notice")
        verbose_name_plural = _("breach notices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cure_by__gte=models.F("sent_on")),
                name="breach_cure_by_after_sent",
            )
        ]

    def __str__(self) -> str:
        return self.number
