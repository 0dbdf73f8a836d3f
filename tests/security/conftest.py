"""Two agencies, each with a brand and one of everything, for the admin walls.

Agency A's objects carry names and numbers with ``ALPHA`` in them, agency B's ``BRAVO``,
so a page B's staff read can be searched for any trace of A.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organization, User
from banking.services import bank_transaction_create
from common import clock
from contracts.models import Agreement
from core.periods import Period
from integrations.models import WebhookDelivery
from integrations.services import webhook_subscription_create
from kpis.models import Promotion
from kpis.services import kpi_record_save, sale_line_record
from obligations.breach import breach_notice_send
from obligations.models import Obligation
from receivables.services import balance_confirmation_issue
from settlements import services
from settlements.models import PenaltyWaiver, StatementRun
from tests import factories as f

TODAY = date(2026, 11, 20)


@dataclass
class Tenant:
    tag: str
    agency: Organization
    brand: Organization
    staff: User
    brand_user: User
    agreement: Agreement
    objects: dict[str, Any] = field(default_factory=dict)

    @property
    def markers(self) -> list[str]:
        """Texts only this tenant's objects show (names, numbers, SKUs, codes)."""
        return [
            self.agency.name,
            self.brand.name,
            self.agreement.number,
            self.objects["product"].sku,
            self.objects["statement"].number,
            self.objects["promotion"].code,
            self.staff.username,
            self.objects["webhook"].name,
            self.objects["bank_credit"].bank_ref,
            self.objects["breach_notice"].number,
        ]


def _tenant(tag: str) -> Tenant:
    agency = f.agency(f"{tag}Agency代运营")
    brand = f.brand(agency, f"{tag}Brand品牌")
    staff = f.user(agency, User.Role.AGENCY_STAFF, username=f"{tag.lower()}_staff")
    brand_user = f.user(brand, User.Role.BRAND_FINANCE, username=f"{tag.lower()}_finance")
    product = f.product(brand, sku=f"SKU-{tag}-1", factory_price=Decimal("80.00"))
    agreement = f.agreement(
        "revenue_share", brand_org=brand, activate=True, number=f"HT-{tag}-0001", products=[product]
    )
    promotion = Promotion.objects.create(
        agreement=agreement,
        code=f"PROMO-{tag}",
        name=f"{tag} 促销",
        starts_on=date(2026, 8, 1),
        ends_on=date(2026, 8, 31),
        approved_by_brand_on=date(2026, 7, 20),
    )
    sale = sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": product.sku,
            "sold_on": "2026-08-05",
            "quantity": 100,
            "unit_price": "199.00",
            "tax": "1990.00",
            "logistics": "600.00",
            "channel": "tmall",
            "external_ref": f"{tag}-1",
        },
    ).line
    kpi = kpi_record_save(agreement=agreement, period="2026-08", values={}, by=None)
    expense = services.expense_record(
        agreement=agreement,
        period=Period(2026, 9),
        amount=Decimal("500.00"),
        description=f"{tag} 推广费",
        receipt_ref=f"RCPT-{tag}",
        approved_by_brand_on=date(2026, 9, 10),
        by=None,
    )
    statement = services.statement_generate(agreement=agreement, period=Period(2026, 8)).statement
    services.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=None)
    statement.refresh_from_db()
    waiver = PenaltyWaiver.objects.create(
        statement=statement, amount=Decimal("1.00"), reason=f"{tag} 减免"
    )
    invoice = services.invoice_record(
        statement=statement,
        kind="vat_normal_paper",
        number="00000001" if tag == "ALPHA" else "00000002",
        issued_on=date(2026, 9, 9),
        amount=Decimal("10.00"),
        tax_amount=Decimal("0.57"),
        file=SimpleUploadedFile(f"{tag}.pdf", b"%PDF-1.4 invoice"),
        by=staff,
    )
    run = services.statement_run_start(period="2026-10", by=staff, dispatch=False)
    webhook = webhook_subscription_create(
        organization=agency,
        name=f"{tag} webhook",
        url=f"http://127.0.0.1:9/{tag.lower()}",
        events=["statement.issued"],
        format="wecom",
        by=staff,
    )
    WebhookDelivery.objects.create(
        subscription=webhook, event_type="statement.issued", body="{}", status="failed"
    )
    confirmation = balance_confirmation_issue(brand=brand, as_of=date(2026, 11, 1), by=staff)
    bank_credit = bank_transaction_create(
        agency=agency,
        data={
            "booked_on": date(2026, 9, 25),
            "amount": Decimal("100.00"),
            "payer_name": brand.name,
            "remark": statement.number,
            "bank_ref": f"BANK-{tag}-1",
        },
        by=staff,
    ).transaction
    obligation = Obligation.objects.filter(agreement=agreement).order_by("pk").first()
    breach = breach_notice_send(
        agreement=agreement,
        by="agency",
        sent_on=date(2026, 9, 1),
        description=f"{tag} 未按期提交推广计划",
        user=staff,
    )
    return Tenant(
        tag=tag,
        agency=agency,
        brand=brand,
        staff=staff,
        brand_user=brand_user,
        agreement=agreement,
        objects={
            "product": product,
            "promotion": promotion,
            "sale": sale,
            "kpi": kpi,
            "expense": expense,
            "statement": statement,
            "waiver": waiver,
            "invoice": invoice,
            "run": run,
            "webhook": webhook,
            "bank_credit": bank_credit,
            "balance_confirmation": confirmation,
            "obligation": obligation,
            "breach_notice": breach,
        },
    )


@dataclass
class World:
    a: Tenant
    b: Tenant
    schedule_run: StatementRun


@pytest.fixture
def world(db, monkeypatch) -> World:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    a, b = _tenant("ALPHA"), _tenant("BRAVO")
    schedule_run = services.statement_run_start(period="2026-09", by=None, dispatch=False)
    return World(a=a, b=b, schedule_run=schedule_run)
