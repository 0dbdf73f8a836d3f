"""Sales imports: CSV/XLSX in UTF-8 and GBK, all-or-nothing, idempotent, row-numbered errors."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import User
from common.i18n import one_language
from common.models import Event
from contracts.models import Agreement
from contracts.services import product_price_set
from core.exceptions import RuleViolation
from kpis import import_files, imports
from kpis import messages as msg
from kpis.imports import sales_import_create, sales_import_error_count, sales_import_run
from kpis.models import Promotion, SaleLine, SalesImport
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "product,sold_on,quantity,unit_price,tax,logistics,channel,distributor,external_ref"


@pytest.fixture
def setup():
    agency = f.agency()
    brand = f.brand(agency)
    agreement = f.agreement(Agreement.Kind.REVENUE_SHARE, brand_org=brand, activate=True)
    staff = f.user(agency, User.Role.AGENCY_STAFF)
    f.product(brand, sku="A-100")
    f.product(brand, sku="B-200", factory_price=Decimal("50.00"), min_retail_price=Decimal("99.00"))
    return agreement, staff


def _csv(*lines, header=HEADER, encoding="utf-8"):
    return "\n".join([header, *lines]).encode(encoding) + b"\n"


def _run(agreement, content, name="sales.csv", by=None, progress=None):
    sales_import = sales_import_create(
        agreement=agreement, uploaded_file=SimpleUploadedFile(name, content), by=by, enqueue=False
    )
    sales_import_run(sales_import=sales_import, progress=progress)
    sales_import.refresh_from_db()
    return sales_import


def _errors(sales_import):
    return [(e["row"], e["column"], e["message"]) for e in sales_import.errors]


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _good_rows(count, prefix="R"):
    return [f"A-100,2026-08-05,1,199.00,,,jd,,{prefix}-{n}" for n in range(1, count + 1)]


# --- formats and encodings ---------------------------------------------------------------


def test_csv_utf8_with_english_headers(setup):
    agreement, staff = setup
    content = _csv(
        "A-100,2026-08-05,10,199.00,199.00,60.00,jd,,ORD-1",
        "B-200,2026/08/06,-2,120,-10,-5,tmall,,ORD-2",
        "",
        "A-100,2026-08-07,3,250,,,,,",
    )
    result = _run(agreement, content, by=staff)
    assert (result.status, result.rows_total, result.rows_done) == ("done", 3, 3)
    assert (result.rows_created, result.rows_duplicate, result.errors) == (3, 0, [])
    assert result.finished_at is not None
    first = SaleLine.objects.get(external_ref="ORD-1")
    assert (first.quantity, first.amount, first.tax, first.logistics) == (
        10,
        Decimal("1990.00"),
        Decimal("199.00"),
        Decimal("60.00"),
    )
    assert (first.factory_price, first.channel, first.import_batch_id) == (
        Decimal("80.00"),
        "jd",
        result.pk,
    )
    ret = SaleLine.objects.get(external_ref="ORD-2")
    assert (ret.sold_on, ret.quantity, ret.factory_price) == (
        date(2026, 8, 6),
        -2,
        Decimal("50.00"),
    )
    assert SaleLine.objects.get(external_ref="").channel == "other"
    event = Event.objects.get(action="sales.imported")
    assert (event.agreement_id, event.actor_id) == (agreement.pk, staff.pk)
    assert event.detail["created"] == 3


def test_headers_ignore_case_spaces_and_underscores(setup):
    agreement, _ = setup
    content = _csv(
        "A-100,2026-08-05,2,199,B2B 经销商,ORD-1",
        header="Product , SOLD ON,Quantity,unit-price,Channel,External_Ref",
    )
    result = _run(agreement, content)
    assert result.status == "done", result.errors
    assert SaleLine.objects.get(external_ref="ORD-1").channel == "b2b_distributor"


def test_csv_gbk_with_chinese_headers_and_values(setup):
    agreement, _ = setup
    content = _csv(
        "A-100,2026-08-05,5,199.00,京东,,京东-0001",
        "A-100,2026-08-06,12,120.00,经销商,杭州某某商贸有限公司,京东-0002",
        header="产品,销售日期,数量,单价,渠道,经销商,订单号",
        encoding="gbk",
    )
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    result = _run(agreement, content)
    assert result.status == "done", result.errors
    first, second = SaleLine.objects.order_by("sold_on")
    assert (first.channel, first.external_ref) == ("jd", "京东-0001")
    assert (second.channel, second.distributor) == ("b2b_distributor", "杭州某某商贸有限公司")


def test_csv_utf8_with_bom(setup):
    agreement, _ = setup
    content = b"\xef\xbb\xbf" + _csv(
        "A-100,2026-08-05,1,199,天猫,张三,T-1", header="product,日期,数量,单价,渠道,经销商,单号"
    )
    result = _run(agreement, content)
    assert result.status == "done", result.errors
    line = SaleLine.objects.get()
    assert (line.channel, line.distributor, line.external_ref) == ("tmall", "张三", "T-1")


def test_utf8_character_split_across_read_blocks_is_still_utf8(setup, monkeypatch):
    monkeypatch.setattr(import_files, "READ_BLOCK", 5)
    agreement, _ = setup
    result = _run(agreement, _csv("A-100,2026-08-05,1,199,,,微信小店,王五经销部,W-1"))
    assert result.status == "done", result.errors
    assert SaleLine.objects.get().distributor == "王五经销部"


def test_text_in_neither_utf8_nor_gbk_is_rejected(setup):
    agreement, _ = setup
    result = _run(agreement, "product,sold_on\n".encode("utf-16"))
    assert result.status == "rejected"
    assert _errors(result) == [(None, None, imports.BAD_ENCODING)]


def test_xlsx_with_chinese_headers_and_date_cells(setup):
    agreement, _ = setup
    content = _xlsx(
        [
            ["SKU", "日期", "数量", "售价", "出厂价", "渠道", "外部单号"],
            ["A-100", date(2026, 8, 5), 4, 199, 85.5, "京东", 100001],
            [None, None, None, None, None, None, None],
            ["B-200", datetime(2026, 8, 6, 0, 0), 2, 99.9, None, "天猫", "X-2"],  # noqa: DTZ001
        ]
    )
    result = _run(agreement, content, name="八月销售.xlsx")
    assert (result.status, result.rows_total, result.rows_created) == ("done", 2, 2), result.errors
    first = SaleLine.objects.get(external_ref="100001")
    assert (first.sold_on, first.quantity, first.unit_price) == (
        date(2026, 8, 5),
        4,
        Decimal("199.00"),
    )
    assert (first.factory_price, first.channel) == (Decimal("85.50"), "jd")
    second = SaleLine.objects.get(external_ref="X-2")
    assert (second.sold_on, second.unit_price, second.factory_price) == (
        date(2026, 8, 6),
        Decimal("99.90"),
        Decimal("50.00"),
    )


def test_xlsx_rows_are_numbered_as_the_spreadsheet_shows_them(setup):
    agreement, _ = setup
    content = _xlsx(
        [
            ["产品", "日期", "数量", "单价"],
            ["A-100", date(2026, 8, 5), 1, 199],
            [],
            [None, None, None, None],
            ["A-100", "not a date", 1, 199],
        ]
    )
    result = _run(agreement, content, name="sales.xlsx")
    assert _errors(result) == [(5, "sold_on", msg.NOT_A_DATE)]


# --- all or nothing ----------------------------------------------------------------------


def test_bad_rows_reject_the_file_and_each_is_reported(setup):
    agreement, _ = setup
    _run(agreement, _csv("A-100,2026-07-01,1,199,,,jd,,OLD-1"))
    before = SaleLine.objects.count()
    content = _csv(
        "A-100,2026-08-05,1,199,,,jd,,OK-1",
        "A-100,2026-08-05,abc,199,,,jd,,BAD-3",
        "ZZZ,2026-08-05,1,199,,,jd,,BAD-4",
        "A-100,2026-13-01,1,-5,,,jd,,BAD-5",
        "A-100,2026-08-05,1,199,,,拼多多,,BAD-6",
        "A-100,2026-08-05,1,199,,,jd,,BAD-7,oops",
        "A-100,2026-08-05,1,199,,,jd,,OK-8",
    )
    result = _run(agreement, content)
    assert result.status == "rejected"
    assert (result.rows_created, result.rows_duplicate, result.rows_total) == (0, 0, 7)
    assert _errors(result) == [
        (3, "quantity", msg.NOT_AN_INTEGER),
        (4, "product", msg.UNKNOWN_PRODUCT.format(sku="ZZZ")),
        (5, "sold_on", msg.NOT_A_DATE),
        (5, "unit_price", msg.NEGATIVE_PRICE),
        (6, "channel", msg.UNKNOWN_CHANNEL.format(value="拼多多")),
        (7, None, imports.NO_HEADER_CELL.format(letter="J")),
    ]
    assert (
        result.errors[0]["text"]
        == "第 3 行，数量：必须是整数 / Row 3, quantity: must be a whole number"
    )
    assert result.errors[1]["text"] == (
        "第 4 行，产品：未知产品 ZZZ（该品牌方无此 SKU）/ Row 4, product: unknown product ZZZ for this brand"
    )
    assert SaleLine.objects.count() == before
    assert not SaleLine.objects.filter(external_ref__in=["OK-1", "OK-8"]).exists()
    assert Event.objects.filter(action="sales.import_rejected").count() == 1


def test_one_bad_row_at_the_end_of_5000_writes_nothing(setup):
    agreement, _ = setup
    content = _csv(*_good_rows(4999), "A-100,2026-08-05,0,199.00,,,jd,,R-5000")
    result = _run(agreement, content)
    assert (result.status, result.rows_total) == ("rejected", 5000)
    assert _errors(result) == [(5001, "quantity", msg.QUANTITY_ZERO)]
    assert SaleLine.objects.count() == 0


def test_a_crash_while_writing_leaves_nothing_and_the_import_can_run_again(setup, monkeypatch):
    agreement, _ = setup
    original = SaleLine.objects.bulk_create
    calls = []

    def failing_bulk_create(objs, **kwargs):
        calls.append(len(objs))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(objs, **kwargs)

    monkeypatch.setattr(SaleLine.objects, "bulk_create", failing_bulk_create)
    result = _run(agreement, _csv(*_good_rows(5000)))
    assert calls == [2000, 2000, 1000]
    assert result.status == "failed"
    assert _errors(result) == [
        (None, None, imports.IMPORT_FAILED.format(error="RuntimeError: disk full"))
    ]
    assert SaleLine.objects.count() == 0

    monkeypatch.setattr(SaleLine.objects, "bulk_create", original)
    sales_import_run(sales_import=result)
    result.refresh_from_db()
    assert (result.status, result.rows_created, result.errors) == ("done", 5000, [])
    assert SaleLine.objects.filter(import_batch=result).count() == 5000


def test_stored_errors_are_capped_but_all_counted(setup):
    agreement, _ = setup
    content = _csv(*[f"A-100,2026-08-05,x,199,,,jd,,E-{n}" for n in range(1, 1051)])
    result = _run(agreement, content)
    assert result.status == "rejected"
    assert len(result.errors) == 1001
    assert result.errors[999]["row"] == 1001
    assert result.errors[-1]["message"] == imports.ERRORS_TRUNCATED.format(total=1050, shown=1000)
    assert sales_import_error_count(result) == 1050


def test_a_number_too_large_to_compute_is_a_row_error_not_a_crash(setup):
    agreement, _ = setup
    result = _run(agreement, _csv("A-100,2026-08-05,1,1e30,,,jd,,BIG-1"))
    assert result.status == "rejected"
    assert [e["row"] for e in result.errors] == [2]
    assert SaleLine.objects.count() == 0


# --- external references -----------------------------------------------------------------


def test_importing_the_same_file_again_creates_nothing(setup):
    agreement, _ = setup
    content = _csv(*_good_rows(30))
    first = _run(agreement, content)
    assert (first.status, first.rows_created) == ("done", 30)
    again = _run(agreement, content)
    assert (again.status, again.rows_created, again.rows_duplicate) == ("done", 0, 30)
    assert SaleLine.objects.count() == 30
    assert not SaleLine.objects.filter(import_batch=again).exists()


def test_a_partly_new_file_creates_only_the_new_lines(setup):
    agreement, _ = setup
    _run(agreement, _csv(*_good_rows(10)))
    result = _run(agreement, _csv(*_good_rows(15)))
    assert (result.rows_created, result.rows_duplicate) == (5, 10)
    assert SaleLine.objects.count() == 15


def test_the_same_external_ref_with_other_content_is_rejected(setup):
    agreement, _ = setup
    _run(agreement, _csv("A-100,2026-08-05,10,199,,,jd,,ORD-1"))
    result = _run(
        agreement, _csv("A-100,2026-08-05,1,199,,,jd,,NEW-1", "A-100,2026-08-05,11,199,,,jd,,ORD-1")
    )
    assert result.status == "rejected"
    assert _errors(result) == [(3, "external_ref", msg.EXTERNAL_REF_CONFLICT.format(ref="ORD-1"))]
    assert SaleLine.objects.get(external_ref="ORD-1").quantity == 10
    assert not SaleLine.objects.filter(external_ref="NEW-1").exists()


def test_an_external_ref_twice_in_one_file_names_both_rows(setup):
    agreement, _ = setup
    result = _run(
        agreement,
        _csv(
            "A-100,2026-08-05,1,199,,,jd,,ORD-9",
            "A-100,2026-08-06,1,199,,,jd,,ORD-10",
            "A-100,2026-08-07,2,199,,,jd,,ORD-9",
        ),
    )
    assert result.status == "rejected"
    assert _errors(result) == [
        (4, "external_ref", msg.EXTERNAL_REF_TWICE_ROW.format(ref="ORD-9", first=2))
    ]
    text = result.errors[0]["text"]
    assert "第 4 行" in text and "第 2 行" in text and "Row 4" in text and "row 2" in text
    assert SaleLine.objects.count() == 0


# --- header problems ---------------------------------------------------------------------


def test_an_unknown_column_is_ignored_and_listed(setup):
    """Issue 12: an extra column (a shop export's 颜色, 备注) no longer refuses the file."""
    agreement, _ = setup
    content = _csv("A-100,2026-08-05,3,199,红", header="产品,日期,数量,单价,颜色")
    result = _run(agreement, content)
    assert (result.status, result.rows_created, result.errors) == ("done", 1, [])
    assert SaleLine.objects.get(import_batch=result).quantity == 3
    assert imports.sales_import_columns(result) == {
        "used": [
            ["产品", "product"],
            ["日期", "sold_on"],
            ["数量", "quantity"],
            ["单价", "unit_price"],
        ],
        "ignored": ["颜色"],
    }


def test_a_missing_column_names_the_columns_it_did_not_recognise(setup):
    agreement, _ = setup
    result = _run(agreement, _csv("A-100,2026-08-05,3,199", header="产品,日期,数目,单价"))
    assert result.status == "rejected"
    assert [(e["row"], e["column"]) for e in result.errors] == [(1, "quantity"), (1, None)]
    assert result.errors[1]["message"].startswith("未识别的列：数目（已忽略）")
    assert "columns not recognised (ignored): 数目" in result.errors[1]["message"]
    assert imports.sales_import_columns(result)["ignored"] == ["数目"]
    assert SaleLine.objects.count() == 0


def test_missing_required_columns_are_each_reported(setup):
    agreement, _ = setup
    result = _run(agreement, _csv("A-100,2026-08-05", header="产品,日期"))
    assert _errors(result) == [
        (1, "quantity", imports.MISSING_COLUMN.format(label="数量", field="quantity")),
        (1, "unit_price", imports.MISSING_COLUMN.format(label="单价", field="unit_price")),
    ]
    assert result.errors[0]["text"] == (
        "第 1 行，数量：缺少必需的列「数量」/ Row 1, quantity: the required column quantity is missing"
    )


def test_a_column_given_twice_is_an_error(setup):
    agreement, _ = setup
    result = _run(agreement, _csv("A-100,2026-08-05,1,199,200", header="产品,日期,数量,单价,售价"))
    assert _errors(result) == [
        (1, "售价", imports.DUPLICATE_COLUMN.format(name="售价", field="unit_price"))
    ]


def test_empty_and_header_only_files_are_rejected(setup):
    agreement, _ = setup
    assert _errors(_run(agreement, b"\n\n")) == [(None, None, imports.EMPTY_FILE)]
    assert _errors(_run(agreement, _csv())) == [(None, None, imports.NO_DATA_ROWS)]


# --- prices ------------------------------------------------------------------------------


def test_prices_are_snapshotted_from_the_history_and_violations_flagged(setup):
    agreement, staff = setup
    product = agreement.brand.products.get(sku="A-100")
    for valid_from, prices in (
        (date(2026, 6, 1), ("80.00", "120.00", "199.00")),
        (date(2026, 9, 1), ("90.00", "130.00", "219.00")),
    ):
        product_price_set(
            product=product,
            valid_from=valid_from,
            factory_price=Decimal(prices[0]),
            distributor_price=Decimal(prices[1]),
            min_retail_price=Decimal(prices[2]),
            by=staff,
        )
    Promotion.objects.create(
        agreement=agreement,
        code="DOUBLE11",
        name="双十一",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
        approved_by_brand_on=date(2026, 9, 20),
    )
    content = _csv(
        "A-100,2026-07-15,1,199.00,J-1,",
        "A-100,2026-09-15,1,199.00,S-1,",
        "A-100,2026-09-16,1,219.00,S-2,",
        "A-100,2026-10-11,1,150.00,P-1,DOUBLE11",
        "A-100,2026-10-12,1,150.00,P-2,",
        header="product,sold_on,quantity,unit_price,external_ref,促销编码",
    )
    result = _run(agreement, content)
    assert result.status == "done", result.errors
    lines = {line.external_ref: line for line in SaleLine.objects.all()}
    assert (
        lines["J-1"].factory_price,
        lines["J-1"].distributor_price,
        lines["J-1"].min_retail_price,
    ) == (Decimal("80.00"), Decimal("120.00"), Decimal("199.00"))
    assert (
        lines["S-1"].factory_price,
        lines["S-1"].distributor_price,
        lines["S-1"].min_retail_price,
    ) == (Decimal("90.00"), Decimal("130.00"), Decimal("219.00"))
    assert {ref: line.price_violation for ref, line in lines.items()} == {
        "J-1": False,
        "S-1": True,
        "S-2": False,
        "P-1": False,
        "P-2": True,
    }
    assert lines["P-1"].promotion.code == "DOUBLE11"


# --- services around the run ---------------------------------------------------------------


def test_only_csv_and_xlsx_files_are_accepted(setup):
    agreement, staff = setup
    with pytest.raises(RuleViolation) as error:
        sales_import_create(
            agreement=agreement, uploaded_file=SimpleUploadedFile("sales.xls", b"x"), by=staff
        )
    assert error.value.errors == {"file": [imports.UNSUPPORTED_FILE]}
    assert not SalesImport.objects.exists()


def test_an_agreement_without_sales_is_refused_at_upload():
    consulting = f.agreement(Agreement.Kind.CONSULTING_FIXED_FEE, activate=True)
    with pytest.raises(RuleViolation) as error:
        sales_import_create(
            agreement=consulting, by=None, uploaded_file=SimpleUploadedFile("sales.csv", _csv())
        )
    assert error.value.errors == {"agreement": [msg.NO_SALES_FOR_KIND]}


def test_progress_is_reported_per_chunk_and_stored(setup):
    agreement, _ = setup
    calls = []

    def progress(phase, done, total):
        calls.append((phase, done, total))
        if phase == "validate":
            assert SalesImport.objects.get().rows_done == done

    result = _run(agreement, _csv(*_good_rows(2500)), progress=progress)
    assert calls == [
        ("count", 2500, 2500),
        ("validate", 1000, 2500),
        ("validate", 2000, 2500),
        ("validate", 2500, 2500),
        ("import", 2000, 2500),
        ("import", 2500, 2500),
    ]
    assert (result.rows_total, result.rows_done, result.rows_created) == (2500, 2500, 2500)


def test_the_upload_enqueues_the_task_after_commit(setup, django_capture_on_commit_callbacks):
    agreement, staff = setup
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sales_import = sales_import_create(
            agreement=agreement,
            by=staff,
            uploaded_file=SimpleUploadedFile("s.csv", _csv(*_good_rows(3))),
        )
        assert SalesImport.objects.get().status == "pending"
    assert len(callbacks) == 1
    sales_import.refresh_from_db()
    assert (sales_import.status, sales_import.rows_created, sales_import.created_by) == (
        "done",
        3,
        staff,
    )


def test_a_finished_import_is_not_run_twice(setup):
    agreement, _ = setup
    result = _run(agreement, _csv(*_good_rows(2)))
    sales_import_run(sales_import=result)
    result.refresh_from_db()
    assert (result.rows_created, result.rows_duplicate) == (2, 0)


# --- management command ------------------------------------------------------------------


def test_command_imports_and_prints_a_summary(setup, tmp_path):
    agreement, staff = setup
    path = tmp_path / "销售.csv"
    path.write_bytes(_csv(*_good_rows(3), encoding="gbk"))
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_sales",
        str(path),
        agreement=agreement.number,
        user=staff.username,
        stdout=out,
        stderr=err,
    )
    output = out.getvalue()
    assert "新建 / created: 3" in output
    assert "行数 / rows: 3" in output
    assert "错误 / errors: 0" in output
    assert "校验 / validating" in err.getvalue()
    assert SaleLine.objects.count() == 3
    assert SalesImport.objects.get().created_by == staff


