"""Job runs in the admin: month-end runs and daily runs, records of what happened.

A month-end run's page lists the statements it made (number, agreement, brand, total,
status, each linked) and the agreements that failed with their error; its counts link to
those lists. From the page or the list, staff issue the drafts a run made or run a month
again, and each statement or month gets its own message, linked. A daily run's page says
what each rule did in words, its records linked, and lists the rows that failed. Every
list is cut to the viewer's agency.
"""

from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.forms import ActionForm
from unfold.widgets import INPUT_CLASSES

from common import clock
from common.admin_helpers import ACTION_BAR_INPUT
from common.event_types import event_label
from common.i18n import one_language
from common.scoping import scoped
from common.templatetags.portal import money_text
from contracts.models import Agreement
from contracts.selectors import agreements_in_scope
from core.exceptions import DomainError
from settlements import selectors, services
from settlements.models import DailyRun, Statement, StatementRun, StatementRunItem


class JobRunAdmin(ModelAdmin):
    """A job's runs are records of what happened: read, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def statement_link(statement: Statement) -> str:
    url = reverse("admin:settlements_statement_change", args=[statement.pk])
    return format_html('<a class="whitespace-nowrap" href="{}">{}</a>', url, statement.number)


def agreement_link(agreement: Agreement) -> str:
    url = reverse("admin:contracts_agreement_change", args=[agreement.pk])
    return format_html('<a class="whitespace-nowrap" href="{}">{}</a>', url, agreement.number)


def _date_or_today(value: str) -> Any:
    """The day typed in the action bar (empty: today); None if it is not a date."""
    if not value:
        return clock.today()
    try:
        return forms.DateField().clean(value)
    except forms.ValidationError:
        return None


# --- month-end runs ----------------------------------------------------------------------

ROWS_SHOWN = 200  # rows of each table on a run's page; the counts and links cover the rest


class RunActionForm(ActionForm):
    issued_on = forms.DateField(
        label=_("Issue date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **ACTION_BAR_INPUT}),
    )


@admin.register(StatementRun)
class StatementRunAdmin(JobRunAdmin):
    list_display = ["period", "status", "progress", "outcome", "created_by", "created_at"]
    list_display_links = ["period"]
    list_filter = ["status", "period"]
    actions = ["issue_drafts", "run_again"]
    action_form = RunActionForm
    change_list_template = "admin/settlements/statementrun/change_list.html"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def get_queryset(self, request):
        return selectors.statement_runs_visible(super().get_queryset(request), request.user)

    def _items(self, request, run: StatementRun) -> Any:
        """The run's items the viewer may see (a run can span several agencies)."""
        return (
            run.items.filter(agreement__in=agreements_in_scope(request.user))
            .select_related("agreement__brand", "statement")
            .order_by("agreement__number")
        )

    # --- the list ------------------------------------------------------------------------

    @admin.display(description=_("Progress"))
    def progress(self, obj):
        return format_html(
            '<progress max="100" value="{}"></progress> {}%', obj.percent_done, obj.percent_done
        )

    @admin.display(description=_("Outcome"))
    def outcome(self, obj):
        url = reverse("admin:settlements_statementrun_change", args=[obj.pk])
        made = obj.done
        parts = [
            format_html(
                '<a href="{}#made">{}</a>',
                url,
                ngettext("%(n)s statement made", "%(n)s statements made", made) % {"n": made},
            )
        ]
        if obj.failed:
            parts.append(
                format_html(
                    '<a href="{}#failed" style="color:#cf222e">{}</a>',
                    url,
                    gettext("%(n)s failed") % {"n": obj.failed},
                )
            )
        return format_html_join(gettext(", "), "{}", ((part,) for part in parts))

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "generate_url": reverse("admin:settlements_statement_generate"),
        }
        return super().changelist_view(request, extra_context)

    # --- the run's page -------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/issue/",
                wrap(self.issue_view),
                name="settlements_statementrun_issue",
            ),
            path(
                "<int:pk>/again/",
                wrap(self.again_view),
                name="settlements_statementrun_again",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The run: its counts, the statements it made and what failed, each linked."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = self.get_object(request, object_id)
        if run is None:  # outside the user's scope: as if it did not exist
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        items = self._items(request, run)
        Issue = StatementRunItem.Issue
        counts = items.aggregate(
            made=Count("pk", filter=Q(statement__isnull=False)),
            failed=Count("pk", filter=Q(status=StatementRunItem.Status.FAILED)),
            pending=Count("pk", filter=Q(status=StatementRunItem.Status.PENDING)),
            drafts=Count("pk", filter=Q(statement__status=Statement.Status.DRAFT)),
            waiting=Count("pk", filter=Q(issue=Issue.PENDING)),
            issued=Count("pk", filter=Q(issue=Issue.ISSUED)),
            refused=Count("pk", filter=Q(issue=Issue.REFUSED)),
        )
        # A run of thousands of agreements: the page lists the first rows of each table
        # and links to the full lists; the counts are over all of them.
        made = list(items.filter(statement__isnull=False)[:ROWS_SHOWN])
        failed = list(items.filter(status=StatementRunItem.Status.FAILED)[:ROWS_SHOWN])
        refused = list(items.filter(issue=Issue.REFUSED)[:ROWS_SHOWN])
        waiting, issued, n_refused = counts["waiting"], counts["issued"], counts["refused"]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Month-end run %(period)s") % {"period": run.period},
            "opts": self.opts,
            "original": run,
            "run": run,
            "made": [
                {
                    "statement": item.statement,
                    "agreement": item.agreement,
                    "total": money_text(item.statement.total_due),
                }
                for item in made
            ],
            "made_more": counts["made"] - len(made),
            "failed": [
                {"agreement": item.agreement, "error": one_language(item.error)} for item in failed
            ],
            "failed_more": counts["failed"] - len(failed),
            "pending": counts["pending"],
            "drafts": 0 if waiting else counts["drafts"],
            "made_text": ngettext("%(n)s statement made", "%(n)s statements made", counts["made"])
            % {"n": counts["made"]},
            "failed_text": gettext("%(n)s failed") % {"n": counts["failed"]},
            "statements_url": reverse("admin:settlements_statement_changelist")
            + f"?period={run.period}",
            "finished": run.status in (StatementRun.Status.DONE, StatementRun.Status.FAILED),
            "today": clock.today(),
            "issue": {
                "asked": bool(run.issue_started_at),
                "waiting": waiting,
                "issued": issued,
                "refused_count": n_refused,
                "refused": [
                    {"item": item, "error": one_language(item.issue_error)} for item in refused
                ],
                "refused_more": n_refused - len(refused),
                "percent": (issued + n_refused) * 100 // max(1, waiting + issued + n_refused),
            },
        }
        return TemplateResponse(request, "admin/settlements/statementrun/run.html", context)

    def _posted_run(self, request, pk) -> StatementRun:
        if request.method != "POST":
            raise Http404
        run = self.get_object(request, str(pk))
        if run is None:
            raise Http404
        return run

    def issue_view(self, request, pk):
        """Issue the drafts the run made (dated as given, else today), one message each."""
        run = self._posted_run(request, pk)
        issued_on = _date_or_today(request.POST.get("issued_on", ""))
        if issued_on is None:
            self.message_user(
                request, gettext("Give the issue date as YYYY-MM-DD."), messages.ERROR
            )
        else:
            self._issue(request, [run], issued_on)
        return redirect(reverse("admin:settlements_statementrun_change", args=[run.pk]))

    def again_view(self, request, pk):
        """Run the month again: only what is missing is made."""
        run = self._posted_run(request, pk)
        new = self._again(request, [run])
        target = new[0] if new else run
        return redirect(reverse("admin:settlements_statementrun_change", args=[target.pk]))

    # --- what the buttons and the list actions do -------------------------------------------

    def _issue(self, request, runs, issued_on) -> None:
        """Hand each run's drafts to the workers; the run's page shows the progress."""
        for run in runs:
            url = reverse("admin:settlements_statementrun_change", args=[run.pk])
            link = format_html(
                '<a href="{}">{}</a>',
                url,
                gettext("Month-end run %(period)s") % {"period": run.period},
            )
            queued = services.statement_run_issue_start(
                run=run, by=request.user, issued_on=issued_on
            )
            if queued:
                text = ngettext(
                    "issuing %(n)s draft dated %(day)s in the background; the run's page "
                    "shows how far it got.",
                    "issuing %(n)s drafts dated %(day)s in the background; the run's page "
                    "shows how far it got.",
                    queued,
                ) % {"n": queued, "day": issued_on}
                self.message_user(request, format_html("{}: {}", link, text), messages.SUCCESS)
            elif run.items.filter(issue=StatementRunItem.Issue.PENDING).exists():
                text = gettext("its drafts are already being issued.")
                self.message_user(request, format_html("{}: {}", link, text), messages.INFO)
            else:
                text = gettext("no draft to issue.")
                self.message_user(request, format_html("{}: {}", link, text), messages.WARNING)

    def _again(self, request, runs) -> list[StatementRun]:
        started = []
        for period, agreement in sorted({(run.period, run.agreement) for run in runs}, key=str):
            try:
                new = services.statement_run_start(
                    period=period, by=request.user, agreement=agreement
                )
            except DomainError as error:
                self.message_user(request, f"{period}: {one_language(str(error))}", messages.ERROR)
                continue
            started.append(new)
            url = reverse("admin:settlements_statementrun_change", args=[new.pk])
            self.message_user(
                request,
                format_html(
                    '<a href="{}">{}</a>: {}',
                    url,
                    gettext("Month-end run %(period)s") % {"period": period},
                    ngettext(
                        "started again for %(n)s agreement; only what is missing is made.",
                        "started again for %(n)s agreements; only what is missing is made.",
                        new.total,
                    )
                    % {"n": new.total},
                ),
                messages.SUCCESS,
            )
        return started

    @admin.action(description=_("Issue the drafts these runs made (date above, empty = today)"))
    def issue_drafts(self, request, queryset):
        issued_on = _date_or_today(request.POST.get("issued_on", ""))
        if issued_on is None:
            self.message_user(
                request, gettext("Give the issue date as YYYY-MM-DD."), messages.ERROR
            )
            return
        self._issue(request, list(queryset), issued_on)

    @admin.action(description=_("Run these months again (adds only what is missing)"))
    def run_again(self, request, queryset):
        self._again(request, list(queryset))


