"""User-facing messages of receivables and balance confirmations (constants, so tests
assert them exactly), in the "中文 / English" style of the other apps."""

from core.messages import FUTURE_DATE, STAFF_ONLY  # noqa: F401  (re-exported)

NOT_A_BRAND = "请选择品牌方 / choose a brand"
BRAND_NOT_FOUND = "品牌方不存在或不在您的权限范围内 / no such brand in your scope"
ALREADY_ANSWERED = (
    "该确认函已答复（当前：{status}），如余额有变请出具新的确认函 "
    "/ this balance confirmation was already answered (now {status}); issue a new one "
    "for a new balance"
)
COMMENT_REQUIRED = "请说明余额不符之处 / say what does not match"
CONFIRMATION_NOT_FOUND = (
    "余额确认函不存在或不在您的权限范围内 / no such balance confirmation in your scope"
)
PDF_NOT_READY = "PDF 生成中，请稍后再试 / the PDF is still being rendered: try again shortly"
