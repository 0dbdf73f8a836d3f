"""Pure matching rules: which brand a payer is, and the suggested allocations."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banking.matching import (
    OpenItem,
    Payer,
    PayerIndex,
    Suggestion,
    account_key,
    name_key,
    numbers_in,
    payer_brand,
    status_of,
    suggestions,
)

D = Decimal
PAYERS = [
    Payer(brand=1, name="杭州茗香茶业有限公司", names=("茗香控股（香港）有限公司",)),
    Payer(brand=2, name="ABC Trading Co.", accounts=("6222 0202 0000 1234",)),
    Payer(brand=3, name="Shared Name Ltd", names=("共用名",)),
    Payer(brand=4, name="Other", names=("共用名",)),
]


@pytest.mark.parametrize(
    ("name", "account", "brand"),
    [
        ("杭州茗香茶业有限公司", "", 1),
        (" 杭州茗香茶业 有限公司 ", "", 1),  # spaces anywhere
        ("茗香控股(香港)有限公司", "", 1),  # half-width brackets for full-width
        ("ＡＢＣ　ｔｒａｄｉｎｇ　ＣＯ．", "", 2),  # full-width letters and space, case
        ("someone else", "6222020200001234", 2),  # the account wins, spaces ignored
        ("someone else", "6222-0202-0000-1234", 2),
        ("共用名", "", None),  # two brands claim it: no match
        ("nobody", "", None),
        ("", "", None),
    ],
)
def test_payer_brand(name, account, brand):
    assert payer_brand(PAYERS, payer_name=name, payer_account=account) == brand


def test_keys():
    assert name_key("Ａ Ｂ\u3000c") == "abc"
    assert account_key(" 6222 0202-0000 1234 ") == "6222020200001234"


@pytest.mark.parametrize(
    ("remark", "numbers"),
    [
        ("货款 ST-2026-000123", ["ST-2026-000123"]),
        ("付st-2026-000123-v2及ST2026000124", ["ST-2026-000123-v2", "ST-2026-000124"]),
        ("ＳＴ－２０２６－０００１２５ 服务费", ["ST-2026-000125"]),
        ("no number 2026-000123", []),
    ],
)
def test_numbers_in_remark(remark, numbers):
    assert numbers_in(remark) == numbers


ITEMS = [
    OpenItem(10, "ST-2026-000010", D("25000.00"), date(2026, 5, 25), date(2026, 5, 20)),
    OpenItem(11, "ST-2026-000011", D("10000.00"), date(2026, 5, 25), date(2026, 11, 20)),
    OpenItem(12, "ST-2026-000012-v2", D("3570.00"), date(2026, 9, 20), date(2026, 9, 8)),
]


@pytest.mark.parametrize(
    ("amount", "remark", "expected"),
    [
        # the remark's number first, the rest to the oldest
        (
            "4000.00",
            "货款 ST-2026-000012",
            [(12, "3570.00", "number_in_remark"), (10, "430.00", "oldest")],
        ),
        # an exact outstanding amount before the oldest
        ("10000.00", "", [(11, "10000.00", "exact_amount")]),
        # the oldest items filling the amount: by due date, then issue date
        ("30000.00", "", [(10, "25000.00", "oldest"), (11, "5000.00", "oldest")]),
        # more than everything owed: every item in full, the rest left over
        (
            "50000.00",
            "",
            [(10, "25000.00", "oldest"), (11, "10000.00", "oldest"), (12, "3570.00", "oldest")],
        ),
        # the number quoted, then the exact amount of what is left
        (
            "13570.00",
            "ST-2026-000012",
            [(12, "3570.00", "number_in_remark"), (11, "10000.00", "exact_amount")],
        ),
    ],
)
def test_suggestions(amount, remark, expected):
    got = suggestions(unallocated=D(amount), remark=remark, items=ITEMS)
    assert got == [Suggestion(s, D(a), r) for s, a, r in expected]


def test_nothing_to_suggest():
    assert suggestions(unallocated=D("100.00"), remark="", items=[]) == []
    assert suggestions(unallocated=D("0.00"), remark="ST-2026-000010", items=ITEMS) == []


def test_status_of():
    assert status_of(D("10.00"), D("0.00")) == "unmatched"
    assert status_of(D("10.00"), D("4.00")) == "partially_matched"
    assert status_of(D("10.00"), D("10.00")) == "matched"


def test_payer_index_reused():
    index = PayerIndex.of(PAYERS)
    assert index.brand_of(payer_name="other", payer_account="") == 4


money = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)
items = st.lists(
    st.builds(
        OpenItem,
        statement=st.integers(1, 50),
        number=st.from_regex(r"ST-2026-0000[0-9]{2}", fullmatch=True),
        outstanding=money,
        due_on=st.dates(date(2026, 1, 1), date(2026, 12, 31)) | st.none(),
        issued_on=st.dates(date(2026, 1, 1), date(2026, 12, 31)) | st.none(),
    ),
    max_size=8,
    unique_by=lambda i: i.statement,
)


@given(
    amount=money, items=items, remark=st.sampled_from(["", "ST-2026-000001", "ST-2026-000042 x"])
)
def test_suggestions_never_exceed_the_credit_nor_an_item(amount, items, remark):
    got = suggestions(unallocated=amount, remark=remark, items=items)
    assert sum((s.amount for s in got), D(0)) <= amount
    owed = {i.statement: i.outstanding for i in items}
    assert len({s.statement for s in got}) == len(got)
    for s in got:
        assert D(0) < s.amount <= owed[s.statement]
    # the credit is used up, or every item is suggested in full
    if sum((s.amount for s in got), D(0)) < amount:
        assert {s.statement: s.amount for s in got} == {k: v for k, v in owed.items()}


def test_matching_is_pure():
    from pathlib import Path

    from tests.core.test_purity import forbidden_imports, imported_modules

    source = (Path(__file__).resolve().parents[2] / "banking" / "matching.py").read_text()
    assert not forbidden_imports(source)
    assert all(
        name.split(".")[0]
        in {"re", "unicodedata", "collections", "dataclasses", "datetime", "decimal"}
        for name in imported_modules(source)
    )
