"""Breach notices in the staff admin: the list (cure clocks running with their days
left, cured, rights arisen), a "send notice" form (the add page), a "record cure" form
and the PDF download, both buttons on the notice's page.

Every write goes through ``obligations.breach``; a notice is a sent letter, so its page
is read-only once sent.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminDateWidget, UnfoldAdminTextareaWidget

from common import clock
from common.admin_helpers import ScopedAdminMixin, add_domain_error
from common.api.fields import id_value
from common.portal import date_text
from core.exceptions import DomainError
from obligations import breach, breach_selectors
from obligations.models import BreachNotice

FIELDS = ["agreement", "obligation", "by", "sent_on", "clause", "description"]
SENT_FIELDS = [
    "number",
    *FIELDS,
    "cure_days",
    "cure_by",
    "cured_on",
    "cure_note",
    "right_text",
    "created_by",
    "created_at",
]


class BreachStateFilter(admin.SimpleListFilter):
    """Open cure clocks, cured notices, and notices whose sender holds a right today."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("open", _("Cure clock running")),
            ("cured", _("Cured")),
            ("right", _("Termination right held today")),
        ]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "open":
            return queryset.filter(cured_on__isnull=True)
        if self.value() == "cured":
            return queryset.filter(cured_on__isnull=False)
        if self.value() == "right":
            today = clock.today()
            held = [
                notice.pk
                for notice in queryset.filter(cure_by__lt=today).select_related("agreement")
                if (right := breach_selectors.termination_right(notice, today=today))
                and right.holds_today
            ]
            return queryset.filter(pk__in=held)
        return queryset


class CureForm(forms.Form):
    cured_on = forms.DateField(label=_("cured on"), widget=UnfoldAdminDateWidget)
    note = forms.CharField(
        label=_("cure note"),
        required=False,
        max_length=4000,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text=_("What was done to cure the breach, and how it was shown."),
    )


@admin.register(BreachNotice)
class BreachNoticeAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "number",
        "agreement",
        "by",
        "sent_on",
        "cure_by",
        "clock",
        "cured_on",
        "right_text",
    ]
    list_filter = [BreachStateFilter, "by", "agreement"]
    search_fields = ["number", "description", "clause", "agreement__number"]
    list_select_related = ["agreement"]
    actions_detail = ["record_cure", "download_pdf"]
    ordering = ["-sent_on", "-pk"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return SENT_FIELDS if obj is not None else FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return SENT_FIELDS if obj is not None else []

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "sent_on" in form.base_fields:
            form.base_fields["sent_on"].initial = clock.today
        return form

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("by", "agency")
        return initial

    @display(description=_("cure clock"))
    def clock(self, notice: BreachNotice) -> str:
        if notice.cured_on is not None:
            return gettext("Cured")
        left = breach_selectors.days_left(notice, today=clock.today())
        if left < 0:
            return gettext("Past the deadline")
        return gettext("%(days)s days left") % {"days": left}

    @display(description=_("termination right"))
    def right_text(self, notice: BreachNotice) -> str:
        right = breach_selectors.termination_right(notice, today=clock.today())
        if right is None:
            return "—"
        holder = gettext("Agency") if right.held_by == "agency" else gettext("Brand")
        if right.holds_today:
            return gettext("%(side)s may terminate since %(day)s") % {
                "side": holder,
                "day": date_text(right.first),
            }
        return gettext("Lapsed (held %(first)s to %(last)s)") % {
            "first": date_text(right.first),
            "last": date_text(right.last),
        }

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return  # a sent notice is a letter: nothing on it changes but its cure
        values = form.cleaned_data
        notice = self.service(
            breach.breach_notice_send,
            agreement=values["agreement"],
            obligation=values.get("obligation"),
            by=values["by"],
            sent_on=values["sent_on"],
            clause=values.get("clause") or "",
            description=values["description"],
            user=request.user,
        )
        obj.pk = notice.pk
        obj.number = notice.number
        obj.cure_by = notice.cure_by
        obj._state.adding = False

    # --- the notice's buttons -----------------------------------------------------------

    def _notice(self, request: HttpRequest, object_id: Any) -> BreachNotice:
        pk = id_value(object_id)
        notice = self.get_queryset(request).filter(pk=pk).first() if pk else None
        if notice is None:
            raise Http404
        return notice

    @action(description=_("Record cure"), url_path="cure", icon="task_alt", permissions=["change"])
    def record_cure(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        """GET: the cure form; POST: record it (a refusal is shown beside its field)."""
        notice = self._notice(request, object_id)
        change_url = reverse("admin:obligations_breachnotice_change", args=[notice.pk])
        if notice.cured_on is not None:
            self.message_user(
                request,
                gettext("This breach was already cured on %(day)s.")
                % {"day": date_text(notice.cured_on)},
                messages.WARNING,
            )
            return redirect(change_url)
        form = CureForm(request.POST or None, initial={"cured_on": clock.today()})
        if request.method == "POST" and form.is_valid():
            try:
                breach.breach_notice_cure(
                    notice=notice,
                    cured_on=form.cleaned_data["cured_on"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                self.message_user(
                    request,
                    gettext("%(number)s: the breach is recorded as cured on %(day)s.")
                    % {"number": notice.number, "day": date_text(form.cleaned_data["cured_on"])},
                    messages.SUCCESS,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": notice,
            "title": gettext("Record the cure of %(number)s") % {"number": notice.number},
            "notice": notice,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/obligations/breachnotice/cure.html", context)

    @action(description=_("Download PDF"), url_path="pdf", icon="download")
    def download_pdf(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        notice = self._notice(request, object_id)
        if not notice.pdf or not notice.pdf.storage.exists(notice.pdf.name):
            self.message_user(
                request,
                gettext("The PDF is still being rendered: try again shortly."),
                messages.WARNING,
            )
            return redirect(reverse("admin:obligations_breachnotice_change", args=[notice.pk]))
        return FileResponse(
            notice.pdf.open("rb"), content_type="application/pdf", filename=f"{notice.number}.pdf"
        )
