"""Demo data: one agency, two brands with users, one agreement of each kind.

Figures come from the seed contracts in shared/seeds/: the B2B recruitment agreement
(monthly minimums; the template leaves the numbers blank, so plausible ones are used),
the 7:3 revenue share with a 10,000.00 setup fee, and 50,000.00 of consulting over six
months in two 50% installments. Running it again changes nothing.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from accounts.models import BankAccount, Organization, User
from common import clock
from contracts.models import Agreement, Party, Product
from contracts.services import agreement_activate, agreement_create
from core.money import CENT
from core.periods import Period

DEMO_PASSWORD = "demo-pass-2026"


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _user(
    result: DemoResult,
    username: str,
    *,
    org: Organization | None,
    role: str,
    staff: bool = False,
    superuser: bool = False,
    email: str = "",
) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "organization": org,
            "role": role,
            "is_staff": staff or superuser,
            "is_superuser": superuser,
            "email": email or f"{username}@example.com",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        result.created.append(f"user {username}")
    result.logins.append((username, DEMO_PASSWORD, role or "superuser"))
    return user


def _product(
    brand: Organization,
    sku: str,
    name: str,
    factory: str,
    distributor: str,
    min_retail: str,
    per_carton: int,
) -> Product:
    product, _ = Product.objects.get_or_create(
        brand=brand,
        sku=sku,
        defaults={
            "name": name,
            "factory_price": Decimal(factory),
            "distributor_price": Decimal(distributor),
            "min_retail_price": Decimal(min_retail),
            "units_per_carton": per_carton,
        },
    )
    return product


def _agreement(result: DemoResult, admin: User, number: str, **kwargs: Any) -> Agreement:
    existing = Agreement.objects.filter(number=number).first()
    if existing is not None:
        return existing
    agreement = agreement_create(by=admin, number=number, **kwargs)
    agreement = agreement_activate(agreement=agreement, by=admin)
    result.created.append(f"agreement {number}")
    return agreement


@transaction.atomic
def seed_demo() -> DemoResult:
    """Create the demo organizations, users, products and agreements if missing."""
    result = DemoResult()
    agency, _ = Organization.objects.get_or_create(
        name="杭州云帆电商运营有限公司",
        defaults={
            "kind": Organization.Kind.AGENCY,
            "contact_email": "finance@yunfan.example",
            "address": "浙江省杭州市余杭区文一西路 998 号",
        },
    )
    account, _ = BankAccount.objects.get_or_create(
        organization=agency,
        account_number="3301 0400 1234 5678 901",
        defaults={"bank_name": "招商银行杭州分行", "account_name": "杭州云帆电商运营有限公司"},
    )
    tea, _ = Organization.objects.get_or_create(
        name="山野茶业（福建）有限公司",
        defaults={
            "kind": Organization.Kind.BRAND,
            "agency": agency,
            "contact_email": "caiwu@shanye-tea.example",
            "address": "福建省福州市鼓楼区五四路 88 号",
        },
    )
    silk, _ = Organization.objects.get_or_create(
        name="江南丝绸服饰有限公司",
        defaults={
            "kind": Organization.Kind.BRAND,
            "agency": agency,
            "contact_email": "finance@jiangnan-silk.example",
            "address": "江苏省苏州市吴江区盛泽镇 16 号",
        },
    )
    admin = _user(result, "admin", org=None, role="", superuser=True)
    _user(result, "staff", org=agency, role=User.Role.AGENCY_STAFF, staff=True)
    _user(result, "tea_finance", org=tea, role=User.Role.BRAND_FINANCE)
    _user(result, "tea_viewer", org=tea, role=User.Role.BRAND_VIEWER)
    _user(result, "silk_finance", org=silk, role=User.Role.BRAND_FINANCE)
    _demo_invoicing_details(result, tea, silk)

    tea_products = [
        _product(tea, "TEA-DHP-250", "大红袍 250g 礼盒", "80.00", "120.00", "199.00", 20),
        _product(tea, "TEA-TGY-500", "铁观音 500g 罐装", "60.00", "95.00", "159.00", 24),
        _product(tea, "TEA-BC-100", "白茶饼 100g", "35.00", "55.00", "89.00", 40),
    ]
    silk_products = [
        _product(silk, "SILK-SCARF-01", "真丝方巾 90cm", "120.00", "180.00", "299.00", 50),
    ]

    common = {
        "agency": agency,
        "bank_account": account,
        "confidentiality_party": Party.BOTH,
        "confidentiality_years": 3,
    }
    b2b = _agreement(
        result,
        admin,
        "HT-2026-0001",
        kind=Agreement.Kind.B2B_COMMISSION,
        brand=tea,
        title="B2B电子商务运营外包合作协议（经销商招募）",
        signed_on=date(2026, 4, 20),
        starts_on=date(2026, 5, 1),
        ends_on=date(2027, 4, 30),
        exclusivity_party=Party.BRAND,
        exclusivity_scope="网络招商运营权仅授予乙方",
        terms={
            "monthly_service_fee": Decimal("8000.00"),
            "min_distributors": 5,
            "min_cartons": 200,
            "min_sales_amount": Decimal("100000.00"),
        },
        products=tea_products,
        **common,
    )
    revenue_share = _agreement(
        result,
        admin,
        "HT-2026-0002",
        kind=Agreement.Kind.REVENUE_SHARE,
        brand=tea,
        title="网络销售平台合作协议（收益 7:3 分配）",
        signed_on=date(2026, 5, 20),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        terms={"agency_ratio": Decimal("0.30"), "setup_fee": Decimal("10000.00")},
        products=tea_products,
        **common,
    )
    _agreement(
        result,
        admin,
        "HT-2026-0003",
        kind=Agreement.Kind.CONSULTING_FIXED_FEE,
        brand=silk,
        title="店铺运营顾问服务协议（6 个月）",
        signed_on=date(2026, 6, 28),
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
        terms={"total_fee": Decimal("50000.00")},
        products=silk_products,
        **common,
    )
    # Two agreements whose end has passed, so the daily job (run by ``manage.py serve`` at
    # start-up) has work to show: a renewal, an expiry and an end-of-term installment bill.
    renewing = _agreement(
        result,
        admin,
        "HT-2025-0008",
        kind=Agreement.Kind.CONSULTING_FIXED_FEE,
        brand=silk,
        title="店铺诊断顾问服务协议（年度，自动续约）",
        signed_on=date(2025, 9, 25),
        starts_on=date(2025, 10, 1),
        ends_on=date(2026, 9, 30),
        auto_renew=True,
        renewal_term_months=12,
        terms={"total_fee": Decimal("24000.00")},
        **common,
    )
    ended = _agreement(
        result,
        admin,
        "HT-2026-0004",
        kind=Agreement.Kind.CONSULTING_FIXED_FEE,
        brand=tea,
        title="直播运营顾问服务协议（6 个月）",
        signed_on=date(2026, 4, 25),
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 10, 31),
        terms={"total_fee": Decimal("36000.00")},
        **common,
    )
    for agreement in (renewing, ended):
        _demo_signing_installment_paid(admin, agreement)
    _demo_b2b_months(result, admin, b2b)
    _demo_revenue_share_months(result, admin, revenue_share)
    _demo_statements(result, admin, [b2b, revenue_share])
    _demo_invoices(result, admin, revenue_share)
    _demo_balance_confirmation(result, admin, tea)
    _demo_bank_transactions(result, admin, agency, tea)
    _demo_obligations(result, admin, b2b, revenue_share)
    _demo_breach_notice(result, admin, b2b)
    return result


def _demo_obligations(
    result: DemoResult, admin: User, b2b: Agreement, revenue_share: Agreement
) -> None:
    """The agreements' obligations came with their activation; the daily job marks the
    missed ones. Here: a B2B meeting recorded done with its minutes, and a promotion plan
    of the revenue share waiting for the tea brand's approval (once)."""
    from obligations.models import Obligation
    from obligations.services import PromotionPlan, approval_request, obligation_complete

    if Obligation.objects.filter(agreement=revenue_share, kind="approval").exists():
        return
    first = (
        Obligation.objects.filter(agreement=b2b, template_key="b2b.monthly_meeting")
        .order_by("due_on")
        .first()
    )
    if first is not None and first.status in ("open", "missed") and first.due_on <= clock.today():
        obligation_complete(
            obligation=first,
            by=admin,
            note="线上会议：回顾招商进度，确定下月推广计划。参会：双方项目经理。",
            completed_on=first.due_on,
        )
    today = clock.today()
    starts = max(today, revenue_share.starts_on)
    ends = min(starts.replace(day=1) + timedelta(days=40), revenue_share.effective_ends_on)
    if ends < starts:
        return
    request = approval_request(
        agreement=revenue_share,
        by=admin,
        subject="rs.promotion_plan",
        description="店铺周年庆：全场 8 折，单品不低于 ¥159.00。",
        promotion=PromotionPlan(
            code="ANNIV-2026",
            name="店铺周年庆",
            starts_on=starts,
            ends_on=ends,
            price_floor=Decimal("159.00"),
        ),
    )
    result.created.append(f"approval request {request.title} ({revenue_share.number})")


