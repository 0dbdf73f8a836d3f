"""Reading bank exports: CSV and XLSX as Chinese banks write them, and camt.053 XML.

Nothing here touches the database: ``parse`` turns a file into credits (``BankRow``),
the number of debits it skipped, the columns it used and every error with its row
number. ``banking.services.bank_transactions_import`` checks the references against
what is stored and saves.

CSV and XLSX are read by ``kpis.import_files.SourceFile`` (UTF-8 with or without a BOM,
else GB18030/GBK; the same size, row, column and zip-bomb limits as the sales import).
Banks put title rows (account, period) above the header, so the header is the first of
the first ``HEADER_SEARCH_ROWS`` non-blank rows that names the columns needed; rows
after it with neither a date nor a reference (合计, 以下空白) are footers and skipped.
"""

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from types import SimpleNamespace
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.core.files.storage import FileSystemStorage

from banking import messages as msg
from kpis import import_files
from kpis.import_files import ErrorLog, FileUnreadable, SourceFile, limit_mb_text

HEADER_SEARCH_ROWS = 20
MAX_REMARK = 500
LIMITS = {"payer_name": 200, "payer_account": 64, "bank_ref": 100}

# --- columns -------------------------------------------------------------------------------

# Field: header synonyms, most specific first (when a file has two, the first wins).
COLUMNS: dict[str, tuple[str, ...]] = {
    "booked_on": ("记账日期", "交易日期", "入账日期", "交易日", "交易时间", "日期", "booked_on"),
    "credit": (
        "贷方金额",
        "收入金额",
        "贷方发生额",
        "贷方发生额（收入）",
        "收入",
        "贷方",
        "存入金额",
        "credit",
    ),
    "debit": (
        "借方金额",
        "支出金额",
        "借方发生额",
        "借方发生额（支取）",
        "支出",
        "借方",
        "支取金额",
        "debit",
    ),
    "amount": ("交易金额", "发生额", "金额", "amount"),
    "direction": ("借贷标志", "借贷方向", "收支方向", "借/贷", "收支标志", "direction"),
    "payer_name": (
        "对方户名",
        "对方账户名称",
        "对方账户名",
        "对方单位名称",
        "对方名称",
        "收(付)方名称",
        "付款人名称",
        "付款方户名",
        "payer_name",
    ),
    "payer_account": (
        "对方账号",
        "对方账户",
        "对方帐号",
        "收(付)方帐号",
        "收(付)方账号",
        "付款人账号",
        "付款方账号",
        "payer_account",
    ),
    "remark": ("摘要", "附言", "用途", "备注", "交易附言", "个性化信息", "remark"),
    "bank_ref": (
        "流水号",
        "交易流水号",
        "银行流水号",
        "账户明细编号-交易流水号",
        "业务流水号",
        "凭证号",
        "bank_ref",
    ),
    "currency": ("币种", "货币", "currency"),
}
LABELS = {
    "booked_on": "交易日期",
    "credit": "贷方金额",
    "debit": "借方金额",
    "amount": "交易金额",
    "direction": "借贷标志",
    "payer_name": "对方户名",
    "payer_account": "对方账号",
    "remark": "摘要",
    "bank_ref": "流水号",
    "currency": "币种",
}
MULTI = {"remark"}  # every column found is read, joined with a space

