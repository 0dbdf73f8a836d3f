"""Sales and KPIs in the admin: sale lines (list, totals, compliance report, XLSX
export), approved promotions; KPI records (``admin_kpis``) and imports
(``admin_imports``) register themselves from here."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from accounts.selectors import scope_for_user
from common import clock
from common.admin_helpers import PeriodListFilter, ScopedAdminMixin
from common.i18n import one_language
from common.templatetags.portal import money_text
from common.xlsx import XLSX_CONTENT_TYPE
from contracts.models import Agreement
from core.exceptions import DomainError
from kpis import admin_imports, admin_kpis  # noqa: F401  (register their admins)
from kpis.models import Promotion, SaleLine
from kpis.sales_export import sale_lines_xlsx
from kpis.services import SaleContext, sale_line_record, sale_row_clean

# A code (agreement number, SKU) on one line, its name in a tooltip.
CODE = '<span class="whitespace-nowrap" title="{}">{}</span>'


class SaleLineAddForm(forms.ModelForm):
    """Adding a line by hand goes through the same cleaning as the API and imports."""

    product_sku = forms.CharField(label=_("product SKU"), max_length=64)
    factory_price = forms.DecimalField(label=_("factory price (empty: price list)"), required=False)
    distributor_price = forms.DecimalField(
        label=_("distributor price (empty: price list)"), required=False
    )
    promotion_code = forms.CharField(label=_("approved promotion code"), required=False)

    class Meta:
        model = SaleLine
        fields = [
            "agreement",
            "product_sku",
            "sold_on",
            "quantity",
            "unit_price",
            "factory_price",
            "distributor_price",
            "tax",
            "logistics",
            "channel",
            "distributor",
            "external_ref",
            "promotion_code",
        ]

    def clean(self):
        data = super().clean()
        agreement = data.get("agreement")
        if agreement is None:
            return data
        row = {
            "product": data.get("product_sku"),
            "sold_on": data.get("sold_on"),
            "quantity": data.get("quantity"),
            "unit_price": data.get("unit_price"),
            "factory_price": data.get("factory_price"),
            "distributor_price": data.get("distributor_price"),
            "tax": data.get("tax"),
            "logistics": data.get("logistics"),
            "channel": data.get("channel"),
            "distributor": data.get("distributor"),
            "external_ref": data.get("external_ref"),
            "promotion": data.get("promotion_code"),
        }
        _cleaned, errors = sale_row_clean(row, ctx=SaleContext.load(agreement))
        field_map = {
            "product": "product_sku",
            "promotion": "promotion_code",
            "agreement": "agreement",
        }
        for name, problems in errors.items():
            for problem in problems:
                self.add_error(
                    field_map.get(name, name) if name in self.fields or name in field_map else None,
                    one_language(problem),
                )
        self.sale_row = row
        return data


@admin.register(SaleLine)
class SaleLineAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    # Fits 1366 px: the agreement and product as codes (their names in a tooltip), money
    # as ¥1,234.56; every field is on the line's page and in the XLSX export.
    list_display = [
        "day",
        "agreement_number",
        "sku",
        "channel",
        "quantity",
        "price",
        "amount_money",
        "tax_money",
        "logistics_money",
        "violation",
    ]
    list_display_links = ["day"]
    list_filter = [PeriodListFilter, "channel", "price_violation", "agreement__brand", "agreement"]
    search_fields = [
        "external_ref",
        "distributor",
        "product__sku",
        "product__name",
        "agreement__number",
    ]
    list_select_related = ["agreement", "product"]
    date_hierarchy = "sold_on"
    change_list_template = "admin/kpis/saleline/change_list.html"
    list_per_page = 100

    @admin.display(description=_("Date"), ordering="sold_on")
    def day(self, obj):
        if not obj.external_ref:
            return obj.sold_on.isoformat()
        return format_html('<span title="{}">{}</span>', obj.external_ref, obj.sold_on.isoformat())

    @admin.display(description=_("Agreement"), ordering="agreement__number")
    def agreement_number(self, obj):
        return format_html(CODE, obj.agreement.title, obj.agreement.number)

    @admin.display(description=_("SKU"), ordering="product__sku")
    def sku(self, obj):
        return format_html(CODE, obj.product.name, obj.product.sku)

    @admin.display(description=_("Unit price"), ordering="unit_price")
    def price(self, obj):
        return money_text(obj.unit_price)

    @admin.display(description=_("Amount"), ordering="amount")
    def amount_money(self, obj):
        return money_text(obj.amount)

    @admin.display(description=_("Tax"), ordering="tax")
    def tax_money(self, obj):
        return money_text(obj.tax)

    @admin.display(description=_("Logistics"), ordering="logistics")
    def logistics_money(self, obj):
        return money_text(obj.logistics)

    @admin.display(description=_("Min. price"), ordering="price_violation")
    def violation(self, obj):
        if not obj.price_violation:
            return ""
        return format_html(
            '<b style="color:#cf222e" title="{}">⚠ {}</b>',
            gettext("Sold below the minimum retail price of %(price)s")
            % {"price": money_text(obj.min_retail_price)},
            gettext("below"),
        )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SaleLineAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A recorded sale is a fact: correct it with a return line, never in place.
        return [f.name for f in SaleLine._meta.fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agreement":
            kwargs["queryset"] = scope_for_user(
                queryset=Agreement.objects.exclude(kind=Agreement.Kind.CONSULTING_FIXED_FEE),
                user=request.user,
                brand_path="brand",
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            result = sale_line_record(
                agreement=form.cleaned_data["agreement"], data=form.sale_row, by=request.user
            )
        except DomainError as error:  # a race with another writer: say so, lose nothing
            self.message_user(request, one_language(str(error)), messages.ERROR)
            return
        form.instance = result.line
        obj.pk = result.line.pk

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        try:
            queryset = response.context_data["cl"].queryset
        except (AttributeError, KeyError):
            return response
        totals = queryset.aggregate(
            lines=Count("pk"),
            quantity=Sum("quantity"),
            amount=Sum("amount"),
            tax=Sum("tax"),
            logistics=Sum("logistics"),
            violations=Count("pk", filter=Q(price_violation=True)),
        )
        per_month = (
            queryset.annotate(month=TruncMonth("sold_on"))
            .values("month")
            .annotate(lines=Count("pk"), quantity=Sum("quantity"), amount=Sum("amount"))
            .order_by("-month")[:12]
        )
        response.context_data["totals"] = totals
        response.context_data["per_month"] = list(per_month)
        return response

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("compliance/", wrap(self.compliance_view), name="kpis_saleline_compliance"),
            path("export.xlsx", wrap(self.export_view), name="kpis_saleline_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The lines the list shows (its filters, search and scope) as XLSX."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:kpis_saleline_changelist") + "?e=1")
        response = HttpResponse(
            sale_lines_xlsx(changelist.queryset), content_type=XLSX_CONTENT_TYPE
        )
        name = f"sales-{clock.today():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def compliance_view(self, request):
        """Price violations per agreement and month (sales below the minimum retail price)."""
        rows = (
            self.get_queryset(request)
            .filter(price_violation=True)
            .annotate(month=TruncMonth("sold_on"))
            .values("agreement__id", "agreement__number", "agreement__brand__name", "month")
            .annotate(lines=Count("pk"), quantity=Sum("quantity"), amount=Sum("amount"))
            .order_by("-month", "agreement__number")
        )
        changelist = reverse("admin:kpis_saleline_changelist")
        report = [
            {
                **row,
                "period": f"{row['month']:%Y-%m}",
                "link": f"{changelist}?price_violation__exact=1&agreement__id__exact={row['agreement__id']}"
                f"&period={row['month']:%Y-%m}",
            }
            for row in rows
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compliance: sales below the minimum retail price"),
            "rows": report,
            "opts": self.model._meta,
            "total_amount": sum((r["amount"] for r in report), Decimal("0")),
        }
        return TemplateResponse(request, "admin/kpis/saleline/compliance.html", context)


@admin.register(Promotion)
class PromotionAdmin(ScopedAdminMixin, ModelAdmin):
    brand_path = "agreement__brand"
    list_display = ["code", "name", "agreement", "starts_on", "ends_on", "approved_by_brand_on"]
    list_filter = ["agreement__brand", "agreement"]
    search_fields = ["code", "name"]
