"""Test data builders, all in one place. Each returns saved objects with sane defaults."""

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from accounts.models import BankAccount, Organization, User
from contracts.models import Agreement, Product
from contracts.services import agreement_activate, agreement_create

_seq = itertools.count(1)


def agency(name: str | None = None) -> Organization:
    org = Organization.objects.create(name=name or f"Agency {next(_seq)}", kind="agency")
    BankAccount.objects.create(
        organization=org,
        bank_name="招商银行",
        account_name=org.name,
        account_number=f"6225{next(_seq):012d}",
    )
    return org


def brand(agency_org: Organization | None = None, name: str | None = None) -> Organization:
    return Organization.objects.create(
        name=name or f"Brand {next(_seq)}", kind="brand", agency=agency_org or agency()
    )


def user(org: Organization | None, role: str, **kwargs: Any) -> User:
    n = next(_seq)
    kwargs.setdefault("is_staff", role == User.Role.AGENCY_STAFF)
    kwargs.setdefault("username", f"user{n}")
    u = User.objects.create_user(password="pw-Test-1234", organization=org, role=role, **kwargs)
    return u


def superuser() -> User:
    return User.objects.create_superuser(username=f"root{next(_seq)}", password="pw-Test-1234")


def product(brand_org: Organization, **kwargs: Any) -> Product:
    defaults = {
        "sku": f"SKU-{next(_seq)}",
        "name": "测试产品",
        "factory_price": Decimal("80.00"),
        "distributor_price": Decimal("120.00"),
        "min_retail_price": Decimal("199.00"),
    }
    defaults.update(kwargs)
    return Product.objects.create(brand=brand_org, **defaults)


def agreement(
    kind: str = Agreement.Kind.REVENUE_SHARE,
    *,
    brand_org: Organization | None = None,
    activate: bool = False,
    by: Any = None,
    **kwargs: Any,
) -> Agreement:
    brand_org = brand_org or brand()
    agency_org = brand_org.agency
    fields: dict[str, Any] = {
        "number": f"HT-T-{next(_seq):05d}",
        "kind": kind,
        "brand": brand_org,
        "agency": agency_org,
        "title": "测试协议",
        "signed_on": date(2026, 5, 20),
        "starts_on": date(2026, 6, 1),
        "ends_on": date(2027, 5, 31),
        "bank_account": agency_org.bank_accounts.first(),
    }
    if kind == Agreement.Kind.CONSULTING_FIXED_FEE:
        kwargs.setdefault("terms", {"total_fee": Decimal("50000.00")})
    fields.update(kwargs)
    created = agreement_create(by=by, **fields)
    if activate:
        agreement_activate(agreement=created, by=by)
        created.refresh_from_db()
    return created