# Presets: how a bank's default export names its columns. ``generic`` reads any of the
# synonyms above.
PRESETS: dict[str, dict[str, Any]] = {
    "generic": {},
    "icbc": {
        "booked_on": "交易时间",
        "credit": "贷方发生额",
        "debit": "借方发生额",
        "payer_name": "对方单位名称",
        "payer_account": "对方账号",
        "remark": ["摘要", "用途", "个性化信息"],
        "bank_ref": "凭证号",
    },
    "ccb": {
        "booked_on": "记账日期",
        "credit": "贷方发生额（收入）",
        "debit": "借方发生额（支取）",
        "payer_name": "对方户名",
        "payer_account": "对方账号",
        "remark": ["摘要", "备注"],
        "bank_ref": "账户明细编号-交易流水号",
        "currency": "币种",
    },
    "cmb": {
        "booked_on": "交易日",
        "credit": "贷方金额",
        "debit": "借方金额",
        "payer_name": "收(付)方名称",
        "payer_account": "收(付)方帐号",
        "remark": ["摘要", "用途"],
        "bank_ref": "流水号",
    },
}
PRESET_NAMES = {
    "generic": "通用（按表头识别）/ generic (by the headers)",
    "icbc": "工商银行 / ICBC",
    "ccb": "建设银行 / CCB",
    "cmb": "招商银行 / CMB",
}


def header_key(text: str) -> str:
    """Headers compare after NFKC (full-width brackets), without spaces, _ or case."""
    return re.sub(r"[\s_\ufeff]+", "", unicodedata.normalize("NFKC", text)).casefold()


# --- rows and results -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BankRow:
    """One credit read from a file; ``row`` is the row (or camt.053 entry) it came from."""

    row: int
    booked_on: date
    amount: Decimal
    payer_name: str
    payer_account: str
    remark: str
    bank_ref: str
    currency: str = "CNY"

    def as_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "booked_on": self.booked_on.isoformat(),
            "amount": f"{self.amount:.2f}",
            "payer_name": self.payer_name,
            "payer_account": self.payer_account,
            "remark": self.remark,
            "bank_ref": self.bank_ref,
        }


class BankErrorLog(ErrorLog):
    """The sales import's error log, with the bank columns' names."""

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(
                {
                    "row": row,
                    "column": column,
                    "message": message,
                    "text": error_text(row, column, message),
                }
            )


def error_text(row: int | None, column: str | None, message: str) -> str:
    """ "第 5 行，贷方金额：… / Row 5, credit: …" for a "中文 / English" message."""
    zh_where = "，".join(
        p for p in (f"第 {row} 行" if row else "", LABELS.get(column or "", column or "")) if p
    )
    en_where = ", ".join(p for p in (f"Row {row}" if row else "", column or "") if p)
    if not zh_where:
        return message
    zh, separator, en = message.partition(" / ")
    if not separator:
        zh, separator, en = message.partition("/ ")
    if not separator:
        return f"{zh_where}：{message}"
    return f"{zh_where}：{zh} / {en_where}: {en}"


@dataclass
class Parsed:
    """What a file holds: credits, debits skipped, columns, errors."""

    format: str
    rows: list[BankRow] = field(default_factory=list)
    debits: int = 0
    errors: BankErrorLog = field(default_factory=BankErrorLog)
    columns: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.errors.total == 0


# --- cells --------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: ``="0123"`` (Excel's keep-the-zeros trick) unwrapped, tabs and
    spaces trimmed, whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip().strip("\t").strip()
    match = re.fullmatch(r'="(.*)"', text)
    return match.group(1).strip() if match else text


EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(value: Any) -> date | None:
    """A booking date from a cell: a date, an Excel serial, 2026-09-25, 2026/09/25,
    2026.09.25, 2026年9月25日 or 20260925, a time after it ignored; None if not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and value == int(value):
            value = str(int(value))
        elif 20000 <= value <= 80000:  # an Excel serial day in a cell without a date format
            return EXCEL_EPOCH + timedelta(days=int(value))
        else:
            return None
    text = cell_text(value)
    try:
        match = _DATE_TEXT.match(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = re.match(r"(\d{4})(\d{2})(\d{2})(?:\D|$)", text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def parse_amount(value: Any) -> Decimal | None:
    """An amount from a cell ("1,234.56", "¥1 234.56", "-12.00", a number); None when the
    cell is blank or a dash. Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = unicodedata.normalize("NFKC", cell_text(value))
        text = re.sub(r"[\s,¥￥]|CNY|RMB|元", "", text, flags=re.IGNORECASE)
        if text in ("", "-", "--", "—"):
            return None
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise ValueError(text)
        number = Decimal(text)
    try:
        rounded = number.quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise ValueError(str(value)) from error
    if rounded != number:
        raise ValueError(str(value))
    return rounded


