"""Job runs in the admin: month-end runs and daily runs, read-only records."""

from contextvars import ContextVar

from django import forms
from django.contrib import admin
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.widgets import INPUT_CLASSES

from common import clock
from core.exceptions import DomainError
from settlements import selectors, services
from settlements.models import (
    DailyRun,
    StatementRun,
)


class JobRunAdmin(ModelAdmin):
    """A job's runs are records of what happened: read, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatementRun)
class StatementRunAdmin(JobRunAdmin):
    list_display = [
        "period",
        "status",
        "progress",
        "total",
        "done",
        "failed",
        "created",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "period"]
    readonly_fields = [
        "period",
        "agreement",
        "status",
        "progress",
        "total",
        "done",
        "failed",
        "created",
        "errors",
        "created_by",
        "created_at",
        "finished_at",
    ]

    @admin.display(description=_("progress 进度"))
    def progress(self, obj):
        return format_html(
            '<progress max="100" value="{}"></progress> {}%', obj.percent_done, obj.percent_done
        )

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def get_queryset(self, request):
        return selectors.statement_runs_visible(super().get_queryset(request), request.user)


class DailyRunForm(forms.Form):
    until = forms.DateField(
        label=_("Up to 截至"),
        widget=forms.DateInput(
            attrs={"type": "date", "class": " ".join(INPUT_CLASSES)}, format="%Y-%m-%d"
        ),
        help_text=_("Today or an earlier day. 今天或更早的日期。"),
    )


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

    @admin.display(description=_("records made 新增记录"))
    def made(self, obj):
        return sum(part["count"] for part in self._visible(obj)[0].values())

    @admin.display(description=_("failures 失败"))
    def failures(self, obj):
        return len(self._visible(obj)[1])

    @admin.display(description=_("what it did 执行结果"))
    def summary_table(self, obj):
        summary = self._visible(obj)[0]
        if not summary:
            return "—"
        return format_html(
            '<table class="admin-table"><tbody>{}</tbody></table>',
            format_html_join(
                "",
                "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
                (
                    (RULE_LABELS.get(rule, rule), part["count"], ", ".join(part["items"][:20]))
                    for rule, part in summary.items()
                ),
            ),
        )

    @admin.display(description=_("failed rows 失败的记录"))
    def failure_list(self, obj):
        errors = self._visible(obj)[1]
        if not errors:
            return "—"
        return format_html(
            '<ul class="admin-list">{}</ul>',
            format_html_join(
                "", "<li>{} {}: {}</li>", ((e["step"], e["object"], e["error"]) for e in errors)
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
                        form.add_error(field if field in form.fields else None, problem)
            else:
                self.message_user(
                    request, _("The daily job is running up to %(day)s.") % {"day": run.until}
                )
                return redirect(reverse("admin:settlements_dailyrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run the daily job 运行每日任务"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/settlements/dailyrun/run.html", context)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and request.user.is_agency_side

    def has_module_permission(self, request):
        return self.has_view_permission(request)


RULE_LABELS = {
    "renewed": _("renewed 续期"),
    "expired": _("expired 到期"),
    "end_bills": _("end-of-term bills 期末账单"),
    "deemed_confirmed": _("deemed confirmed 视为确认"),
    "penalty_notices": _("penalty notices 违约金通知"),
    "flags": _("flags first seen 新提示"),
    "reminders": _("reminders sent 提醒"),
}
