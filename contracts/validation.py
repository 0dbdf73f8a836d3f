"""Validation messages for agreements and products (constants, so tests assert them).

Bilingual on purpose: staff read Chinese, integrators often English.
"""

ENDS_BEFORE_STARTS = "结束日期不能早于开始日期。/ The end date cannot be before the start date."
RATIO_OUT_OF_RANGE = "分成比例必须在 0 到 1 之间。/ The share ratio must be between 0 and 1."
NEGATIVE_AMOUNT = "金额不能为负数。/ The amount cannot be negative."
NEGATIVE_PRICE = "价格不能为负数。/ Prices cannot be negative."
NEGATIVE_RATE = "违约金日费率不能为负数。/ The daily penalty rate cannot be negative."
RATE_TOO_HIGH = (
    "违约金日费率不能超过 1（100%/日）。/ The daily penalty rate cannot exceed 1 (100% a day)."
)
INSTALLMENTS_NOT_100 = (
    "分期比例合计必须为 100%（当前 {total}%）。/ Installments must add up to 100% (now {total}%)."
)
INSTALLMENTS_MISSING = (
    "固定服务费协议至少需要一期付款。/ A fixed-fee agreement needs at least one installment."
)
INSTALLMENT_PERCENT_RANGE = (
    "每期比例必须大于 0 且不超过 100。/ Each installment is more than 0% and at most 100%."
)
UNKNOWN_KIND = "未知的协议类型：{kind}。/ Unknown agreement kind: {kind}."
BRAND_NOT_BRAND = "甲方必须是品牌方。/ The brand must be an organization of kind brand."
AGENCY_NOT_AGENCY = "乙方必须是代运营方。/ The agency must be an organization of kind agency."
BRAND_OF_OTHER_AGENCY = "该品牌方不由此代运营方服务。/ This brand is not served by this agency."
BANK_ACCOUNT_NOT_PAYEE = (
    "收款账户必须属于乙方（代运营方）。/ The payee bank account must belong to the agency."
)
BANK_ACCOUNT_REQUIRED = "激活前必须指定收款账户。/ Name the payee bank account before activating."
TERMS_MISSING = "协议缺少条款。/ The agreement has no terms for its kind."
TOTAL_FEE_REQUIRED = "固定服务费总额必须大于 0。/ The total fee must be more than 0."
NOT_DRAFT = "只有草稿状态的协议可以激活（当前：{status}）。/ Only a draft agreement can be activated (now {status})."
NOT_ACTIVE = "只有执行中的协议可以终止（当前：{status}）。/ Only an active agreement can be terminated (now {status})."
TERMINATION_BEFORE_START = (
    "终止日期不能早于开始日期。/ The termination date cannot be before the start date."
)
TERMINATION_AFTER_END = (
    "终止日期不能晚于结束日期。/ The termination date cannot be after the end date."
)
REASON_REQUIRED = "请填写原因。/ A reason is required."
PRODUCT_OTHER_BRAND = "产品 {sku} 不属于该品牌方。/ Product {sku} belongs to another brand."
OBJECTION_PARTY = "异议方必须是 brand 或 agency。/ The objecting party must be brand or agency."
OBJECTION_NOT_RENEWING = "该协议不会自动续约。/ This agreement does not renew automatically."
FUTURE_DATE = "日期不能晚于今天。/ The date cannot be in the future."
NOT_EDITABLE = "只有草稿状态的协议可以修改（当前：{status}）。/ Only a draft agreement can be changed (now {status})."
UNKNOWN_TERM = "Unknown term for this kind. / 该类型协议无此条款。"
TERMINATION_BEFORE_RECORDS = (
    "终止日期 {on} 之后已有 {found_zh}，不能在此日期终止；请改用更晚的日期，或先作废/更正这些记录。"
    "/ The agreement cannot end on {on}: it already has {found_en} after that day. Choose a later"
    " date, or void or correct them first."
)
BLANK_TERMS_UNCONFIRMED = (
    "以下金额条款为空：{blank_zh}。激活后将开具：{billed_zh}。如确认无误，请确认后再激活"
    '（API：发送 {{"confirm": true}}）。/ These money terms are blank: {blank_en}. Activating'
    ' bills: {billed_en}. Send {{"confirm": true}} to activate anyway.'
)
PERIOD_OUTSIDE_AGREEMENT = (
    "期间 {period} 不在协议期内（{starts_on} 至 {ends_on}）。"
    "/ Period {period} has no day inside the agreement ({starts_on} to {ends_on})."
)
VAT_RATE_NOT_ALLOWED = (
    "增值税税率只能是 0.06、0.03、0.01 或 0。/ The VAT rate must be 0.06, 0.03, 0.01 or 0."
)
