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
