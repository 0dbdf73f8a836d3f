"""The brand portal's obligations pages: what the brand owes (open, due soon, missed),
what waits for its approval, what the agency owes and has done, and the files.

Brand finance approves or rejects (with a comment) and records done what the brand owes;
a viewer reads. Everything goes through ``obligations.services``, as in the admin and
the API; another brand's obligation answers 404.
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from common import clock
from common.portal import BrandPortalMixin, forbidden
from core.exceptions import DomainError, RuleViolation
from obligations import services
from obligations.models import Obligation, Side

# "Due soon": within this many days.
SOON_DAYS = 14
# The agency's obligations shown: those due within this many days, and the latest done.
AGENCY_AHEAD_DAYS = 60
DONE_ROWS = 20
LIVE = (Obligation.Status.OPEN, Obligation.Status.MISSED)
VIEWERS_CANNOT_ACT = gettext_lazy(
    "Your account can read obligations but not act on them. Please ask a finance user of "
    "your company."
)


def visible_obligations(view: BrandPortalMixin) -> QuerySet[Obligation]:
    return view.scoped(
        Obligation.objects.select_related("agreement", "promotion", "completed_by"),
        "agreement__brand",
    ).prefetch_related("files")


class ObligationsView(BrandPortalMixin, TemplateView):
    template_name = "portal/obligations.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = clock.today()
        rows = visible_obligations(self)
        approvals = rows.filter(kind="approval", owed_by=Side.BRAND)
        owed = rows.filter(owed_by=Side.BRAND).exclude(kind="approval")
        agency = rows.filter(owed_by=Side.AGENCY).exclude(kind="approval")
        context.update(
            {
                "today": today,
                "soon": today + timedelta(days=SOON_DAYS),
                "waiting": list(approvals.filter(status__in=LIVE).order_by("due_on", "pk")),
                "decided": list(
                    approvals.exclude(status__in=LIVE).order_by("-completed_on", "-pk")[:DONE_ROWS]
                ),
                "missed": list(owed.filter(status=Obligation.Status.MISSED).order_by("due_on")),
                "open": list(
                    owed.filter(
                        status=Obligation.Status.OPEN,
                        due_on__lte=today + timedelta(days=AGENCY_AHEAD_DAYS),
                    ).order_by("due_on", "pk")
                ),
                "owed_done": list(
                    owed.filter(status=Obligation.Status.DONE).order_by("-completed_on")[:DONE_ROWS]
                ),
                "agency_open": list(
                    agency.filter(
                        status__in=LIVE, due_on__lte=today + timedelta(days=AGENCY_AHEAD_DAYS)
                    ).order_by("due_on", "pk")
                ),
                "agency_done": list(
                    agency.filter(status=Obligation.Status.DONE).order_by("-completed_on", "-pk")[
                        :DONE_ROWS
                    ]
                ),
                "requested": list(
                    rows.filter(kind="approval", requested_by=Side.BRAND).order_by(
                        "-created_at", "-pk"
                    )[:DONE_ROWS]
                ),
                "has_any": rows.exists(),
            }
        )
        return context


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        help_text=gettext_lazy("Required to reject: say what should change."),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What was done"),
        help_text=gettext_lazy("Minutes, a summary, who took part."),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    file = forms.FileField(
        label=gettext_lazy("Evidence file (optional)"),
        help_text=gettext_lazy("PDF, image, spreadsheet or document, 10 MB at most."),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("note") or "").strip() and not data.get("file"):
            raise ValidationError(_("Write what was done or attach a file."))
        return data


class ObligationActionView(BrandPortalMixin, TemplateView):
    """GET shows the step with its form, POST acts (finance only; viewers see 403)."""

    template_name = "portal/obligation_action.html"
    action = ""
    form_class: type[forms.Form] = DecisionForm

    def _obligation(self) -> Obligation:
        return get_object_or_404(visible_obligations(self), pk=self.kwargs["pk"])

    def _refused(self, request: HttpRequest, obligation: Obligation) -> HttpResponse | None:
        if not self.allowed(obligation):
            return forbidden(request, str(VIEWERS_CANNOT_ACT))
        return None

    def allowed(self, obligation: Obligation) -> bool:
        return services.may_decide(self.portal_user, obligation)

    def applies(self, obligation: Obligation) -> bool:
        return obligation.kind == "approval" and obligation.status in LIVE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obligation = self._obligation()
        refused = self._refused(request, obligation)
        if refused is not None:
            return refused
        if not self.applies(obligation):
            messages.info(request, _("This obligation is no longer waiting for that."))
            return redirect("portal:obligations")
        return self.render_to_response(
            self.get_context_data(obligation=obligation, form=self.form_class())
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obligation = self._obligation()
        refused = self._refused(request, obligation)
        if refused is not None:
            return refused
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(obligation=obligation, form=form))
        try:
            self.perform(obligation, form.cleaned_data)
        except RuleViolation as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            return self.render_to_response(self.get_context_data(obligation=obligation, form=form))
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, self.done_message(obligation))
        return redirect("portal:obligations")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["action"] = self.action
        return context

    def perform(self, obligation: Obligation, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def done_message(self, obligation: Obligation) -> str:
        raise NotImplementedError


class ApproveView(ObligationActionView):
    action = "approve"

    def perform(self, obligation: Obligation, data: dict[str, Any]) -> None:
        services.approval_decide(
            obligation=obligation, by=self.portal_user, approve=True, comment=data["comment"]
        )

    def done_message(self, obligation: Obligation) -> str:
        return _("You approved “%(title)s”.") % {"title": obligation.title}


class RejectView(ObligationActionView):
    action = "reject"

    def perform(self, obligation: Obligation, data: dict[str, Any]) -> None:
        services.approval_decide(
            obligation=obligation, by=self.portal_user, approve=False, comment=data["comment"]
        )

    def done_message(self, obligation: Obligation) -> str:
        return _("You rejected “%(title)s”; the agency reads your comment.") % {
            "title": obligation.title
        }


class CompleteView(ObligationActionView):
    action = "complete"
    form_class = CompleteForm

    def allowed(self, obligation: Obligation) -> bool:
        return services.may_complete(self.portal_user, obligation)

    def applies(self, obligation: Obligation) -> bool:
        return obligation.kind != "approval" and obligation.status in LIVE

    def perform(self, obligation: Obligation, data: dict[str, Any]) -> None:
        services.obligation_complete(
            obligation=obligation,
            by=self.portal_user,
            note=data.get("note") or "",
            files=[data["file"]] if data.get("file") else [],
        )

    def done_message(self, obligation: Obligation) -> str:
        return _("“%(title)s” is recorded as done.") % {"title": obligation.title}


class ObligationFileView(BrandPortalMixin, TemplateView):
    """An evidence or request file, for the brand's users (else 404)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obligation = get_object_or_404(visible_obligations(self), pk=kwargs["pk"])
        item = obligation.files.filter(pk=kwargs["file_id"]).first()
        if item is None or not item.file.storage.exists(item.file.name):
            raise Http404
        return FileResponse(
            item.file.open("rb"),
            as_attachment=True,
            filename=item.name,
            content_type=item.content_type or "application/octet-stream",
        )