def is_cny(text: str) -> bool:
    return header_key(text) in ("", "cny", "rmb", "人民币", "156", "¥", "￥")


# --- the header ---------------------------------------------------------------------------


@dataclass
class Header:
    row: int
    fields: dict[str, list[int]]  # field -> column indexes (several only for the remark)
    texts: list[str]

    def columns(self) -> dict[str, Any]:
        used_indexes = {i for indexes in self.fields.values() for i in indexes}
        names = {i: name for name, indexes in self.fields.items() for i in indexes}
        return {
            "used": [[self.texts[i], names[i]] for i in sorted(used_indexes)],
            "ignored": [t for i, t in enumerate(self.texts) if t and i not in used_indexes],
        }


def _wanted(mapping: dict[str, Any]) -> dict[str, list[str]]:
    """The header texts each field is looked for under: the mapping's, else synonyms."""
    wanted: dict[str, list[str]] = {}
    for name, aliases in COLUMNS.items():
        given = mapping.get(name)
        if given:
            wanted[name] = [given] if isinstance(given, str) else list(given)
        elif not mapping:
            wanted[name] = list(aliases)
        else:
            wanted[name] = []
    return wanted


def _match_header(cells: Sequence[Any], wanted: dict[str, list[str]]) -> dict[str, list[int]]:
    keys = [header_key(cell_text(c)) for c in cells]
    found: dict[str, list[int]] = {}
    taken: set[int] = set()
    for name, aliases in wanted.items():
        for alias in aliases:
            key = header_key(alias)
            indexes = [i for i, k in enumerate(keys) if k == key and i not in taken]
            if not indexes:
                continue
            if name in MULTI:
                found.setdefault(name, []).extend(indexes[:1])
                taken.add(indexes[0])
                continue
            found[name] = indexes[:1]
            taken.add(indexes[0])
            break
    return found


def _missing(found: dict[str, list[int]]) -> list[str]:
    missing = [name for name in ("booked_on", "bank_ref") if name not in found]
    if "credit" not in found and "amount" not in found:
        missing.append("credit")
    return missing


def mapping_check(mapping: Any) -> list[str]:
    """What is wrong with an explicit column mapping (empty when it is usable)."""
    if not isinstance(mapping, dict):
        return [msg.BAD_MAPPING]
    problems = []
    for name, value in mapping.items():
        if name not in COLUMNS:
            problems.append(msg.UNKNOWN_MAPPING_FIELD.format(name=name))
        elif not (
            (isinstance(value, str) and value.strip())
            or (
                isinstance(value, list)
                and name in MULTI
                and value
                and all(isinstance(v, str) and v.strip() for v in value)
            )
        ):
            problems.append(msg.BAD_MAPPING)
    return problems


def header_find(
    rows: Iterator[tuple[int, Sequence[Any]]], mapping: dict[str, Any], errors: ErrorLog
) -> Header | None:
    """The first of the first HEADER_SEARCH_ROWS non-blank rows naming the needed columns."""
    wanted = _wanted(mapping)
    best: tuple[int, list[str]] | None = None
    for seen, (number, cells) in enumerate(rows):
        found = _match_header(cells, wanted)
        missing = _missing(found)
        if not missing:
            return Header(row=number, fields=found, texts=[cell_text(c) for c in cells])
        if best is None or len(missing) < len(best[1]):
            best = (number, missing)
        if seen + 1 >= HEADER_SEARCH_ROWS:
            break
    missing = best[1] if best else _missing({})
    if mapping:
        for name in missing:
            given = mapping.get(name) or (mapping.get("amount") if name == "credit" else None)
            if given:
                errors.add(None, name, msg.MAPPED_COLUMN_MISSING.format(column=given))
        if errors.total:
            return None
    errors.add(
        None,
        None,
        msg.NO_HEADER.format(
            rows=HEADER_SEARCH_ROWS,
            missing="、".join(LABELS[name] for name in missing),
            missing_en=", ".join(missing),
        ),
    )
    return None


