"""Messages of breach notices and cure periods (constants, so tests assert them)."""

from core.messages import (  # noqa: F401  (shared messages, re-exported)
    BRAND_FINANCE_ONLY,
    FUTURE_DATE,
    STAFF_ONLY,
)

UNKNOWN_SIDE = '请选择发送方：agency（代运营方）或 brand（品牌方）/ by is "agency" or "brand"'
BRAND_SENDS_AS_BRAND = (
    "品牌方只能以品牌方名义发送违约通知 / a brand user sends notices for the brand only"
)
DESCRIPTION_REQUIRED = "请描述违约事项 / describe the breach"
NOT_IN_FORCE = (
    "协议尚未生效，不能发送违约通知 / the agreement is not in force: no breach notice on a draft"
)
OUTSIDE_AGREEMENT = (
    "发送日期须在协议期限内（{first} 至 {last}）"
    "/ the notice must be sent while the agreement runs ({first} to {last})"
)
OBLIGATION_OF_OTHER_AGREEMENT = "该义务不属于此协议 / the obligation belongs to another agreement"
ALREADY_CURED = "该违约已于 {day} 纠正 / the breach was already cured on {day}"
CURED_BEFORE_SENT = (
    "纠正日期不能早于通知发送日期 / the cure cannot be dated before the notice was sent"
)
