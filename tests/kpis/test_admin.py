from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from common.models import Event
from kpis.models import KpiRecord
from kpis.services import sale_line_record
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_staff_add_and_correct_a_kpi_record_in_the_admin(client):
    agreement = f.agreement(
        "b2b_commission",
        activate=True,
        starts_on=date(2026, 6, 1),
        terms={"monthly_service_fee": Decimal("8000.00")},
    )
    f.product(agreement.brand, sku="TEA-1", units_per_carton=20)
    sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": "TEA-1",
            "sold_on": "2026-08-05",
            "quantity": 400,
            "unit_price": "120.00",
            "channel": "经销商",
            "distributor": "A",
            "external_ref": "K-1",
        },
    )
    client.force_login(f.user(agreement.agency, User.Role.AGENCY_STAFF))
    add = reverse("admin:kpis_kpirecord_add")
    form = client.get(f"{add}?agreement={agreement.pk}&period=2026-08").content.decode()
    assert 'value="20.00"' in form  # cartons pre-filled from the sale lines
    data = {
        "agreement": agreement.pk,
        "period": "2026-08",
        "distributors_recruited": "5",
        "cartons_shipped": "20.00",
        "sales_amount": "48000.00",
        "unique_visitors": "0",
        "daily_inquiries": "0",
        "conversion_rate": "0",
        "notes": "",
        "waivers-TOTAL_FORMS": "0",
        "waivers-INITIAL_FORMS": "0",
        "waivers-MIN_NUM_FORMS": "0",
        "waivers-MAX_NUM_FORMS": "1000",
    }
    assert client.post(add, data).status_code == 302
    record = KpiRecord.objects.get(agreement=agreement, period="2026-08")
    change = reverse("admin:kpis_kpirecord_change", args=[record.pk])
    data.pop("agreement")
    data.pop("period")
    data["distributors_recruited"] = "6"
    assert client.post(change, data).status_code == 302
    record.refresh_from_db()
    assert (record.distributors_recruited, record.cartons_shipped) == (6, Decimal("20.00"))
    actions = Event.objects.filter(object_type="kpirecord", object_id=record.pk)
    assert sorted(actions.values_list("action", flat=True)) == ["kpi.corrected", "kpi.created"]
    assert KpiRecord.objects.count() == 1
