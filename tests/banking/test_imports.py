"""Loading bank exports: encodings, title rows, presets, camt.053, all-or-nothing."""

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from banking import imports
from banking import messages as msg
from banking.models import BankImport, BankTransaction
from banking.services import bank_transactions_import
from tests.banking import files

pytestmark = pytest.mark.django_db

CMB_ROWS = [
    [
        "20260925",
        "10:11:12",
        "",
        "3,570.00",
        "1",
        "货款",
        "CMB0001",
        "杭州茗香茶业有限公司",
        "6222020200001234",
        "ST-2026-000003",
    ],
    ["2026/09/26", "09:00:00", "1,000.00", "", "2", "手续费", "CMB0002", "", "", ""],
    ["2026-09-27", "", "", "12,000.50", "3", "服务费", "CMB0003", "陌生公司", "9999", "转账"],
]


def _load(world, upload, name, **kwargs):
    return bank_transactions_import(
        agency=world.agency, upload=upload, name=name, by=world.staff, **kwargs
    )


def test_gbk_csv_with_title_rows_and_chinese_headers(world):
    result = _load(world, files.gbk_csv(CMB_ROWS), "招商银行明细.csv")
    assert result.ok, result.parsed.errors.as_json()
    assert (result.created, result.duplicates, result.parsed.debits) == (2, 0, 1)
    first = BankTransaction.objects.get(bank_ref="CMB0001")
    assert first.booked_on == date(2026, 9, 25)
    assert first.amount == Decimal("3570.00")
    assert first.payer_brand == world.brand
    assert first.remark == "货款 ST-2026-000003"
    assert first.source == "csv" and first.status == "unmatched"
    second = BankTransaction.objects.get(bank_ref="CMB0003")
    assert second.amount == Decimal("12000.50") and second.payer_brand is None
    assert result.bank_import.status == BankImport.Status.DONE
    assert result.parsed.columns["ignored"] == ["交易时间", "余额"]


def test_the_cmb_preset_reads_the_same_file(world):
    result = _load(world, files.gbk_csv(CMB_ROWS), "a.csv", preset="cmb")
    assert result.ok and result.created == 2


def test_reimport_adds_nothing(world):
    _load(world, files.gbk_csv(CMB_ROWS), "a.csv")
    again = _load(world, files.gbk_csv(CMB_ROWS), "a.csv")
    assert again.ok and (again.created, again.duplicates) == (0, 2)
    assert BankTransaction.objects.count() == 2


def test_a_bad_row_saves_nothing_and_names_its_row(world):
    rows = [*CMB_ROWS, ["2026-09-31", "", "", "abc", "", "x", "CMB0004", "x", "", ""]]
    result = _load(world, files.gbk_csv(rows), "a.csv")
    assert not result.ok
    errors = result.parsed.errors.as_json()
    # four title rows (one blank), the header on row 5, the bad row on row 9
    assert {(e["row"], e["column"], e["message"]) for e in errors} == {
        (9, "booked_on", msg.NOT_A_DATE),
        (9, "credit", msg.NOT_AN_AMOUNT),
    }
    assert errors[0]["text"].startswith("第 9 行，交易日期：")
    assert BankTransaction.objects.count() == 0 and BankImport.objects.count() == 0


def test_a_reference_twice_in_one_file_is_an_error(world):
    rows = [CMB_ROWS[0], [*CMB_ROWS[2][:6], "CMB0001", *CMB_ROWS[2][7:]]]
    result = _load(world, files.gbk_csv(rows), "a.csv")
    assert [e["message"] for e in result.parsed.errors.as_json()] == [
        msg.REF_TWICE.format(ref="CMB0001", first=6)
    ]
    assert not BankTransaction.objects.exists()


def test_utf8_bom_csv_with_an_explicit_mapping(world):
    text = '日期,收,付,户名,账号,附言,编号\n2026-09-25,"1,234.56",,茗香控股（香港）有限公司,,ST-2026-000001,R1\n'
    mapping = {
        "booked_on": "日期",
        "credit": "收",
        "debit": "付",
        "payer_name": "户名",
        "payer_account": "账号",
        "remark": ["附言"],
        "bank_ref": "编号",
    }
    result = _load(world, files.utf8_bom_csv(text), "export.csv", mapping=mapping)
    assert result.ok, result.parsed.errors.as_json()
    credit = BankTransaction.objects.get()
    assert (credit.amount, credit.payer_brand) == (Decimal("1234.56"), world.brand)
    # a mapping naming a column the file lacks
    bad = _load(
        world, files.utf8_bom_csv(text), "export.csv", mapping={**mapping, "bank_ref": "流水"}
    )
    assert [e["message"] for e in bad.parsed.errors.as_json()] == [
        msg.MAPPED_COLUMN_MISSING.format(column="流水")
    ]


