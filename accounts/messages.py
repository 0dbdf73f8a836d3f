"""User-facing messages of the accounts app (constants, so tests assert them exactly)."""

from core.messages import FORBIDDEN_FOR_ROLE  # noqa: F401  (re-exported)

# A brand's invoicing details (accounts.invoicing).
INVOICING_BRAND_ONLY = (
    "只有品牌方有开票信息和付款户名、账号 "
    "/ only a brand has invoicing details and payer names and accounts"
)
TAX_ID_LENGTH = (
    "纳税人识别号应为 18 位统一社会信用代码或 15 位旧税号 "
    "/ a taxpayer ID is an 18-character unified social credit code or an old "
    "15-character tax number"
)
TAX_ID_CHARACTERS = (
    "纳税人识别号只能包含数字和大写字母（统一社会信用代码不用 I、O、S、V、Z）"
    "/ a taxpayer ID has only digits and capital letters (a unified social credit code "
    "never uses I, O, S, V or Z)"
)
TAX_ID_CHECK = (
    "统一社会信用代码的校验位不符，请逐位核对 "
    "/ the check character of this unified social credit code does not match: please "
    "check every character"
)
ENTRY_EMPTY = "第 {position} 项为空 / entry {position} is empty"
ENTRY_TOO_LONG = (
    "第 {position} 项过长（最多 {max} 个字符）/ entry {position} is too long (at most {max} "
    "characters)"
)
ENTRY_TWICE = "“{value}”重复 / “{value}” is given twice"
TOO_MANY = "最多 {max} 项 / at most {max} entries"
INVOICING_EDIT_FORBIDDEN = (
    "只有品牌方财务或代运营员工可以修改开票信息 "
    "/ only the brand's finance users or agency staff may change the invoicing details"
)
