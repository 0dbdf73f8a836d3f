"""What each kind of agreement binds its sides to besides money (data, read by services).

``TEMPLATES`` are created when an agreement becomes active: a recurring one
(``schedule``) as an ``ObligationSeries`` with one obligation per month or quarter, a
dated one as one ``Obligation`` falling due on the agreement's last day (``due="end"``)
or some years after it (``due="end+years"``: confidentiality). ``APPROVALS`` are the
things one side asks the other to approve; they are created when asked, never on a
schedule. Titles and clauses are the contract's own words (Chinese), as stored data.
"""

from dataclasses import dataclass

AGENCY = "agency"
BRAND = "brand"
B2B = "b2b_commission"
REVENUE_SHARE = "revenue_share"
CONSULTING = "consulting_fixed_fee"

# "Due on the agreement's last day" and "the confidentiality years after it".
DUE_END = "end"
DUE_END_PLUS_YEARS = "end+years"
# Confidentiality lasts at least this many years when the agreement does not say.
CONFIDENTIALITY_YEARS = 3


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    kind: str  # meeting / report / training / approval / other
    owed_by: str
    clause: str
    description: str = ""
    schedule: str = ""  # monthly / quarterly: a recurring obligation
    due_day: int | None = None  # None: the period's last day
    due: str = ""  # DUE_END / DUE_END_PLUS_YEARS for a dated one
    remind_days: int = 3
    # A duty that lasts until its date (confidentiality): kept, not missed, when it passes.
    lasts: bool = False


@dataclass(frozen=True)
class ApprovalSubject:
    key: str
    title: str
    clause: str
    requested_by: str
    promotion: bool = False  # the request carries a promotion plan (code, dates, floor)
    # On approval the requester owes this too (spending receipted after it is approved).
    follow_up: str = ""
    follow_up_days: int = 30


TEMPLATES: dict[str, tuple[Template, ...]] = {
    B2B: (
        Template(
            key="b2b.monthly_meeting",
            title="每月与甲方召开网络会议",
            kind="meeting",
            owed_by=AGENCY,
            clause="四.1",
            description="乙方根据工作进度每月至少应和甲方召开一次网络会议。",
            schedule="monthly",
        ),
        Template(
            key="b2b.monthly_report",
            title="月度招商执行计划与总结",
            kind="report",
            owed_by=AGENCY,
            clause="二.1",
            description="B2B招商经理负责每月的招商执行计划、周推广工作计划、月度总结和实施方案。",
            schedule="monthly",
        ),
    ),
    REVENUE_SHARE: (
        Template(
            key="rs.confidentiality.agency",
            title="协议终止后保密义务（乙方）",
            kind="other",
            owed_by=AGENCY,
            clause="第五章 B",
            description="本协议终止至少3年内，双方仍然负有保密义务。",
            due=DUE_END_PLUS_YEARS,
            remind_days=30,
            lasts=True,
        ),
        Template(
            key="rs.confidentiality.brand",
            title="协议终止后保密义务（甲方）",
            kind="other",
            owed_by=BRAND,
            clause="第五章 B",
            description="本协议终止至少3年内，双方仍然负有保密义务。",
            due=DUE_END_PLUS_YEARS,
            remind_days=30,
            lasts=True,
        ),
    ),
    CONSULTING: (
        Template(
            key="cf.quarterly_training",
            title="每季度向乙方提供产品知识培训",
            kind="training",
            owed_by=BRAND,
            clause="第五条 4",
            description="甲方须向乙方提供每季度产品知识培训、产品素材等。",
            schedule="quarterly",
            remind_days=7,
        ),
        Template(
            key="cf.team_training_handover",
            title="完成甲方运营团队培训并交接",
            kind="training",
            owed_by=AGENCY,
            clause="第三条 5",
            description="乙方在服务期内对甲方运营团队培训完毕，使甲方团队能独立操作店铺，乙方退出运营培训。",
            due=DUE_END,
            remind_days=14,
        ),
    ),
}

APPROVALS: dict[str, tuple[ApprovalSubject, ...]] = {
    B2B: (
        ApprovalSubject(
            key="b2b.paid_promotion",
            title="付费推广方案及预算",
            clause="三.4、一.12",
            requested_by=AGENCY,
            promotion=True,
        ),
    ),
    REVENUE_SHARE: (
        ApprovalSubject(
            key="rs.promotion_plan",
            title="促销计划",
            clause="第二章 A.2",
            requested_by=AGENCY,
            promotion=True,
        ),
        ApprovalSubject(
            key="rs.marketing_spending",
            title="营销推广费用",
            clause="第三章 C",
            requested_by=AGENCY,
            follow_up="提供营销费用支出凭证",
        ),
    ),
    CONSULTING: (
        ApprovalSubject(
            key="cf.publish_construction",
            title="建设工作对外公布前的书面确认",
            clause="第三条 2",
            requested_by=AGENCY,
        ),
    ),
}


def templates_for(kind: str) -> tuple[Template, ...]:
    return TEMPLATES.get(kind, ())


def template_by_key(key: str) -> Template | None:
    return next((t for ts in TEMPLATES.values() for t in ts if t.key == key), None)


def approval_subjects_for(kind: str) -> tuple[ApprovalSubject, ...]:
    return APPROVALS.get(kind, ())


def approval_subject(key: str) -> ApprovalSubject | None:
    return next((s for ss in APPROVALS.values() for s in ss if s.key == key), None)


# Template keys of duties that last until their date (never "missed" when it passes).
LASTING_KEYS = frozenset(t.key for ts in TEMPLATES.values() for t in ts if t.lasts)