# --- daily runs ------------------------------------------------------------------------------


class DailyRunForm(forms.Form):
    until = forms.DateField(
        label=_("Up to"),
        widget=forms.DateInput(
            attrs={"type": "date", "class": " ".join(INPUT_CLASSES)}, format="%Y-%m-%d"
        ),
        help_text=_("Today or an earlier day."),
    )


RULE_LABELS = {
    "renewed": _("Agreements renewed"),
    "expired": _("Agreements expired"),
    "end_bills": _("End-of-term bills issued"),
    "deemed_confirmed": _("Statements confirmed by silence"),
    "penalty_notices": _("Penalty notices issued"),
    "flags": _("Flags first seen"),
    "reminders": _("E-mails sent"),
}
STEP_LABELS = {
    "renewals": _("Renewals and expiries"),
    "end_bills": _("End-of-term bills"),
    "deemed_confirmations": _("Confirmations by silence"),
    "penalty_notices": _("Penalty notices"),
    "flags": _("Flags"),
    "reminders": _("Reminders"),
}
REMINDER_LABELS = {
    "issued": _("new statement"),
    "receipt": _("receipt reminder"),
    "payment": _("payment reminder"),
    "overdue": _("overdue notice"),
}
# Which records a rule's names are: agreements or statements (flags and reminders say).
AGREEMENT_RULES = {"renewed", "expired"}