def test_command_prints_every_error_and_exits_1_when_rejected(setup, tmp_path):
    agreement, _ = setup
    path = tmp_path / "sales.csv"
    path.write_bytes(_csv("A-100,2026-08-05,abc,199,,,jd,,B-1", "ZZZ,2026-08-05,1,199,,,jd,,B-2"))
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "import_sales", str(path), agreement=agreement.number, stdout=out, stderr=io.StringIO()
        )
    assert error.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert "第 2 行，数量：必须是整数 / Row 2, quantity: must be a whole number" in lines
    assert (
        "第 3 行，产品：未知产品 ZZZ（该品牌方无此 SKU）/ Row 3, product: unknown product ZZZ "
        "for this brand"
    ) in lines
    assert SaleLine.objects.count() == 0


def test_command_refuses_an_unknown_agreement(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_bytes(_csv())
    with pytest.raises(CommandError, match="HT-NONE"):
        call_command("import_sales", str(path), agreement="HT-NONE")


# --- admin -------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, setup):
    _, staff = setup
    client.force_login(staff)
    return client


def _upload(client, agreement, name, content):
    return client.post(
        reverse("admin:kpis_salesimport_upload"),
        {"agreement": agreement.pk, "file": SimpleUploadedFile(name, content)},
    )


def test_admin_upload_runs_the_import_and_shows_its_progress(
    setup, staff_client, django_capture_on_commit_callbacks
):
    agreement, _ = setup
    changelist = staff_client.get(reverse("admin:kpis_salesimport_changelist"))
    assert "上传销售文件" in changelist.content.decode()
    assert staff_client.get(reverse("admin:kpis_salesimport_upload")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(staff_client, agreement, "sales.csv", _csv(*_good_rows(4)))
    sales_import = SalesImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:kpis_salesimport_change", args=[sales_import.pk])

    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    assert 'id="import-bar"' in page.content.decode()
    data = staff_client.get(
        reverse("admin:kpis_salesimport_progress", args=[sales_import.pk])
    ).json()
    assert data == {
        "id": sales_import.pk,
        "status": "done",
        "status_display": "完成",
        "finished": True,
        "percent": 100,
        "rows_total": 4,
        "rows_done": 4,
        "rows_created": 4,
        "rows_duplicate": 0,
        "error_count": 0,
    }
    listing = staff_client.get(reverse("admin:kpis_salesimport_changelist")).content.decode()
    assert "sales.csv" in listing and "100%" in listing
    lines = staff_client.get(page.context["lines_url"])
    assert lines.status_code == 200
    assert list(lines.context["cl"].queryset) == list(
        SaleLine.objects.filter(import_batch=sales_import)
    )


def test_admin_shows_the_errors_of_a_rejected_import(
    setup, staff_client, django_capture_on_commit_callbacks
):
    agreement, _ = setup
    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_client, agreement, "bad.csv", _csv("A-100,2026-08-05,abc,199,,,jd,,B-1"))
    sales_import = SalesImport.objects.get()
    page = staff_client.get(reverse("admin:kpis_salesimport_change", args=[sales_import.pk]))
    html = page.content.decode()
    assert 'id="import-errors"' in html
    # each message and column in the page's language only (zh-hans by default)
    assert one_language(msg.NOT_AN_INTEGER, "zh-hans") in html
    assert msg.NOT_AN_INTEGER not in html
    assert "<td>数量</td>" in html
    data = staff_client.get(
        reverse("admin:kpis_salesimport_progress", args=[sales_import.pk])
    ).json()
    assert (data["status"], data["error_count"], data["finished"]) == ("rejected", 1, True)


def test_admin_upload_refuses_other_files_with_a_clear_message(setup, staff_client):
    agreement, _ = setup
    response = _upload(staff_client, agreement, "sales.txt", b"product\n")
    assert response.status_code == 200
    assert one_language(imports.UNSUPPORTED_FILE, "zh-hans") in response.content.decode()
    assert not SalesImport.objects.exists()


def test_admin_models_are_not_added_or_edited_directly(setup, staff_client):
    assert staff_client.get(reverse("admin:kpis_salesimport_add")).status_code == 403


def test_another_agencys_staff_cannot_see_the_import(setup, client):
    agreement, _ = setup
    sales_import = _run(agreement, _csv(*_good_rows(1)))
    outsider = f.user(f.agency(), User.Role.AGENCY_STAFF)
    client.force_login(outsider)
    change = client.get(reverse("admin:kpis_salesimport_change", args=[sales_import.pk]))
    progress = client.get(reverse("admin:kpis_salesimport_progress", args=[sales_import.pk]))
    assert (change.status_code, progress.status_code) == (404, 404)
    # nor upload into an agreement of another agency
    response = _upload(client, agreement, "sales.csv", _csv(*_good_rows(1)))
    assert response.status_code == 200
    assert "agreement" in response.context["form"].errors
    assert SalesImport.objects.count() == 1