def _demo_breach_notice(result: DemoResult, admin: User, b2b: Agreement) -> None:
    """A breach notice the brand sent the agency ten days ago, its cure clock still
    running (once): this month's online meeting was not held (四.1)."""
    from obligations.breach import breach_notice_send
    from obligations.models import BreachNotice

    sent_on = clock.today() - timedelta(days=10)
    if BreachNotice.objects.filter(agreement=b2b).exists() or sent_on < b2b.starts_on:
        return
    notice = breach_notice_send(
        agreement=b2b,
        by="brand",
        sent_on=sent_on,
        clause="四.1",
        description="代运营方本月未按约定组织线上会议，亦未提交月度推广计划与总结（二.1）。",
        user=admin,
    )
    result.created.append(f"breach notice {notice.number} (cure by {notice.cure_by})")


def _demo_bank_transactions(
    result: DemoResult, admin: User, agency: Organization, brand: Organization
) -> None:
    """Two credits of yesterday waiting to be allocated: the brand's, quoting its oldest
    open statement's number (the suggestion fills it in), and one from a payer no brand
    matches. Posting them again returns the stored ones."""
    from datetime import timedelta

    from banking.selectors import open_items
    from banking.services import bank_transactions_create

    items = sorted(
        open_items(brand_ids=[brand.pk], agency_ids=[agency.pk]).get(brand.pk, []),
        key=lambda i: (i.due_on or i.issued_on or clock.today(), i.statement),
    )
    yesterday = clock.today() - timedelta(days=1)
    rows = [
        {
            "booked_on": yesterday,
            "amount": Decimal("1888.00"),
            "payer_name": "温州某某贸易有限公司",
            "payer_account": "6217 0000 9999 0001",
            "remark": "货款",
            "bank_ref": "DEMO-BANK-0002",
        }
    ]
    if items:
        rows.insert(
            0,
            {
                "booked_on": yesterday,
                "amount": items[0].outstanding,
                "payer_name": brand.name,
                "payer_account": "",
                "remark": f"付 {items[0].number} 款",
                "bank_ref": "DEMO-BANK-0001",
            },
        )
    for recorded in bank_transactions_create(agency=agency, rows=rows, by=admin):
        if recorded.created:
            result.created.append(f"bank credit {recorded.transaction.bank_ref}")


