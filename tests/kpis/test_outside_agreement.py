"""A KPI month with no day inside its agreement: refused when recorded, and shown without
an evaluation (never a 500) when it already exists, e.g. from before termination was
refused for it."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from contracts import validation as msg
from contracts.models import Agreement
from core.exceptions import RuleViolation
from kpis.models import KpiRecord
from kpis.services import kpi_evaluation_or_reason, kpi_record_save
from tests import factories as f

pytestmark = pytest.mark.django_db

OUTSIDE = msg.PERIOD_OUTSIDE_AGREEMENT.format(
    period="2026-10", starts_on="2026-06-01", ends_on="2026-09-30"
)


@pytest.fixture
def b2b():
    return f.agreement(
        "b2b_commission", activate=True, terms={"monthly_service_fee": Decimal("8000.00")}
    )


@pytest.fixture
def record_after_termination(b2b):
    """October's record, then a termination on 30 September written straight to the
    table: data the termination check would now refuse, as it exists from before."""
    record = kpi_record_save(agreement=b2b, period="2026-10", values={}, by=None)
    Agreement.objects.filter(pk=b2b.pk).update(
        status=Agreement.Status.TERMINATED, terminated_on=date(2026, 9, 30)
    )
    return KpiRecord.objects.get(pk=record.pk)


def test_a_month_outside_the_agreement_is_not_recorded(b2b):
    with pytest.raises(RuleViolation) as caught:
        kpi_record_save(agreement=b2b, period="2026-05", values={}, by=None)
    assert caught.value.errors == {
        "period": [
            msg.PERIOD_OUTSIDE_AGREEMENT.format(
                period="2026-05", starts_on="2026-06-01", ends_on="2027-05-31"
            )
        ]
    }
    assert not KpiRecord.objects.exists()


def test_an_existing_month_after_termination_has_no_evaluation_and_says_why(
    record_after_termination,
):
    assert kpi_evaluation_or_reason(record=record_after_termination) == (None, OUTSIDE)


def test_admin_kpi_list_and_page_show_the_reason_instead_of_failing(
    client, b2b, record_after_termination
):
    client.force_login(f.user(b2b.agency, User.Role.AGENCY_STAFF))
    listing = client.get(reverse("admin:kpis_kpirecord_changelist"))
    assert listing.status_code == 200
    # the reason in the page's language (zh-hans), with the agreement's dates
    reason = "期间 2026-10 不在协议期内（2026-06-01 至 2026-09-30），不作评估。"
    assert reason in listing.content.decode()
    page = client.get(reverse("admin:kpis_kpirecord_change", args=[record_after_termination.pk]))
    assert page.status_code == 200
    assert reason in page.content.decode()
