"""User-facing messages of bank transactions (constants, so tests assert them exactly)."""

from core.messages import FUTURE_DATE  # noqa: F401  (shared message, re-exported)

REQUIRED = "必填 / required"
STAFF_ONLY = "只有代运营方员工可以操作银行流水 / only agency staff work with bank transactions"
NO_AGENCY = "请指定收款的代运营方 / name the agency whose account received the money"
AMOUNT_POSITIVE = (
    "金额必须大于 0，最多两位小数 / the amount must be more than 0, with at most two decimals"
)
NOT_AN_AMOUNT = "不是有效的金额 / not an amount"
NOT_A_DATE = (
    "不是有效的日期（如 2026-09-25、2026/09/25、20260925）"
    "/ not a date (write 2026-09-25, 2026/09/25 or 20260925)"
)
CURRENCY_CNY = "只能导入人民币（CNY）流水 / only CNY transactions can be loaded"
TOO_LONG = "超过 {limit} 个字符 / longer than {limit} characters"
NO_AMOUNT = "贷方和借方金额都为空 / neither a credit nor a debit amount is given"
NEGATIVE_CREDIT = "贷方金额不能为负数 / a credit cannot be negative"
REF_TWICE = (
    "流水号「{ref}」在文件中出现两次（第 {first} 行）"
    "/ bank reference {ref} appears twice in the file (first in row {first})"
)
REF_CONFLICT = (
    "流水号「{ref}」已存在且内容不同 / bank reference {ref} is already stored with other content"
)
UNSUPPORTED_FILE = (
    "只能导入 .csv、.xlsx 或 camt.053 .xml 文件（.xls 请另存为 .xlsx）"
    "/ only .csv, .xlsx and camt.053 .xml files can be loaded (save an .xls as .xlsx)"
)
NO_HEADER = (
    "前 {rows} 行中找不到表头：缺少 {missing} / no header row in the first {rows} rows: "
    "the columns {missing_en} are missing"
)
UNKNOWN_PRESET = "未知的银行预设「{preset}」/ unknown bank preset {preset}"
BAD_MAPPING = (
    '列映射应为 JSON 对象，如 {{"booked_on": "交易日期", "credit": "贷方金额"}}'
    " / the column mapping must be a JSON object naming a column for each field"
)
UNKNOWN_MAPPING_FIELD = "未知的字段「{name}」/ unknown field {name}"
MAPPED_COLUMN_MISSING = "文件中没有列「{column}」/ the file has no column {column}"
NO_ROWS = "文件中没有交易 / the file holds no transactions"
BAD_XML = "无法读取 camt.053 文件 / cannot read the camt.053 file"
XML_DTD = "XML 文件含有 DTD 或实体声明，已拒绝 / the XML file declares a DTD or entities: refused"
NOT_CAMT053 = "不是 camt.053 银行对账单 / not a camt.053 bank statement"
ALLOCATIONS_REQUIRED = "请至少分配一项 / allocate to at least one item"
STATEMENT_TWICE = "同一对账单只能出现一次 / each statement may appear once"
OVER_ALLOCATED = (
    "分配合计 {total} 超过该笔流水未分配的 {left} / the allocations add up to {total}, "
    "more than the {left} left of this credit"
)
OVER_OUTSTANDING = (
    "{number}：分配 {amount} 超过未付本金 {outstanding} / {number}: {amount} is more than "
    "the {outstanding} outstanding"
)
STATEMENT_NOT_OPEN = (
    "{number} 不是未结清的已出具对账单 / {number} is not an issued statement still owed"
)
OTHER_AGENCY = (
    "{number} 不属于收款的代运营方 / {number} is not owed to the agency that received this credit"
)
TOO_MANY_ITEMS = "一次最多提交 {max} 笔 / at most {max} transactions per request"
EMPTY_LIST = "列表为空 / the list is empty"
ITEM_NOT_OBJECT = "每一项都必须是对象 / each item must be a JSON object"
BODY_NOT_OBJECT_OR_LIST = (
    "请求体应为一个对象或对象列表 / the body must be a JSON object or a list of objects"
)