class _Links:
    """Links to the agreements and statements a run names, those the viewer may see."""

    def __init__(self, user: Any, summary: dict[str, Any], errors: list[dict[str, Any]]) -> None:
        names = {name for part in summary.values() for name in part["items"]}
        names |= {str(error["object"]) for error in errors}
        numbers = {name.split(":", 1)[1] if name.count(":") == 1 else name for name in names}
        flag_ids = [name.split(":") for name in names if name.count(":") == 3]
        agreements = agreements_in_scope(user)
        statements = scoped(Statement.objects.all(), user, "agreement__brand")
        self.agreements = {
            **{a.number: a for a in agreements.filter(number__in=numbers)},
            **{
                str(a.pk): a
                for a in agreements.filter(pk__in=[ids[1] for ids in flag_ids if ids[1].isdigit()])
            },
        }
        self.statements = {
            **{s.number: s for s in statements.filter(number__in=numbers)},
            **{
                str(s.pk): s
                for s in statements.filter(pk__in=[ids[2] for ids in flag_ids if ids[2].isdigit()])
            },
        }

    def record(self, name: str) -> str:
        if name in self.statements:
            return statement_link(self.statements[name])
        if name in self.agreements:
            return agreement_link(self.agreements[name])
        return name

    def item(self, rule: str, name: str) -> str:
        """One record of a rule in words: a link, a flag or a reminder with its record."""
        if rule == "flags" and name.count(":") == 3:
            flag, agreement_id, statement_id, period = name.split(":")
            parts = [event_label(f"flag.{flag}")]
            if agreement_id in self.agreements:
                parts.append(agreement_link(self.agreements[agreement_id]))
            if statement_id in self.statements:
                parts.append(statement_link(self.statements[statement_id]))
            if period and period != "None":
                parts.append(period)
            return format_html_join(" · ", "{}", ((part,) for part in parts))
        if rule == "reminders" and name.count(":") == 1:
            kind, number = name.split(":", 1)
            return format_html("{} {}", REMINDER_LABELS.get(kind, kind), self.record(number))
        return self.record(name)