# --- table rows ---------------------------------------------------------------------------

_FOOTER = re.compile(r"(合计|总计|小计|以下空白|本页|共\s*\d|total)", re.IGNORECASE)


def _is_footer(cells: Sequence[Any]) -> bool:
    """A totals or end line under the table: its first text says so."""
    first = next((cell_text(c) for c in cells if cell_text(c)), "")
    return _FOOTER.match(first) is not None


_DEBIT_WORDS = {"借", "支", "支出", "付", "d", "dr", "debit", "借方", "-"}


def _row_read(number: int, cells: Sequence[Any], header: Header, parsed: Parsed) -> None:
    def value(name: str) -> Any:
        indexes = header.fields.get(name) or []
        return cells[indexes[0]] if indexes and indexes[0] < len(cells) else None

    def text(name: str) -> str:
        return cell_text(value(name))

    when, ref = value("booked_on"), text("bank_ref")
    if not ref and (cell_text(when) == "" or _is_footer(cells)):
        return  # a footer: 合计, 以下空白
    errors = parsed.errors
    before = errors.total
    booked_on = parse_date(when)
    if booked_on is None:
        errors.add(number, "booked_on", msg.NOT_A_DATE)
    amounts: dict[str, Decimal | None] = {}
    for name in ("credit", "debit", "amount"):
        try:
            amounts[name] = parse_amount(value(name)) if name in header.fields else None
        except ValueError:
            errors.add(number, name, msg.NOT_AN_AMOUNT)
            amounts[name] = None
    credit, debit = amounts["credit"], amounts["debit"]
    if "amount" in header.fields and "credit" not in header.fields:
        amount = amounts["amount"]
        is_debit = (
            header_key(text("direction")) in _DEBIT_WORDS if "direction" in header.fields else False
        )
        if amount is not None and (amount < 0 or is_debit):
            credit, debit = None, abs(amount)
        else:
            credit = amount
    if errors.total > before:
        return
    if not credit:
        if debit:
            parsed.debits += 1
            return
        errors.add(number, "credit", msg.NO_AMOUNT if credit is None else msg.AMOUNT_POSITIVE)
        return
    if credit < 0:
        errors.add(number, "credit", msg.NEGATIVE_CREDIT)
    currency = text("currency")
    if not is_cny(currency):
        errors.add(number, "currency", msg.CURRENCY_CNY)
    values = {
        "payer_name": text("payer_name"),
        "payer_account": text("payer_account"),
        "bank_ref": ref,
    }
    if not ref:
        errors.add(number, "bank_ref", msg.REQUIRED)
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors.add(number, name, msg.TOO_LONG.format(limit=limit))
    remark = " ".join(
        t
        for t in (cell_text(cells[i]) for i in header.fields.get("remark", []) if i < len(cells))
        if t
    )
    if errors.total > before or booked_on is None:
        return
    parsed.rows.append(
        BankRow(
            row=number,
            booked_on=booked_on,
            amount=credit,
            remark=remark[:MAX_REMARK],
            currency="CNY",
            **values,
        )
    )


def _duplicates(parsed: Parsed) -> None:
    first: dict[str, int] = {}
    for row in parsed.rows:
        seen = first.setdefault(row.bank_ref, row.row)
        if seen != row.row:
            parsed.errors.add(
                row.row, "bank_ref", msg.REF_TWICE.format(ref=row.bank_ref, first=seen)
            )