def _demo_invoicing_details(result: DemoResult, tea: Organization, silk: Organization) -> None:
    """The brands' invoicing details (开票信息) and the other names and accounts they pay
    from, as their finance users would keep them; only where none are given yet."""
    from accounts.invoicing import invoicing_details, organization_invoicing_update

    details = {
        tea: {
            "invoice_title": "山野茶业（福建）有限公司",
            "tax_id": "91350102MA8T3K7Q2D",
            "invoice_address_phone": "福建省福州市鼓楼区五四路 88 号 0591-87654321",
            "invoice_bank_account": "中国工商银行福州五四路支行 1402 0201 0900 1234 567",
            "payer_names": ["山野茶业（福州）电子商务有限公司"],
            "payer_accounts": ["6222 0214 0200 1234 567"],
        },
        silk: {
            "invoice_title": "江南丝绸服饰有限公司",
            "tax_id": "91320509MA1N2J6P4M",
            "invoice_address_phone": "江苏省苏州市吴江区盛泽镇 16 号 0512-63301234",
            "invoice_bank_account": "中国银行吴江盛泽支行 5112 0000 3456",
            "payer_names": ["苏州江南丝绸电子商务有限公司", "江南丝绸天猫旗舰店"],
        },
    }
    for brand, data in details.items():
        if not invoicing_details(brand).is_given:
            organization_invoicing_update(organization=brand, by=None, data=data)
            result.created.append(f"invoicing details of {brand.name}")


def _demo_balance_confirmation(result: DemoResult, admin: User, brand: Organization) -> None:
    """A balance confirmation (往来余额确认函) of the tea brand's open items as of today,
    awaiting its answer in the portal (once: a second run adds none)."""
    from receivables.models import BalanceConfirmation
    from receivables.services import balance_confirmation_issue

    today = clock.today()
    if BalanceConfirmation.objects.filter(brand=brand).exists():
        return
    issued = balance_confirmation_issue(brand=brand, as_of=today, by=admin)
    result.created.append(f"balance confirmation {issued.number} ({brand.name} {today})")


