"""User-facing messages of sales and KPI validation (constants, so tests assert them)."""

from core.messages import (  # noqa: F401  (shared messages, re-exported)
    FUTURE_DATE,
    PERIOD_INVALID,
)

REQUIRED = "必填 / required"
NOT_A_DATE = "日期格式应为 YYYY-MM-DD / must be a date like 2026-08-31"
NOT_AN_INTEGER = "必须是整数 / must be a whole number"
QUANTITY_ZERO = "数量不能为 0 / the quantity cannot be 0"
NOT_AN_AMOUNT = "必须是金额，最多两位小数 / must be an amount with at most two decimals"
NEGATIVE_PRICE = "价格不能为负数 / prices cannot be negative"
SIGN_MISMATCH = "退货的税费和物流费应为负数或 0，销售应为正数或 0 / on a return tax and logistics are negative or 0, on a sale positive or 0"
UNKNOWN_PRODUCT = "未知产品 {sku}（该品牌方无此 SKU）/ unknown product {sku} for this brand"
PRODUCT_NOT_COVERED = "产品 {sku} 不在本协议范围内 / product {sku} is not covered by this agreement"
OUTSIDE_AGREEMENT = (
    "日期 {day} 不在协议期内（{start} 至 {end}）/ {day} is outside the agreement ({start} to {end})"
)
UNKNOWN_CHANNEL = "未知渠道 {value}，可用：京东、天猫、微信小店、经销商、其他 / unknown channel {value}; use jd, tmall, wechat, b2b_distributor or other"
UNKNOWN_PROMOTION = "未知或未批准的促销 {code} / unknown promotion {code}"
PROMOTION_DATES = "销售日期不在促销 {code} 的期间内 / the sale is outside promotion {code}"
TOO_LONG = "过长（最多 {max} 个字符）/ too long (at most {max} characters)"
NO_SALES_FOR_KIND = "固定服务费协议不记录销售 / a fixed-fee consulting agreement has no sales"
AGREEMENT_NOT_RUNNING = "协议未生效或已结束，不能记录销售 / the agreement is not active"
EXTERNAL_REF_CONFLICT = (
    "外部单号 {ref} 已存在且内容不同 / external_ref {ref} already exists with different content"
)
EXTERNAL_REF_TWICE = (
    "外部单号 {ref} 在本次提交中出现两次（首次为第 {first} 项）"
    "/ external_ref {ref} appears twice (first at index {first})"
)
NOT_B2B = "只有 B2B 招商协议有月度最低指标 / only B2B commission agreements have monthly minimums"
NOTHING_WITHHELD = (
    "本月指标已达成，服务费未被暂扣，无需豁免 / the minimums were met: no fee is withheld"
)
WAIVER_NOT_ALLOWED = "只有品牌方财务，或记录了品牌方书面同意的代运营员工，才能豁免 / only brand finance, or staff recording the brand's written consent, may waive"
CONSENT_REF_REQUIRED = "代运营员工代为豁免时必须填写品牌方书面同意的编号 / staff must give the reference of the brand's written consent"
REASON_REQUIRED = "请填写原因 / a reason is required"
EXTERNAL_REF_TWICE_ROW = (
    "外部单号 {ref} 在文件中出现两次（首次在第 {first} 行）"
    "/ external_ref {ref} appears twice in the file (first at row {first})"
)