def table_parse(source: SourceFile, mapping: dict[str, Any], fmt: str) -> Parsed:
    parsed = Parsed(format=fmt)
    try:
        with source.rows() as rows:
            header = header_find(rows, mapping, parsed.errors)
            if header is None:
                return parsed
            parsed.columns = header.columns()
            for number, cells in rows:
                _row_read(number, cells, header, parsed)
    except FileUnreadable as error:
        parsed.errors.add(error.row, error.column, error.message)
        return parsed
    _duplicates(parsed)
    if parsed.ok and not parsed.rows and not parsed.debits:
        parsed.errors.add(None, None, msg.NO_ROWS)
    return parsed


# --- camt.053 -------------------------------------------------------------------------------

try:  # pragma: no cover - depends on what is installed
    from defusedxml.ElementTree import iterparse as _iterparse  # type: ignore[import-untyped]

    DEFUSED = True
except ImportError:  # pragma: no cover
    from xml.etree.ElementTree import iterparse as _iterparse

    DEFUSED = False

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _declares_dtd(path: str) -> bool:
    """Whether the file declares a DTD or entities anywhere (read in overlapping blocks)."""
    tail = b""
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            if _DTD.search(tail + block):
                return True
            tail = block[-32:]
    return False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: Any, path: str) -> Any:
    """The first element at ``path`` (local names separated by /), any namespace."""
    current = [element]
    for step in path.split("/"):
        current = [child for parent in current for child in parent if _local(child.tag) == step]
        if not current:
            return None
    return current[0]


def _text_at(element: Any, *paths: str) -> str:
    for path in paths:
        found = _find(element, path)
        if found is not None and (found.text or "").strip():
            return str(found.text).strip()
    return ""


