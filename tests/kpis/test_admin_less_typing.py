"""Issue 12, less typing in the sales and KPI admin: KPI records from a chooser, imports
that forgive extra columns, templates to download, the sales list and its XLSX export."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import User
from kpis.imports import sales_import_create, sales_import_run
from kpis.models import KpiRecord, SaleLine, SalesImport
from kpis.services import sale_line_record
from tests import factories as f

pytestmark = pytest.mark.django_db

ADD = "admin:kpis_kpirecord_add"


def _sale(agreement, sku, day, quantity, price, distributor="", ref=""):
    return sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": sku,
            "sold_on": day,
            "quantity": quantity,
            "unit_price": price,
            "channel": "经销商" if distributor else "天猫",
            "distributor": distributor,
            "external_ref": ref,
        },
    ).line


def _b2b_agreement(brand=None, activate=True):
    return f.agreement(
        "b2b_commission",
        brand_org=brand,
        activate=activate,
        terms={
            "monthly_service_fee": Decimal("8000.00"),
            "min_distributors": 2,
            "min_cartons": 10,
            "min_sales_amount": Decimal("100000.00"),
        },
    )


@pytest.fixture
def b2b():
    agency = f.agency("杭州测试代运营")
    brand = f.brand(agency, "测试茶业")
    agreement = _b2b_agreement(brand)
    f.product(brand, sku="TEA-1", units_per_carton=20)
    f.product(brand, sku="TEA-2", units_per_carton=12)
    return agreement


@pytest.fixture
def staff(b2b):
    return f.user(b2b.agency, User.Role.AGENCY_STAFF)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _en(client):
    client.cookies["django_language"] = "en"
    return client


# --- KPI records from a chooser ----------------------------------------------------------


def test_add_opens_the_chooser_offering_only_the_agencys_b2b_agreements(staff_client, b2b):
    brand = b2b.brand
    f.agreement("revenue_share", brand_org=brand, activate=True)  # not B2B
    _b2b_agreement(brand, activate=False)  # a draft: takes no sales
    own_second = _b2b_agreement(brand)
    foreign = _b2b_agreement()  # another agency's brand
    page = staff_client.get(reverse(ADD))
    assert page.status_code == 200
    assert page.templates[0].name == "admin/kpis/kpirecord/choose.html"
    offered = set(page.context["form"].fields["agreement"].queryset)
    assert offered == {b2b, own_second}
    html = page.content.decode()
    assert b2b.number in html and foreign.number not in html
    assert 'type="month"' in html
    # the list's add button leads here, not to a form of zeros
    listing = staff_client.get(reverse("admin:kpis_kpirecord_changelist")).content.decode()
    assert reverse(ADD) in listing


def test_a_foreign_agreement_is_a_form_error_on_the_chooser(staff_client, b2b):
    foreign = _b2b_agreement()
    page = staff_client.get(reverse(ADD), {"agreement": foreign.pk, "period": "2026-08"})
    assert page.status_code == 200
    assert "agreement" in page.context["form"].errors
    assert "adminform" in page.context and not page.context["form"].is_valid()
    # posting the record form with it is refused the same way, nothing saved
    posted = staff_client.post(
        reverse(ADD), {"agreement": foreign.pk, "period": "2026-08", "sales_amount": "1"}
    )
    assert posted.status_code == 200
    assert "agreement" in posted.context["adminform"].form.errors
    assert not KpiRecord.objects.exists()


def test_a_month_outside_the_agreement_or_badly_written_is_a_form_error(staff_client, b2b):
    outside = staff_client.get(reverse(ADD), {"agreement": b2b.pk, "period": "2026-03"})
    assert "period" in outside.context["form"].errors
    assert "2026-06-01" in outside.content.decode()
    garbled = staff_client.get(reverse(ADD), {"agreement": b2b.pk, "period": "Oct"})
    assert garbled.context["form"].errors["period"] == ["请按 YYYY-MM 填写月份，如 2026-10。"]


def test_the_chosen_month_prefills_the_form_from_its_sales(staff_client, b2b):
    _sale(b2b, "TEA-1", "2026-07-30", 40, "120.00", distributor="老客户")  # before the month
    _sale(b2b, "TEA-1", "2026-08-05", 400, "120.00", distributor="老客户")
    _sale(b2b, "TEA-2", "2026-08-06", 30, "150.00", distributor="新客户甲")
    _sale(b2b, "TEA-1", "2026-08-20", -20, "120.00", distributor="新客户乙")
    _sale(b2b, "TEA-2", "2026-09-01", 12, "150.00", distributor="九月客户")  # after
    page = staff_client.get(reverse(ADD), {"agreement": b2b.pk, "period": "2026-08"})
    assert page.status_code == 200
    form = page.context["adminform"].form
    august = SaleLine.objects.filter(agreement=b2b, sold_on__month=8)
    cartons = sum(Decimal(line.quantity) / line.product.units_per_carton for line in august)
    assert form.initial["sales_amount"] == sum(line.amount for line in august)
    assert form.initial["sales_amount"] == Decimal("48000.00") + Decimal("4500.00") - Decimal(
        "2400.00"
    )
    assert form.initial["cartons_shipped"] == cartons.quantize(Decimal("0.01"))
    assert form.initial["distributors_recruited"] == 2  # 新客户甲, 新客户乙
    assert form.fields["agreement"].disabled and form.fields["period"].disabled
    html = page.content.decode()
    assert 'value="50100.00"' in html and 'value="21.50"' in html


def test_saving_the_prefilled_form_keeps_the_chosen_agreement_and_month(staff_client, b2b, staff):
    other = _b2b_agreement(b2b.brand)
    _sale(b2b, "TEA-1", "2026-08-05", 400, "120.00", distributor="A")
    url = reverse(ADD) + f"?agreement={b2b.pk}&period=2026-08"
    data = {
        "agreement": other.pk,  # ignored: the chooser fixed the agreement
        "period": "2026-09",  # and the month
        "distributors_recruited": "1",
        "cartons_shipped": "20.00",
        "sales_amount": "48000.00",
        "unique_visitors": "0",
        "daily_inquiries": "0",
        "conversion_rate": "0",
        "notes": "",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302
    record = KpiRecord.objects.get()
    assert (record.agreement, record.period, record.sales_amount) == (
        b2b,
        "2026-08",
        Decimal("48000.00"),
    )
    # choosing the month again opens that record instead of a second one
    again = staff_client.get(reverse(ADD), {"agreement": b2b.pk, "period": "2026-08"})
    assert again.status_code == 302
    assert again["Location"] == reverse("admin:kpis_kpirecord_change", args=[record.pk])


def test_the_evaluation_reads_in_words_with_money_in_each_language(staff_client, b2b):
    record = KpiRecord.objects.create(
        agreement=b2b,
        period="2026-08",
        distributors_recruited=1,
        cartons_shipped=Decimal("12.50"),
        sales_amount=Decimal("120000.00"),
    )
    url = reverse("admin:kpis_kpirecord_change", args=[record.pk])
    html = staff_client.get(url).content.decode()
    assert "销售额 ¥120,000.00 ≥ ¥100,000.00 ✓" in html
    assert "新增经销商 1 &lt; 2 ✗" in html
    assert "出货箱数 12.5 ≥ 10 ✓" in html
    assert "sales_amount ≥" not in html and "100000.00" not in html
    listing = staff_client.get(reverse("admin:kpis_kpirecord_changelist")).content.decode()
    assert "未达标：新增经销商" in listing and "¥120,000.00" in listing
    html = _en(staff_client).get(url).content.decode()
    assert "sales amount ¥120,000.00 ≥ ¥100,000.00 ✓" in html
    assert "distributors recruited 1 &lt; 2 ✗" in html
    assert "销售额" not in html


# --- imports that forgive extra columns ----------------------------------------------------


def _upload(client, agreement, name, content, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:kpis_salesimport_upload"),
            {"agreement": agreement.pk, "file": SimpleUploadedFile(name, content)},
        )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return SalesImport.objects.get(original_name=name)


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXTRA_HEADER = ["产品", "商品名称", "日期", "数量", "单价", "备注", "渠道", "外部单号"]
EXTRA_ROW = ["TEA-1", "大红袍 250g", "2026-08-05", "3", "120.00", "老客户", "经销商", "X-1"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_extra_columns_are_ignored_and_listed(
    staff_client, b2b, kind, django_capture_on_commit_callbacks
):
    if kind == "csv":
        content = "\n".join(",".join(row) for row in (EXTRA_HEADER, EXTRA_ROW)).encode()
    else:
        content = _xlsx([EXTRA_HEADER, [*EXTRA_ROW[:2], date(2026, 8, 5), 3, 120, *EXTRA_ROW[5:]]])
    sales_import = _upload(
        staff_client, b2b, f"shop.{kind}", content, django_capture_on_commit_callbacks
    )
    assert (sales_import.status, sales_import.rows_created) == ("done", 1)
    line = SaleLine.objects.get(external_ref="X-1")
    assert (line.quantity, line.amount, line.channel) == (3, Decimal("360.00"), "b2b_distributor")
    page = staff_client.get(reverse("admin:kpis_salesimport_change", args=[sales_import.pk]))
    html = page.content.decode()
    ignored = html[html.index('id="import-columns-ignored"') :]
    assert ignored.split("</dd>")[0].endswith(">商品名称、备注")
    used = html[html.index('id="import-columns-used"') :].split("</dd>")[0]
    assert "产品 (商品编码)" in used and "外部单号" in used and "商品名称" not in used
    html = _en(staff_client).get(page.wsgi_request.path).content.decode()
    assert "Columns ignored" in html and "商品名称, 备注" in html


def test_a_missing_required_column_is_still_refused_with_a_clear_message(
    staff_client, b2b, django_capture_on_commit_callbacks
):
    content = "产品,商品名称,日期,单价\nTEA-1,大红袍,2026-08-05,120\n".encode()
    sales_import = _upload(
        staff_client, b2b, "no-quantity.csv", content, django_capture_on_commit_callbacks
    )
    assert (sales_import.status, SaleLine.objects.count()) == ("rejected", 0)
    html = staff_client.get(
        reverse("admin:kpis_salesimport_change", args=[sales_import.pk])
    ).content.decode()
    assert "缺少必需的列「数量」" in html
    assert "the required column" not in html  # the page reads in one language
    html = (
        _en(staff_client)
        .get(reverse("admin:kpis_salesimport_change", args=[sales_import.pk]))
        .content.decode()
    )
    assert "the required column quantity is missing" in html.lower()


# --- templates -----------------------------------------------------------------------------


def _template(client, kind, **params):
    url = reverse("admin:kpis_salesimport_template", args=[kind])
    return client.get(url, params)


def _rows(kind, content):
    if kind == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_templates_have_the_headers_of_the_page_language_and_one_example_row(
    staff_client, b2b, kind
):
    response = _template(staff_client, kind, agreement=b2b.pk)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = _rows(kind, response.content)
    assert rows[0][:4] == ["产品", "日期", "数量", "单价"]
    assert "外部单号" in rows[0] and len(rows) == 2
    assert rows[1][0] in ("TEA-1", "TEA-2")
    english = _rows(kind, _template(_en(staff_client), kind, agreement=b2b.pk).content)
    assert english[0][:4] == ["product", "sold_on", "quantity", "unit_price"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_downloaded_template_imports_as_it_is(staff_client, staff, b2b, kind, language):
    staff_client.cookies["django_language"] = language
    content = _template(staff_client, kind, agreement=b2b.pk).content
    sales_import = sales_import_create(
        agreement=b2b,
        uploaded_file=SimpleUploadedFile(f"template.{kind}", content),
        by=staff,
        enqueue=False,
    )
    sales_import_run(sales_import=sales_import)
    sales_import.refresh_from_db()
    assert (sales_import.status, sales_import.rows_created, sales_import.errors) == ("done", 1, [])
    line = SaleLine.objects.get(import_batch=sales_import)
    assert (line.quantity, line.external_ref) == (1, "EXAMPLE-0001")


def test_a_template_for_another_agencys_agreement_is_not_found(staff_client, b2b):
    foreign = _b2b_agreement()
    assert _template(staff_client, "csv", agreement=foreign.pk).status_code == 404
    assert _template(staff_client, "csv", agreement="x").status_code == 404
    assert _template(staff_client, "pdf").status_code == 404
    # without an agreement, the example is made for the user's own first agreement
    rows = _rows("csv", _template(staff_client, "csv").content)
    assert rows[1][0] in ("TEA-1", "TEA-2")


def test_the_upload_page_offers_the_templates_in_one_language(staff_client, b2b):
    html = staff_client.get(reverse("admin:kpis_salesimport_upload")).content.decode()
    for kind in ("csv", "xlsx"):
        assert reverse("admin:kpis_salesimport_template", args=[kind]) in html
    assert "XLSX 模板" in html and "Upload and import" not in html
    html = _en(staff_client).get(reverse("admin:kpis_salesimport_upload")).content.decode()
    assert "XLSX template" in html and "上传并导入" not in html


# --- the sales list and its export ---------------------------------------------------------


@pytest.fixture
def two_agencies(b2b):
    _sale(b2b, "TEA-1", "2026-08-05", 1234, "12.00", distributor="A", ref="OWN-1")
    _sale(b2b, "TEA-2", "2026-09-06", 2, "150.50", distributor="B", ref="OWN-2")
    foreign = f.agreement("revenue_share", activate=True)
    f.product(foreign.brand, sku="FOREIGN-SKU")
    _sale(foreign, "FOREIGN-SKU", "2026-08-07", 5, "99.00", ref="FOREIGN-1")
    return b2b, foreign


def test_the_sales_list_shows_quantity_and_money(staff_client, two_agencies):
    listing = staff_client.get(reverse("admin:kpis_saleline_changelist"))
    html = listing.content.decode()
    columns = listing.context["cl"].list_display
    assert {"quantity", "amount_money", "price", "agreement_number", "sku"} <= set(columns)
    assert "¥14,808.00" in html and "¥301.00" in html and "¥12.00" in html
    assert "FOREIGN-SKU" not in html
    assert reverse("admin:kpis_saleline_export") in html


def _export(client, **params):
    response = client.get(reverse("admin:kpis_saleline_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def test_the_export_is_the_filtered_list_in_the_page_language(staff_client, two_agencies):
    sheet = _export(staff_client)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == ("日期", "协议", "品牌方", "商品编码", "产品", "数量", "单价", "金额")
    assert [row[14] for row in rows[1:]] == ["OWN-1", "OWN-2"]
    first = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert first[7].value == 14808 and first[7].number_format == '"¥"#,##0.00'
    assert first[0].number_format == "yyyy-mm-dd"
    only_august = _export(staff_client, period="2026-08")
    assert [row[14] for row in list(only_august.iter_rows(values_only=True))[1:]] == ["OWN-1"]
    english = _export(_en(staff_client), q="OWN-2")
    rows = list(english.iter_rows(values_only=True))
    assert rows[0][:3] == ("Date", "Agreement", "Brand") and len(rows) == 2


def test_another_agencys_lines_are_never_exported(client, two_agencies):
    _own, foreign = two_agencies
    client.force_login(f.user(foreign.agency, User.Role.AGENCY_STAFF))
    refs = [row[14] for row in list(_export(client).iter_rows(values_only=True))[1:]]
    assert refs == ["FOREIGN-1"]
    # even asked for by the other agreement's filter
    sheet = _export(client, agreement__id__exact=two_agencies[0].pk)
    assert [row[14] for row in list(sheet.iter_rows(values_only=True))[1:]] in ([], ["FOREIGN-1"])
    assert not any("OWN" in str(row) for row in sheet.iter_rows(values_only=True))
