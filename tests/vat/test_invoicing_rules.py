"""Pure rules of a brand's invoicing details (core.invoicing): the taxpayer ID's format
and check character (GB 32100-2015), and the payer name and account lists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.invoicing import (
    MAX_PAYER_ENTRIES,
    USCC_CHARACTERS,
    InvoicingDetailsError,
    Problem,
    payer_accounts_clean,
    payer_names_clean,
    tax_id_clean,
    uscc_check_character,
)

# Published codes of real companies (their check characters are right).
VALID_CODES = [
    "91350100M000100Y43",
    "91110000802100433B",
    "91440300708461136T",
    "914403001922038216",
]


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_codes_pass_unchanged(code: str) -> None:
    assert tax_id_clean(code) == code
    assert uscc_check_character(code[:17]) == code[17]


def test_the_weights_are_powers_of_three_mod_31() -> None:
    # Σ value × weight for 91350100M000100Y4: the check character is 31 − (Σ mod 31).
    assert uscc_check_character("91350100M000100Y4") == "3"
    assert uscc_check_character("0" * 17) == "0"  # 31 − 0 counts as 0


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("91350100m000100y43", "91350100M000100Y43"),
        (" 9135 0100 M000 100Y43 ", "91350100M000100Y43"),
        ("", ""),
        ("   ", ""),
        ("110105123456789", "110105123456789"),  # an old 15-character tax number
        ("11010571234567X", "11010571234567X"),
    ],
)
def test_normalized(typed: str, kept: str) -> None:
    assert tax_id_clean(typed) == kept


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("91350100M000100Y44", Problem.TAX_ID_CHECK),  # last character changed
        ("91350100M000100Y34", Problem.TAX_ID_CHECK),  # two swapped
        ("9135010", Problem.TAX_ID_LENGTH),
        ("91350100M000100Y431", Problem.TAX_ID_LENGTH),  # 19
        ("1234567890123456", Problem.TAX_ID_LENGTH),  # 16
        ("91350100M000100I43", Problem.TAX_ID_CHARACTERS),  # I is not used
        ("91350100O000100Y43", Problem.TAX_ID_CHARACTERS),  # nor O
        ("91350100S000100Y43", Problem.TAX_ID_CHARACTERS),
        ("91350100V000100Y43", Problem.TAX_ID_CHARACTERS),
        ("91350100Z000100Y43", Problem.TAX_ID_CHARACTERS),
        ("91350100-000100Y43", Problem.TAX_ID_CHARACTERS),
        ("91350100中000100Y43", Problem.TAX_ID_CHARACTERS),
        ("11010512345678-", Problem.TAX_ID_CHARACTERS),  # old number, 15 long
    ],
)
def test_refused(typed: str, problem: Problem) -> None:
    with pytest.raises(InvoicingDetailsError) as error:
        tax_id_clean(typed)
    assert error.value.problem == problem


first17 = st.text(alphabet=USCC_CHARACTERS, min_size=17, max_size=17)


@given(first17)
def test_any_17_characters_with_their_check_character_pass(head: str) -> None:
    code = head + uscc_check_character(head)
    assert tax_id_clean(code) == code
    assert tax_id_clean(code.lower()) == code


@given(first17, st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=30))
def test_any_one_wrong_character_is_caught(head: str, position: int, shift: int) -> None:
    """Each weight is invertible mod 31, so a single changed character always changes the
    check: one typo never slips through."""
    code = head + uscc_check_character(head)
    wrong = USCC_CHARACTERS[(USCC_CHARACTERS.index(code[position]) + shift) % 31]
    typo = code[:position] + wrong + code[position + 1 :]
    with pytest.raises(InvoicingDetailsError) as error:
        tax_id_clean(typo)
    assert error.value.problem == Problem.TAX_ID_CHECK


# --- payer names and accounts -----------------------------------------------------------


def test_names_are_trimmed_and_kept_in_order() -> None:
    assert payer_names_clean(["  上海某某贸易有限公司 ", "Acme  Trading Ltd"]) == [
        "上海某某贸易有限公司",
        "Acme Trading Ltd",
    ]
    assert payer_names_clean([]) == []


def test_accounts_lose_their_spaces() -> None:
    assert payer_accounts_clean(["6222 0202 0000 1234 567", "31050161393600000123"]) == [
        "6222020200001234567",
        "31050161393600000123",
    ]


@pytest.mark.parametrize(
    ("names", "problem", "position"),
    [
        (["甲公司", "  "], Problem.ENTRY_EMPTY, 2),
        (["", "甲公司"], Problem.ENTRY_EMPTY, 1),
        (["甲公司", " 甲公司"], Problem.ENTRY_TWICE, 2),
        (["Acme Ltd", "ACME  LTD"], Problem.ENTRY_TWICE, 2),
        (["x" * 201], Problem.ENTRY_TOO_LONG, 1),
        ([f"公司{i}" for i in range(MAX_PAYER_ENTRIES + 1)], Problem.TOO_MANY, 21),
    ],
)
def test_names_refused(names: list[str], problem: Problem, position: int) -> None:
    with pytest.raises(InvoicingDetailsError) as error:
        payer_names_clean(names)
    assert (error.value.problem, error.value.position) == (problem, position)


def test_accounts_compare_without_spaces() -> None:
    with pytest.raises(InvoicingDetailsError) as error:
        payer_accounts_clean(["6222 0202", "62220202"])
    assert error.value.problem == Problem.ENTRY_TWICE
    assert error.value.value == "62220202"


def test_twenty_entries_are_fine() -> None:
    assert len(payer_accounts_clean([str(n) for n in range(MAX_PAYER_ENTRIES)])) == 20


@given(st.lists(st.text(min_size=1, max_size=30), max_size=MAX_PAYER_ENTRIES))
def test_a_clean_list_stays_clean(names: list[str]) -> None:
    try:
        cleaned = payer_names_clean(names)
    except InvoicingDetailsError:
        return
    assert payer_names_clean(cleaned) == cleaned
    assert all(name == name.strip() and name for name in cleaned)
    assert len({name.casefold() for name in cleaned}) == len(cleaned)