def test_xlsx_with_excel_dates_and_numbers(world):
    upload = files.xlsx(
        [
            (
                datetime(2026, 9, 25),  # noqa: DTZ001 - a naive Excel cell
                3570,
                None,
                "杭州茗香茶业有限公司",
                "6222020200001234",
                "货款",
                202609250001,
            ),
            ("2026.09.26", "25,000.00", None, "某公司", "6222 0202 0000 1234", "首期", "X2"),
            (46290, None, 88.5, "", "", "年费", "X3"),  # a debit with an Excel serial date
        ]
    )
    result = _load(world, upload, "建行.xlsx", preset="ccb")
    assert not result.ok  # the preset's headers are CCB's own, not these
    upload.seek(0)
    result = _load(world, upload, "建行.xlsx")
    assert result.ok, result.parsed.errors.as_json()
    assert (result.created, result.parsed.debits) == (2, 1)
    first = BankTransaction.objects.get(bank_ref="202609250001")
    assert (first.booked_on, first.amount, first.source) == (
        date(2026, 9, 25),
        Decimal("3570.00"),
        "xlsx",
    )
    # the account matched although the name did not
    assert BankTransaction.objects.get(bank_ref="X2").payer_brand == world.brand


def test_camt053(world):
    upload = files.camt053(
        [
            (
                "CRDT",
                "3570.00",
                "2026-09-25",
                "CAMT-1",
                "杭州茗香茶业有限公司",
                "6222020200001234",
                "ST-2026-000003",
            ),
            ("DBIT", "10.00", "2026-09-25", "CAMT-2", "Bank", "", "fee"),
            ("CRDT", "100.00", "2026-09-26", "CAMT-3", "Somebody", "1", "x"),
        ]
    )
    result = _load(world, upload, "statement.xml")
    assert result.ok, result.parsed.errors.as_json()
    assert (result.created, result.parsed.debits) == (2, 1)
    credit = BankTransaction.objects.get(bank_ref="CAMT-1")
    assert (credit.source, credit.payer_brand, credit.remark) == (
        "camt053",
        world.brand,
        "ST-2026-000003",
    )


def test_camt053_with_a_dtd_is_refused(world):
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Document><BkToCstmrStmt/></Document>'
    result = _load(world, io.BytesIO(xml), "evil.xml")
    assert [e["message"] for e in result.parsed.errors.as_json()] == [msg.XML_DTD]


def test_camt053_non_cny_and_bad_amount(world):
    upload = files.camt053([("CRDT", "abc", "2026-09-25", "C1", "x", "", "")])
    result = _load(world, upload, "s.xml")
    assert result.parsed.errors.as_json()[0]["row"] == 1
    usd = (
        files.camt053([("CRDT", "5.00", "2026-09-25", "C1", "x", "", "")])
        .getvalue()
        .replace(b"CNY", b"USD")
    )
    result = _load(world, io.BytesIO(usd), "s.xml")
    assert [e["message"] for e in result.parsed.errors.as_json()] == [msg.CURRENCY_CNY]


def test_preview_saves_nothing(world):
    result = _load(world, files.gbk_csv(CMB_ROWS), "a.csv", preview=True)
    assert result.ok and len(result.new_rows) == 2
    rows = result.rows_json()
    assert rows[0]["brand"] == world.brand.pk and rows[0]["already_imported"] is False
    assert not BankTransaction.objects.exists() and not BankImport.objects.exists()


def test_no_header_and_unsupported_files(world):
    result = _load(world, files.utf8_bom_csv("a,b\n1,2\n"), "a.csv")
    assert result.parsed.errors.as_json()[0]["message"].startswith("前 20 行中找不到表头")
    result = _load(world, io.BytesIO(b"\xd0\xcf\x11\xe0old"), "a.xls")
    assert result.parsed.errors.as_json()[0]["message"] == msg.UNSUPPORTED_FILE
    assert imports.mapping_check({"nope": "x"}) == [msg.UNKNOWN_MAPPING_FIELD.format(name="nope")]
    assert imports.mapping_check("x") == [msg.BAD_MAPPING]
    assert json.loads(json.dumps(imports.PRESETS))


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2026-09-25", date(2026, 9, 25)),
        ("2026/9/5 10:00", date(2026, 9, 5)),
        ("20260925", date(2026, 9, 25)),
        (20260925, date(2026, 9, 25)),
        ("2026年09月25日", date(2026, 9, 25)),
        (46290, date(2026, 9, 25)),
        ("25/09/2026", None),
        ("2026-02-30", None),
    ],
)
def test_parse_date(cell, day):
    assert imports.parse_date(cell) == day


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        ("1,234.56", "1234.56"),
        ("¥ 1 234.5", "1234.50"),
        (1234.5, "1234.50"),
        ("-", None),
        ("", None),
    ],
)
def test_parse_amount(cell, amount):
    assert imports.parse_amount(cell) == (Decimal(amount) if amount else None)


def test_parse_amount_refuses():
    for cell in ("1.234", "abc", "1e5"):
        with pytest.raises(ValueError):
            imports.parse_amount(cell)
