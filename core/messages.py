"""Messages more than one app shows (constants, so tests assert them exactly).

Each app keeps its own messages in its ``messages.py`` (or ``validation.py``) and
re-exports these where its callers expect them.
"""

PERIOD_INVALID = "期间格式为 YYYY-MM / a period is written YYYY-MM"
FUTURE_DATE = "日期不能晚于今天 / the date cannot be in the future"
STAFF_ONLY = "只有代运营员工可以执行此操作 / only agency staff may do this"
BRAND_FINANCE_ONLY = (
    "只有品牌方财务（或代其操作的代运营员工）可以执行此操作 "
    "/ only brand finance (or staff on its behalf) may do this"
)
FORBIDDEN_FOR_ROLE = "您的角色不能执行此操作 / your role may not do this"
AGREEMENT_NOT_FOUND = "协议不存在或不在您的权限范围内 / no such agreement in your scope"

# Input the API refuses before any app sees it (common/api/parsers.py, fields.py, errors.py).
TEXT_NOT_STORABLE = (
    "文本不能包含空字符（NUL）或不成对的代理字符 "
    "/ text cannot contain NUL characters or lone surrogates"
)
JSON_TOO_DEEP = "JSON 嵌套超过 {max} 层 / the JSON nests deeper than {max} levels"
BODY_TOO_LARGE = (
    "请求内容过大（上限 {max} 字节）/ the request body is too large (at most {max} bytes)"
)
AMOUNT_FORMAT = (
    "金额只能由半角数字、可选的正负号和一个小数点组成，如 1234.50 "
    "/ an amount is written with ASCII digits, an optional sign and at most one point, "
    "e.g. 1234.50"
)
DATE_RANGE = "日期须在 {first} 至 {last} 之间 / the date must be from {first} to {last}"
PERIOD_RANGE = "期间须在 {first} 至 {last} 之间 / the period must be from {first} to {last}"