@admin.register(DailyRun)
class DailyRunAdmin(JobRunAdmin):
    """The daily job's runs and what each did; staff may run it up to a day."""

    list_display = ["until", "status", "trigger", "made", "failures", "created_by", "finished_at"]
    list_filter = ["status", "trigger"]
    date_hierarchy = "until"
    fields = [
        "until",
        "status",
        "trigger",
        "created_by",
        "started_at",
        "finished_at",
        "summary_table",
        "failure_list",
    ]
    readonly_fields = fields
    change_list_template = "admin/settlements/dailyrun/change_list.html"

    # The columns need the viewer (staff see their own agency's part of each run); the
    # admin instance is shared between threads, so the request travels in a ContextVar.
    _viewer: ContextVar = ContextVar("daily_run_viewer")

    def _visible(self, obj):
        return selectors.daily_run_visible_part(obj, self._viewer.get())

    @admin.display(description=_("Records made"))
    def made(self, obj):
        return sum(part["count"] for part in self._visible(obj)[0].values())

    @admin.display(description=_("Failures"))
    def failures(self, obj):
        count = len(self._visible(obj)[1])
        if not count:
            return "0"
        return format_html('<b style="color:#cf222e">{}</b>', count)

    @admin.display(description=_("What it did"))
    def summary_table(self, obj):
        summary, errors = self._visible(obj)
        if not summary:
            return "—"
        links = _Links(self._viewer.get(), summary, errors)
        rows = []
        for rule, part in summary.items():
            shown = part["items"][:20]
            more = part["count"] - len(shown)
            named = [links.item(rule, name) for name in shown]
            if more > 0:
                named.append(gettext("and %(n)s more") % {"n": more})
            if rule in ("flags", "reminders") and named:  # a sentence each: one a line
                items = format_html(
                    '<ul class="admin-list">{}</ul>',
                    format_html_join("", "<li>{}</li>", ((item,) for item in named)),
                )
            else:
                items = format_html_join(gettext(", "), "{}", ((item,) for item in named))
            rows.append((RULE_LABELS.get(rule, rule), part["count"], items or "—"))
        return format_html(
            '<table class="admin-table" id="daily-run-summary"><thead><tr><th>{}</th>'
            '<th class="num">{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>',
            gettext("Rule"),
            gettext("Records"),
            gettext("Which"),
            format_html_join(
                "",
                '<tr><td class="whitespace-nowrap">{}</td><td class="num">{}</td><td>{}</td></tr>',
                rows,
            ),
        )

    @admin.display(description=_("Failed rows"))
    def failure_list(self, obj):
        summary, errors = self._visible(obj)
        if not errors:
            return "—"
        links = _Links(self._viewer.get(), summary, errors)
        return format_html(
            '<table class="admin-table" id="daily-run-failures"><thead><tr><th>{}</th>'
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("Step"),
            gettext("Record"),
            gettext("Error"),
            format_html_join(
                "",
                '<tr><td class="whitespace-nowrap">{}</td><td>{}</td><td>{}</td></tr>',
                (
                    (
                        STEP_LABELS.get(e["step"], e["step"]),
                        links.record(str(e["object"])) if e["object"] else "—",
                        one_language(e["error"]),
                    )
                    for e in errors
                ),
            ),
        )

    def changelist_view(self, request, extra_context=None):
        self._viewer.set(request.user)
        extra_context = {
            **(extra_context or {}),
            "run_url": reverse("admin:settlements_dailyrun_run"),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._viewer.set(request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "run/",
                self.admin_site.admin_view(self.run_view),
                name="settlements_dailyrun_run",
            ),
            *super().get_urls(),
        ]

    def run_view(self, request):
        """Run the daily job up to a day (today by default): a button, then the run."""
        if not self.has_view_permission(request):
            raise Http404
        form = DailyRunForm(request.POST or None, initial={"until": clock.today()})
        if request.method == "POST" and form.is_valid():
            try:
                run = services.daily_run_start(
                    until=form.cleaned_data["until"],
                    by=request.user,
                    trigger=DailyRun.Trigger.ADMIN,
                )
            except DomainError as error:
                for field, problems in getattr(error, "errors", {"until": [str(error)]}).items():
                    for problem in problems:
                        form.add_error(
                            field if field in form.fields else None, one_language(problem)
                        )
            else:
                self.message_user(
                    request, gettext("The daily job is running up to %(day)s.") % {"day": run.until}
                )
                return redirect(reverse("admin:settlements_dailyrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run the daily job"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/settlements/dailyrun/run.html", context)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.is_agency_side

    def has_module_permission(self, request):
        return self.has_view_permission(request)