def _demo_signing_installment_paid(admin: User, agreement: Agreement) -> None:
    """The installment billed at signing, paid on its due date (no penalty)."""
    from settlements import services
    from settlements.models import Statement

    bill = Statement.objects.filter(
        agreement=agreement, kind=Statement.Kind.INSTALLMENT, installment_number=1
    ).first()
    if bill is None or bill.payments.exists() or bill.payment_due_on is None:
        return
    services.payment_record(
        statement=bill,
        amount=bill.total_due,
        paid_on=bill.payment_due_on,
        reference="招商银行回单",
        external_ref=f"DEMO-PAY-{bill.base_number}",
        by=admin,
    )


def _demo_statements(result: DemoResult, admin: User, agreements: list[Agreement]) -> None:
    """Statements for the closed months: June–September issued; the month that just closed
    issued today for revenue share (awaiting the brand) and a draft for B2B;
    June and August confirmed, July left unanswered (silence confirms it once the daily
    job runs), August paid late and only half, September disputed."""
    from datetime import timedelta

    from settlements import services
    from settlements.models import Statement

    today = clock.today()
    for agreement in agreements:
        for month in range(5, 11):
            period = Period(2026, month)
            if period.last_day >= today or agreement.starts_on > period.last_day:
                continue
            generated = services.statement_generate(agreement=agreement, period=period, by=admin)
            statement = generated.statement
            if generated.created:
                result.created.append(f"statement {statement.number} ({agreement.number} {period})")
            issue_on = period.next().first_day + timedelta(days=7)
            if statement.status != Statement.Status.DRAFT:
                continue
            if period == Period.of(today).previous():
                # The month that just closed: the revenue-share statement is issued today
                # and awaits the brand's receipt; the B2B one is left as a draft for staff.
                if agreement.kind == Agreement.Kind.REVENUE_SHARE:
                    services.statement_issue(statement=statement, issued_on=today, by=admin)
                continue
            if issue_on > today:
                continue
            statement = services.statement_issue(statement=statement, issued_on=issue_on, by=admin)
            if month == 9:
                services.statement_dispute(
                    statement=statement,
                    comment="九月退货 4 盒未扣除，请核对。",
                    by=admin,
                    disputed_on=issue_on + timedelta(days=2),
                )
            elif month in (6, 8):
                statement = services.statement_confirm(
                    statement=statement, confirmed_on=issue_on + timedelta(days=3), by=admin
                )
            if month == 8 and statement.total_due > 0 and statement.payment_due_on:
                due = statement.payment_due_on
                half = (statement.total_due / 2).quantize(CENT, rounding=ROUND_HALF_UP)
                services.payment_record(
                    statement=statement,
                    amount=half,
                    paid_on=due + timedelta(days=5),
                    reference="招商银行回单",
                    external_ref=f"DEMO-PAY-{statement.base_number}-1",
                    by=admin,
                )


