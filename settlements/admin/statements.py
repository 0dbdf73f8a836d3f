"""Statements in the admin: the list, the page, its inlines and actions."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import ActionForm

from common import clock
from common.admin_helpers import (
    ACTION_BAR_INPUT,
    PeriodFieldFilter,
    ScopedAdminMixin,
    ScopedInlineMixin,
)
from common.models import Event
from contracts.models import Agreement
from core.exceptions import DomainError
from core.periods import Period
from settlements import selectors, services
from settlements.documents import statement_pdf_bytes
from settlements.models import (
    DisputeAttachment,
    Payment,
    Statement,
    StatementLine,
)


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue 逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Payment overdue 付款逾期")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = Q(
            payment_due_on__lt=clock.today(),
            status__in=Statement.OPEN_STATUSES,
        ) & ~Q(payment_status=Statement.PaymentStatus.PAID)
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class DisputeUnansweredFilter(admin.SimpleListFilter):
    """Disputes the agency has not answered within its reply window (as of today)."""

    title = _("dispute unanswered 异议未回复")
    parameter_name = "dispute_unanswered"

    def lookups(self, request, model_admin):
        return [("yes", _("Past the reply deadline 已超回复期限"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        disputed = queryset.filter(disputed_on__isnull=False)
        agreements = Agreement.objects.filter(pk__in=disputed.values("agreement"))
        flagged = {
            flag.statement.pk
            for flag in selectors.flags_as_of(as_of=clock.today(), agreements=agreements)
            if flag.name == "dispute_unanswered" and flag.statement is not None
        }
        return queryset.filter(pk__in=flagged)


class DisputeAttachmentInline(ScopedInlineMixin, TabularInline):
    model = DisputeAttachment
    brand_path = "statement__agreement__brand"
    extra = 0
    can_delete = False
    fields = ["download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    verbose_name_plural = _("dispute attachments 异议附件")

    @admin.display(description=_("file 文件"))
    def download(self, obj):
        url = reverse("admin:settlements_statement_attachment", args=[obj.statement_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.name)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatementLineInline(ScopedInlineMixin, TabularInline):
    model = StatementLine
    extra = 0
    can_delete = False
    fields = ["position", "kind", "description", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentInline(ScopedInlineMixin, TabularInline):
    model = Payment
    fk_name = "statement"
    extra = 0
    can_delete = False
    fields = [
        "paid_on",
        "amount",
        "reference",
        "external_ref",
        "moved_from",
        "recorded_by",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatementActionForm(ActionForm):
    on = forms.DateField(
        label=_("date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **ACTION_BAR_INPUT}),
    )
    amount = forms.DecimalField(
        label=_("amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", **ACTION_BAR_INPUT}),
    )
    text = forms.CharField(
        label=_("reason / reference"),
        required=False,
        widget=forms.TextInput(attrs=ACTION_BAR_INPUT),
    )


def _action_values(request):
    fields = StatementActionForm.base_fields
    values = {}
    for name in ("on", "amount", "text"):
        try:
            values[name] = fields[name].clean(request.POST.get(name))
        except ValidationError:
            values[name] = None
    return values


@admin.register(Statement)
class StatementAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "number",
        "agreement",
        "kind",
        "period",
        "review_status",
        "payment_status",
        "total_due",
        "issued_on",
        "payment_due_on",
        "overdue",
        "pdf_link",
    ]
    list_filter = [
        PeriodFieldFilter,
        "status",
        "payment_status",
        "kind",
        OverdueFilter,
        DisputeUnansweredFilter,
        "agreement__brand",
        "agreement__kind",
    ]
    search_fields = ["number", "agreement__number", "agreement__brand__name"]
    list_select_related = ["agreement"]
    date_hierarchy = "issued_on"
    inlines = [StatementLineInline, PaymentInline, DisputeAttachmentInline]
    actions = [
        "issue_selected",
        "record_payment",
        "record_dispute",
        "record_withdrawal",
        "void_selected",
        "correct_selected",
        "reply_to_dispute",
    ]
    action_form = StatementActionForm
    change_form_template = "admin/settlements/statement/change_form.html"
    change_list_template = "admin/settlements/statement/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # Statements change only through their actions; an issued one never in place.
        return [f.name for f in Statement._meta.fields] + ["history", "penalty_today"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status 状态"), ordering="status")
    def review_status(self, obj):
        """The status as the daily job leaves it: past its receipt deadline an issued
        statement is confirmed by silence on the deadline, even before the job records it."""
        silent_on = selectors.confirmed_by_silence_on(obj, today=clock.today())
        if silent_on is not None:
            return format_html(
                "{} <small>({})</small>",
                _("Confirmed 已确认"),
                _("by silence on %(day)s 逾期未回复视为确认") % {"day": silent_on.isoformat()},
            )
        return obj.get_status_display()

    @admin.display(description=_("overdue 逾期"), boolean=True)
    def overdue(self, obj):
        return bool(
            obj.is_open
            and obj.payment_due_on
            and obj.payment_due_on < clock.today()
            and obj.payment_status != Statement.PaymentStatus.PAID
        )

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        if obj.status == Statement.Status.DRAFT:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:settlements_statement_pdf", args=[obj.pk]),
                _("preview 预览"),
            )
        if obj.pdf:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("admin:settlements_statement_pdf", args=[obj.pk]),
                _("download 下载"),
            )
        return _("rendering… 生成中")

    @admin.display(description=_("penalty today 今日违约金"))
    def penalty_today(self, obj):
        state = services.statement_penalty(statement=obj, as_of=clock.today())
        return format_html(
            "¥{} · {} {} · {} ¥{}{}",
            state.penalty,
            state.days_overdue,
            _("days overdue 天逾期"),
            _("outstanding 未付"),
            state.outstanding,
            format_html(" · <b style='color:#cf222e'>{}</b>", _("termination right 解约权"))
            if state.termination_right
            else "",
        )

    @admin.display(description=_("history 历史"))
    def history(self, obj):
        events = Event.objects.filter(object_type="statement", object_id=obj.pk).select_related(
            "actor"
        )
        return format_html(
            '<table class="admin-table">{}</table>',
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((f"{e.at:%Y-%m-%d %H:%M}", e.action, e.actor_label, e.message) for e in events),
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="settlements_statement_pdf",
            ),
            path(
                "generate/",
                self.admin_site.admin_view(self.generate_view),
                name="settlements_statement_generate",
            ),
            path(
                "<int:pk>/attachments/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="settlements_statement_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request, pk, attachment_id):
        """A dispute's attachment, for staff who may see the statement (else 404)."""
        statement = get_object_or_404(self.get_queryset(request), pk=pk)
        attachment = get_object_or_404(statement.dispute_attachments, pk=attachment_id)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type or "application/octet-stream",
        )

    def pdf_view(self, request, pk):
        statement = get_object_or_404(self.get_queryset(request), pk=pk)
        if not statement.is_open:
            # A draft is a preview; a void version is shown with its VOID mark.
            return HttpResponse(statement_pdf_bytes(statement), content_type="application/pdf")
        if not statement.pdf:
            raise Http404(_("The PDF is still being rendered. PDF 生成中。"))
        return FileResponse(
            statement.pdf.open("rb"),
            content_type="application/pdf",
            filename=f"{statement.number}.pdf",
        )

    def generate_view(self, request):
        """Start the month-end run (or preview one agreement's draft) for a closed month."""
        if request.method == "POST":
            try:
                run = services.statement_run_start(
                    period=request.POST.get("period", ""), by=request.user
                )
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                return redirect(reverse("admin:settlements_statementrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Month-end run 月结"),
            "opts": self.model._meta,
            "suggested": str(Period.of(clock.today()).previous()),
        }
        return TemplateResponse(request, "admin/settlements/statement/generate.html", context)

    def _each(self, request, queryset, action, done_message):
        for statement in queryset:
            try:
                action(statement)
            except DomainError as error:
                self.message_user(request, f"{statement.number}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{statement.number}: {done_message}", messages.SUCCESS)

    @admin.action(description=_("Issue selected drafts (date above, empty = today) 出具"))
    def issue_selected(self, request, queryset):
        values = _action_values(request)
        self._each(
            request,
            queryset,
            lambda st: services.statement_issue(
                statement=st, issued_on=values["on"], by=request.user
            ),
            _("issued"),
        )

    @admin.action(description=_("Record a payment (date, amount, reference above) 登记付款"))
    def record_payment(self, request, queryset):
        values = _action_values(request)
        if values["amount"] is None or values["on"] is None:
            self.message_user(
                request,
                _("Give the payment date and amount. 请填写付款日期和金额。"),
                messages.ERROR,
            )
            return
        self._each(
            request,
            queryset,
            lambda st: services.payment_record(
                statement=st,
                amount=values["amount"],
                paid_on=values["on"],
                reference=values["text"] or "",
                by=request.user,
            ),
            _("payment recorded"),
        )

    @admin.action(description=_("Void selected (reason above) 作废"))
    def void_selected(self, request, queryset):
        values = _action_values(request)
        self._each(
            request,
            queryset,
            lambda st: services.statement_void(
                statement=st, reason=values["text"] or "", by=request.user
            ),
            _("voided"),
        )

    @admin.action(
        description=_("Make the corrected next version of voided statements 生成更正版本")
    )
    def correct_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda st: services.statement_correct(statement=st, by=request.user),
            _("corrected version drafted"),
        )

    @admin.action(description=_("Reply to the dispute (text above, date optional) 回复异议"))
    def reply_to_dispute(self, request, queryset):
        values = _action_values(request)
        self._each(
            request,
            queryset,
            lambda st: services.statement_reply(
                statement=st, reply=values["text"] or "", by=request.user, replied_on=values["on"]
            ),
            _("reply saved"),
        )

    @admin.action(
        description=_("Record the brand's written dispute (date and text above) 登记书面异议")
    )
    def record_dispute(self, request, queryset):
        values = _action_values(request)
        self._each(
            request,
            queryset,
            lambda st: services.statement_dispute(
                statement=st,
                comment=values["text"] or "",
                disputed_on=values["on"],
                by=request.user,
            ),
            _("dispute recorded; no payment is due while it is open"),
        )

    @admin.action(
        description=_("Record the brand's withdrawal of its dispute (date above) 登记撤回异议")
    )
    def record_withdrawal(self, request, queryset):
        values = _action_values(request)
        self._each(
            request,
            queryset,
            lambda st: services.statement_withdraw_dispute(
                statement=st, withdrawn_on=values["on"], by=request.user
            ),
            _("withdrawal recorded: confirmed on that day"),
        )
