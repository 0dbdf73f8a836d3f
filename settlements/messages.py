"""User-facing messages of settlement services (constants, so tests assert them)."""

from core.messages import (  # noqa: F401  (shared messages, re-exported)
    FUTURE_DATE,
    PERIOD_INVALID,
)

NOT_SETTLED_MONTHLY = "该类型协议没有月度对账单 / this kind of agreement has no monthly statement"
NOT_DRAFT = "只有草稿可以出具或重新计算（当前：{status}）/ only a draft can be issued or recomputed (now {status})"
PERIOD_NOT_ENDED = (
    "{period} 尚未结束，不能出具对账单 / {period} has not ended: its statement cannot be issued yet"
)
PERIOD_OPEN = (
    "{period} 尚未结束，不能结算 / {period} has not ended yet: only a closed month can be settled"
)
BEFORE_ISSUE = "确认日期不能早于出具日期 / the confirmation date cannot be before the issue date"
CANNOT_CONFIRM = "只有已出具的对账单可以确认（当前：{status}）/ only an issued statement can be confirmed (now {status})"
CANNOT_DISPUTE = "只有已出具的对账单可以提出异议（当前：{status}）/ only an issued statement can be disputed (now {status})"
NOT_DISPUTED = "对账单不在异议状态（当前：{status}）/ the statement is not disputed (now {status})"
CANNOT_VOID = "草稿或已作废的对账单不能作废（当前：{status}）/ a draft or void statement cannot be voided (now {status})"
CORRECT_ONLY_VOID = "只有已作废的对账单可以生成更正版本（当前：{status}）/ only a voided statement can be corrected (now {status})"
COMMENT_REQUIRED = "请填写异议说明 / a comment is required"
REASON_REQUIRED = "请填写原因 / a reason is required"
REQUIRED = "必填 / required"
DEEMED_CONFIRMED = (
    "回执期限内未答复，视为确认 / no answer by the receipt deadline: deemed confirmed"
)
PAYMENT_STATE = "草稿或已作废的对账单不能登记付款（当前：{status}）/ no payment on a draft or void statement (now {status})"
AMOUNT_POSITIVE = (
    "金额必须大于 0，最多两位小数 / the amount must be more than 0, with at most two decimals"
)
OVERPAYMENT = (
    "付款超过未付金额 {outstanding} / the payment is more than the outstanding {outstanding}"
)
WAIVER_RANGE = (
    "豁免金额必须大于 0 且不超过 {max} / the amount waived must be more than 0 and at most {max}"
)
PENALTY_LINE = "违约金（对账单 {number}，计至 {as_of}）/ Late penalty on {number} to {as_of}"
NOT_LATE = "{period} 的对账单未逾期（出具期限 {deadline}）/ the {period} statement is not late (deadline {deadline})"
EXPENSE_KIND = (
    "营销推广费只适用于销售分成协议 / pass-through expenses belong to revenue-share agreements"
)
RECEIPT_REQUIRED = "请填写票据编号 / the receipt reference is required"
PAYMENT_REF_CONFLICT = (
    "外部单号 {ref} 已用于另一笔付款 / external_ref {ref} was already used for another payment"
)
NO_RECEIPT_CYCLE = (
    "只有月度对账单需要回执确认或异议；一次性账单和违约金通知按约定付款即可 "
    "/ only monthly statements are confirmed or disputed; one-off bills and penalty notices are simply paid"
)
RECEIPT_DEADLINE_PASSED = (
    "回执期限 {deadline} 已过，对账单已于当日视为确认 "
    "/ the receipt deadline {deadline} has passed: the statement counts as confirmed on that day"
)
DISPUTE_AFTER_DEADLINE = "异议日期不能晚于回执期限 {deadline} / a dispute cannot be dated after the receipt deadline {deadline}"
CONFIRM_AFTER_DEADLINE = (
    "确认日期不能晚于回执期限 {deadline}（此后视为已确认）"
    "/ a confirmation cannot be dated after the receipt deadline {deadline} (silence then counts as confirmation)"
)
BEFORE_DISPUTE = "日期不能早于提出异议的日期 {disputed_on} / the date cannot be before the dispute of {disputed_on}"
DISPUTE_BEFORE_ISSUE = "异议日期不能早于出具日期 {issued_on} / a dispute cannot be dated before the issue date {issued_on}"
WITHDRAWN_CONFIRMED = "异议已撤回，视为于撤回当日确认 / dispute withdrawn: counts as confirmed on the day of withdrawal"
ATTACHMENT_TOO_MANY = "最多 {max} 个附件 / at most {max} attachments"
ATTACHMENT_TOO_LARGE = "{name} 超过 {max_mb} MB / {name} is larger than {max_mb} MB"
ATTACHMENT_TYPE = "{name}：只接受 {allowed} 文件 / {name}: only {allowed} files are accepted"
ATTACHMENT_EMPTY = "{name} 是空文件 / {name} is empty"
DAILY_RUN_FAILED = "每日任务有 {count} 处失败 / the daily job failed on {count} rows"
# --- invoices (发票) ---------------------------------------------------------------------
INVOICE_STATEMENT_STATE = (
    "只能对已出具且未作废的账单登记发票（当前：{status}）"
    "/ an invoice is recorded only on an issued, non-void bill (now {status})"
)
INVOICE_KIND = "请选择发票种类 / choose the kind of invoice"
INVOICE_NUMBER_DIGITAL = "数电发票号码为 20 位数字 / a digital invoice number has exactly 20 digits"
INVOICE_NUMBER_PAPER = "纸质发票号码为 8 位数字 / a paper invoice number has exactly 8 digits"
INVOICE_NUMBER_TAKEN = "发票号码 {number} 已登记 / invoice number {number} is already recorded"
INVOICE_BEFORE_ISSUE = "开票日期不能早于账单出具日期 {issued_on} / the invoice date cannot be before the bill's issue date {issued_on}"
INVOICE_OVER_TOTAL = (
    "发票合计将超过账单总额：尚可开票 {available} "
    "/ the invoices would add up to more than the bill's total: {available} is left to invoice"
)
INVOICE_TAX_RANGE = (
    "税额不能为负，也不能超过价税合计 / the tax cannot be negative or more than the amount with tax"
)
INVOICE_FILE_REQUIRED = (
    "请上传发票文件（PDF、OFD 或 XML）/ the invoice file (PDF, OFD or XML) is required"
)
INVOICE_FILE_TOO_LARGE = "{name} 超过 {max_mb} MB / {name} is larger than {max_mb} MB"
INVOICE_FILE_EMPTY = "{name} 是空文件 / {name} is empty"
INVOICE_FILE_TYPE = (
    "{name}：内容不是 PDF、OFD 或 XML 发票文件 "
    "/ {name}: the content is not a PDF, OFD or XML invoice file"
)
INVOICE_FILE_MISMATCH = (
    "{name}：文件内容是 {actual}，与扩展名不符 "
    "/ {name}: the content is {actual}, which does not match the file name"
)
INVOICE_XML_DTD = (
    "{name}：XML 不能含 DOCTYPE 或实体声明 / {name}: XML with a DOCTYPE or entities is refused"
)
INVOICE_ALREADY_REVERSED = "发票 {number} 已红冲 / invoice {number} is already reversed"
INVOICE_RED_SAME = (
    "红字发票号码不能与原发票相同 / the red invoice's number must differ from the invoice's"
)
INVOICE_REVERSE_BEFORE = "红冲日期不能早于开票日期 {issued_on} / the reversal cannot be dated before the invoice of {issued_on}"
INVOICES_TO_REVERSE = (
    "对账单作废，发票待红冲：{numbers} / statement voided: invoices to be reversed: {numbers}"
)
