"""User-facing messages of obligations and approvals (constants, so tests assert them)."""

from core.messages import (  # noqa: F401  (shared messages, re-exported)
    BRAND_FINANCE_ONLY,
    FORBIDDEN_FOR_ROLE,
    FUTURE_DATE,
    STAFF_ONLY,
)

REQUIRED = "必填 / required"
NOT_OPEN = (
    "该义务已是“{status}”状态，不能再修改 / the obligation is {status}: only an open one may change"
)
NOT_OPEN_OR_MISSED = (
    "该义务已是“{status}”状态 / the obligation is {status}: only an open or missed one may change"
)
NOT_AN_APPROVAL = "这不是审批事项 / this obligation is not an approval"
IS_AN_APPROVAL = "审批事项请用“批准”或“驳回” / an approval is approved or rejected, not completed"
AGREEMENT_NOT_RUNNING = "协议尚未生效 / the agreement is not active yet"
DUE_OR_SCHEDULE = "请填写到期日或重复周期（二选一）/ give either a due date or a schedule, not both"
UNKNOWN_SCHEDULE = "重复周期为 monthly 或 quarterly / a schedule is monthly or quarterly"
BAD_DUE_DAY = "到期日应为 1 至 31 之间的日期 / the due day is a day of the month from 1 to 31"
DUE_OUTSIDE_AGREEMENT = "到期日 {day} 不在协议期内（{start} 至 {end}）/ {day} is outside the agreement ({start} to {end})"
STARTS_OUTSIDE_AGREEMENT = (
    "开始日期 {day} 不在协议期内（{start} 至 {end}）"
    "/ {day} is outside the agreement ({start} to {end})"
)
SERIES_DUE_ON = (
    "周期性义务的到期日由周期决定，请修改到期日（每月几号）或周期 "
    "/ a recurring obligation falls due by its schedule: change its due day or schedule instead"
)
NOT_RECURRING = "这不是周期性义务 / this obligation does not recur"
EVIDENCE_REQUIRED = "请填写说明或上传文件作为完成凭证 / give a note or a file as evidence"
REASON_REQUIRED = "请填写豁免原因 / give the reason for waiving it"
COMMENT_REQUIRED = "驳回时请填写意见 / say why it is rejected"
OWING_SIDE_ONLY = (
    "只有负有该义务的一方（或代运营员工）可以登记完成 "
    "/ only the side that owes it (or agency staff) may record it done"
)
OWED_SIDE_ONLY = (
    "只有义务的受益方（或代运营员工）可以豁免 "
    "/ only the side it is owed to (or agency staff) may waive it"
)
DECIDING_SIDE_ONLY = (
    "只有被请求审批的一方（品牌方财务或代运营员工）可以审批 "
    "/ only the side asked (brand finance, or agency staff) may decide"
)
REQUESTING_ROLE = "只有代运营员工或品牌方财务可以提交审批 / only agency staff or brand finance may ask for approval"
PROMOTION_APPROVED = "促销 {code} 已获批准，不能再次提交 / promotion {code} is already approved"
PROMOTION_DATES = "促销结束日早于开始日 / the promotion ends before it starts"
PROMOTION_OUTSIDE_AGREEMENT = (
    "促销期间不在协议期内 / the promotion's dates lie outside the agreement"
)
PRICE_FLOOR_NEGATIVE = "最低价不能为负数 / the price floor cannot be negative"
FILES_TOO_MANY = "最多上传 {max} 个文件 / at most {max} files"
FILE_TYPE = "{name}：不支持的文件类型（可用：{allowed}）/ {name}: use one of {allowed}"
FILE_EMPTY = "{name}：文件为空 / {name} is empty"
FILE_TOO_LARGE = "{name}：超过 {max_mb} MB / {name} is larger than {max_mb} MB"
OBLIGATION_NOT_FOUND = "义务不存在或不在您的权限范围内 / no such obligation in your scope"
FILE_NOT_FOUND = "文件不存在 / no such file"
ANSWER_BY_PAST = "答复期限不能早于今天 / Choose today or a later day."