def demo_invoice_pdf(number: str, amount: Decimal) -> bytes:
    """A one-page PDF standing in for a real invoice's file (the demo has none)."""
    text = f"Invoice {number}  CNY {amount}".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 120] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\nBT /F1 12 Tf 24 60 Td (%s) Tj ET\nendstream"
        % (len(text) + 30, text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number_, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number_, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _demo_invoices(result: DemoResult, admin: User, agreement: Agreement) -> None:
    """The agency's 数电专票 for the revenue-share June and August statements, each for
    the full total, dated three days after the statement."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.money import vat_split
    from settlements import services
    from settlements.models import Statement

    for serial, period in ((1, "2026-06"), (2, "2026-08")):
        statement = Statement.objects.filter(
            agreement=agreement, period=period, status__in=Statement.OPEN_STATUSES
        ).first()
        if statement is None or statement.total_due <= 0 or statement.invoices.exists():
            continue
        assert statement.issued_on is not None
        number = f"2635200000000000{serial:04d}"
        split = vat_split(total=statement.total_due, rate=statement.vat_rate)
        services.invoice_record(
            statement=statement,
            kind="vat_special_digital",
            number=number,
            issued_on=statement.issued_on + timedelta(days=3),
            amount=statement.total_due,
            tax_amount=split.tax,
            file=SimpleUploadedFile(
                f"{number}.pdf", demo_invoice_pdf(number, statement.total_due), "application/pdf"
            ),
            by=admin,
        )
        result.created.append(f"invoice {number} ({statement.number})")


DISTRIBUTORS = [
    "福州茗香商行",
    "厦门鹭岛茶庄",
    "泉州安溪茶叶批发",
    "南平武夷山茶铺",
    "宁德福鼎白茶行",
    "杭州西湖茶社",
    "上海静安茶叶店",
    "广州芳村茶城一号",
    "深圳南山茶馆",
    "南京鼓楼茶庄",
]


def _demo_b2b_months(result: DemoResult, admin: User, agreement: Agreement) -> None:
    """May–October: shipments to distributors; August misses the cartons minimum."""
    from kpis.models import KpiRecord
    from kpis.services import kpi_prefill, kpi_record_save, sale_lines_record

    products = list(agreement.products.order_by("sku"))
    for month in range(5, 11):
        period = Period(2026, month)
        weak = month == 8  # the month a minimum is missed (cartons and sales)
        rows = []
        for i in range(8):
            product = products[i % len(products)]
            cartons = (10 if weak else 26) + (i % 3) * 2
            rows.append(
                {
                    "product": product.sku,
                    "sold_on": period.first_day.replace(day=2 + i * 3),
                    "quantity": cartons * product.units_per_carton,
                    "unit_price": str(product.distributor_price),
                    "channel": "b2b_distributor",
                    "distributor": DISTRIBUTORS[(month + i) % len(DISTRIBUTORS)],
                    "external_ref": f"DEMO-B2B-{period}-{i + 1:02d}",
                }
            )
        created = [
            r for r in sale_lines_record(agreement=agreement, rows=rows, by=admin) if r.created
        ]
        if created:
            result.created.append(f"{len(created)} B2B sale lines {period}")
        if not KpiRecord.objects.filter(agreement=agreement, period=str(period)).exists():
            figures = kpi_prefill(agreement=agreement, period=period)
            figures["distributors_recruited"] = 3 if weak else 6
            figures.update(
                {
                    "unique_visitors": 420 + month * 20,
                    "daily_inquiries": Decimal("9.5") + month / Decimal(4),
                    "conversion_rate": Decimal("0.0150") + Decimal(month - 5) / 1000,
                    "baidu_first_page": True,
                    "google_first_page": month >= 9,
                }
            )
            kpi_record_save(agreement=agreement, period=str(period), values=figures, by=admin)
            result.created.append(f"KPI record {period}")


def _demo_revenue_share_months(result: DemoResult, admin: User, agreement: Agreement) -> None:
    """June–October shop sales; a return in September and one sale below minimum retail."""
    from kpis.services import sale_lines_record

    products = list(agreement.products.order_by("sku"))
    channels = ["tmall", "jd", "wechat"]
    for month in range(6, 11):
        period = Period(2026, month)
        rows = []
        for i in range(12):
            product = products[i % len(products)]
            quantity = 20 + (month * 7 + i * 13) % 60
            price = product.min_retail_price
            if month == 7 and i == 5:
                price = (product.min_retail_price * Decimal("0.8")).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
            amount = price * quantity
            rows.append(
                {
                    "product": product.sku,
                    "sold_on": period.first_day.replace(day=1 + i * 2),
                    "quantity": quantity,
                    "unit_price": str(price),
                    "channel": channels[i % 3],
                    "tax": str((amount * Decimal("0.10")).quantize(CENT, rounding=ROUND_HALF_UP)),
                    "logistics": str(Decimal(6) * quantity),
                    "external_ref": f"DEMO-RS-{period}-{i + 1:02d}",
                }
            )
        if month == 9:
            product = products[0]
            rows.append(
                {
                    "product": product.sku,
                    "sold_on": period.first_day.replace(day=25),
                    "quantity": -4,
                    "unit_price": str(product.min_retail_price),
                    "channel": "tmall",
                    "tax": str(
                        -(product.min_retail_price * 4 * Decimal("0.10")).quantize(
                            CENT, rounding=ROUND_HALF_UP
                        )
                    ),
                    "logistics": "-24.00",
                    "external_ref": f"DEMO-RS-{period}-RETURN",
                }
            )
        created = [
            r for r in sale_lines_record(agreement=agreement, rows=rows, by=admin) if r.created
        ]
        if created:
            result.created.append(f"{len(created)} revenue-share sale lines {period}")
