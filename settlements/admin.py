from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from common import clock
from common.admin_helpers import (
    PeriodFieldFilter,
    ScopedAdminMixin,
    ScopedInlineMixin,
)
from common.models import Event
from core.exceptions import DomainError
from core.periods import Period
from settlements import services
from settlements.documents import statement_pdf_bytes
from settlements.models import (
    Expense,
    Payment,
    PenaltyWaiver,
    Statement,
    StatementLine,
    StatementRun,
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


class StatementLineInline(ScopedInlineMixin, admin.TabularInline):
    model = StatementLine
    extra = 0
    can_delete = False
    fields = ["position", "kind", "description", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PaymentInline(ScopedInlineMixin, admin.TabularInline):
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
        label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.DecimalField(label=_("amount"), required=False, max_digits=14, decimal_places=2)
    text = forms.CharField(label=_("reason / reference"), required=False)


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
class StatementAdmin(ScopedAdminMixin, admin.ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "number",
        "agreement",
        "kind",
        "period",
        "status",
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
        "agreement__brand",
        "agreement__kind",
    ]
    search_fields = ["number", "agreement__number", "agreement__brand__name"]
    list_select_related = ["agreement"]
    date_hierarchy = "issued_on"
    inlines = [StatementLineInline, PaymentInline]
    actions = [
        "issue_selected",
        "record_payment",
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
            "<table>{}</table>",
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
            *super().get_urls(),
        ]

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

    @admin.action(description=_("Reply to the dispute (text above) 回复异议"))
    def reply_to_dispute(self, request, queryset):
        values = _action_values(request)
        self._each(
            request,
            queryset,
            lambda st: services.statement_reply(
                statement=st, reply=values["text"] or "", by=request.user
            ),
            _("reply saved"),
        )


@admin.register(StatementRun)
class StatementRunAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            created_by__organization=request.user.organization_id
        ) | queryset.filter(created_by=None)


@admin.register(Expense)
class ExpenseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    brand_path = "agreement__brand"
    list_display = [
        "agreement",
        "period",
        "description",
        "amount",
        "receipt_ref",
        "approved_by_brand_on",
        "statement",
    ]
    list_filter = ["period", "agreement__brand"]
    search_fields = ["description", "receipt_ref", "agreement__number"]
    readonly_fields = ["statement", "created_by"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        expense = services.expense_record(
            agreement=obj.agreement,
            period=Period.parse(obj.period),
            amount=obj.amount,
            description=obj.description,
            receipt_ref=obj.receipt_ref,
            approved_by_brand_on=obj.approved_by_brand_on,
            by=request.user,
        )
        obj.pk = expense.pk


@admin.register(PenaltyWaiver)
class PenaltyWaiverAdmin(ScopedAdminMixin, admin.ModelAdmin):
    brand_path = "statement__agreement__brand"
    list_display = ["statement", "amount", "reason", "waived_by", "waived_at"]
    readonly_fields = ["waived_by", "waived_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        waiver = services.penalty_waive(
            statement=obj.statement, amount=obj.amount, reason=obj.reason, by=request.user
        )
        obj.pk = waiver.pk