def _entry_read(number: int, entry: Any, parsed: Parsed) -> None:
    errors = parsed.errors
    before = errors.total
    direction = _text_at(entry, "CdtDbtInd").upper()
    if direction == "DBIT":
        parsed.debits += 1
        return
    amount_element = _find(entry, "Amt")
    try:
        amount = parse_amount(amount_element.text if amount_element is not None else None)
    except ValueError:
        amount = None
    if amount is None or amount <= 0:
        errors.add(number, "credit", msg.AMOUNT_POSITIVE)
    elif not is_cny(amount_element.get("Ccy", "")):
        errors.add(number, "currency", msg.CURRENCY_CNY)
    booked_on = parse_date(_text_at(entry, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt"))
    if booked_on is None:
        errors.add(number, "booked_on", msg.NOT_A_DATE)
    details = "NtryDtls/TxDtls"
    ref = _text_at(entry, "AcctSvcrRef", f"{details}/Refs/AcctSvcrRef", "NtryRef")
    if not ref:
        errors.add(number, "bank_ref", msg.REQUIRED)
    parties = f"{details}/RltdPties"
    values = {
        "payer_name": _text_at(entry, f"{parties}/Dbtr/Nm", f"{parties}/Dbtr/Pty/Nm"),
        "payer_account": _text_at(
            entry, f"{parties}/DbtrAcct/Id/Othr/Id", f"{parties}/DbtrAcct/Id/IBAN"
        ),
        "bank_ref": ref,
    }
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors.add(number, name, msg.TOO_LONG.format(limit=limit))
    info = _find(entry, f"{details}/RmtInf")
    remark = " ".join(
        (child.text or "").strip()
        for child in (info if info is not None else [])
        if _local(child.tag) == "Ustrd" and (child.text or "").strip()
    ) or _text_at(entry, "AddtlNtryInf")
    if errors.total > before or amount is None or booked_on is None:
        return
    parsed.rows.append(
        BankRow(
            row=number, booked_on=booked_on, amount=amount, remark=remark[:MAX_REMARK], **values
        )
    )


def camt053_parse(path: str) -> Parsed:
    parsed = Parsed(format="camt053")
    if not DEFUSED and _declares_dtd(path):
        parsed.errors.add(None, None, msg.XML_DTD)
        return parsed
    number = 0
    root_seen = False
    try:
        for event, element in _iterparse(path, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name in ("BkToCstmrStmt", "Stmt"):
                    root_seen = True
                continue
            if name == "Ntry":
                number += 1
                if number > import_files.MAX_ROWS:
                    parsed.errors.add(
                        number, None, import_files.TOO_MANY_ROWS.format(limit=import_files.MAX_ROWS)
                    )
                    return parsed
                _entry_read(number, element, parsed)
                element.clear()
    except (ParseError, ValueError) as error:  # damaged XML; defusedxml's refusals are ValueErrors
        forbidden = type(error).__name__ in ("DTDForbidden", "EntitiesForbidden")
        parsed.errors.add(None, None, msg.XML_DTD if forbidden else msg.BAD_XML)
        return parsed
    if not root_seen:
        parsed.errors.add(None, None, msg.NOT_CAMT053)
        return parsed
    _duplicates(parsed)
    if parsed.ok and not parsed.rows and not parsed.debits:
        parsed.errors.add(None, None, msg.NO_ROWS)
    return parsed


# --- files --------------------------------------------------------------------------------


def file_format(name: str, head: bytes) -> str | None:
    """csv, xlsx or camt053 from the name and the first bytes; None if not loadable."""
    suffix = PurePath(name or "").suffix.lower()
    if head.startswith(b"PK"):
        return "xlsx" if suffix in (".xlsx", "") else None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return None  # an old .xls
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".xml" or stripped.startswith(b"<"):
        return "camt053"
    if suffix in (".csv", ".txt", ""):
        return "csv"
    return None


@contextmanager
def stored_copy(upload: IO[bytes]) -> Iterator[str]:
    """The upload copied to a temporary file (refused over the size limit); its path."""
    directory = tempfile.mkdtemp(prefix="bank-import-")
    path = os.path.join(directory, "upload")
    try:
        size = 0
        if hasattr(upload, "seek"):
            upload.seek(0)
        with open(path, "wb") as handle:
            while block := upload.read(1 << 20):
                size += len(block)
                if size > import_files.MAX_FILE_BYTES:
                    raise FileUnreadable(
                        import_files.FILE_TOO_LARGE.format(
                            limit_mb=limit_mb_text(import_files.MAX_FILE_BYTES)
                        )
                    )
                handle.write(block)
        yield path
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def parse_path(
    path: str, *, name: str, preset: str = "", mapping: dict[str, Any] | None = None
) -> Parsed:
    """Read the file at ``path`` (called ``name``) with a preset or an explicit mapping."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    fmt = file_format(name, head)
    if fmt is None:
        parsed = Parsed(format="")
        parsed.errors.add(None, None, msg.UNSUPPORTED_FILE)
        return parsed
    if fmt == "camt053":
        return camt053_parse(path)
    columns: dict[str, Any]
    if mapping:
        columns = mapping
    else:
        columns = PRESETS.get(preset or "generic", {})
    storage = FileSystemStorage(location=os.path.dirname(path))
    source = SourceFile(
        file=SimpleNamespace(storage=storage, name=os.path.basename(path)), kind=fmt
    )
    return table_parse(source, columns, fmt)


def parse(
    upload: IO[bytes], *, name: str, preset: str = "", mapping: dict[str, Any] | None = None
) -> Parsed:
    """Read an uploaded bank export: every credit, or the errors (row-numbered)."""
    problems: list[str] = []
    if preset and preset not in PRESETS:
        problems.append(msg.UNKNOWN_PRESET.format(preset=preset))
    if mapping:
        problems.extend(mapping_check(mapping))
    if problems:
        parsed = Parsed(format="")
        for problem in problems:
            parsed.errors.add(None, None, problem)
        return parsed
    try:
        with stored_copy(upload) as path:
            return parse_path(path, name=name, preset=preset, mapping=mapping)
    except FileUnreadable as error:
        parsed = Parsed(format="")
        parsed.errors.add(error.row, error.column, error.message)
        return parsed
