"""Role checks: the one home of "may this user act on this agreement?".

Services of every app call these; ``by=None`` means the system (a scheduled job) and is
always allowed. An agreement is passed rather than a brand so the checks read the same
everywhere: staff act for the agency that runs the agreement, brand finance for its
brand, superusers for all.
"""

from typing import Any

from core import messages as msg
from core.exceptions import RuleViolation


def is_staff_for(user: Any, agreement: Any) -> bool:
    """A superuser, or staff of the agency that runs ``agreement``."""
    return bool(
        getattr(user, "is_superuser", False)
        or (getattr(user, "is_agency_staff", False) and user.organization_id == agreement.agency_id)
    )


def is_brand_finance_for(user: Any, agreement: Any) -> bool:
    """A finance user of ``agreement``'s brand."""
    return bool(
        getattr(user, "is_brand_finance", False) and user.organization_id == agreement.brand_id
    )


def require_staff_for(user: Any, agreement: Any) -> None:
    """Refuse unless ``user`` is the system or staff for ``agreement``."""
    if user is not None and not is_staff_for(user, agreement):
        raise RuleViolation({"non_field_errors": [msg.STAFF_ONLY]})


def require_brand_finance_or_staff_for(user: Any, agreement: Any) -> None:
    """Refuse unless ``user`` is the system, staff for ``agreement`` or its brand finance."""
    if user is not None and not (
        is_staff_for(user, agreement) or is_brand_finance_for(user, agreement)
    ):
        raise RuleViolation({"non_field_errors": [msg.BRAND_FINANCE_ONLY]})
