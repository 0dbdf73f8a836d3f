"""Pure rules of a brand's invoicing details (开票信息).

- The taxpayer ID (纳税人识别号) is either an 18-character unified social credit code
  (统一社会信用代码, GB 32100-2015: digits and capital letters except I, O, S, V and Z,
  the 18th a check character over the first 17) or an old 15-character tax number of
  digits and capital letters, as older registrations still print it.
- The names and bank accounts a brand pays from are short lists: each entry trimmed and
  not empty, no entry twice, at most ``MAX_PAYER_ENTRIES``.

Problems are reported as ``InvoicingDetailsError`` with a ``Problem`` code; the apps turn
the code into their users' message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

# The 31 characters of a unified social credit code, in the order of their values.
USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of each of the first 17 characters: 3^(i-1) mod 31.
USCC_WEIGHTS = tuple(pow(3, position, 31) for position in range(17))
USCC_LENGTH = 18
OLD_TAX_NUMBER_LENGTH = 15
MAX_PAYER_ENTRIES = 20
MAX_PAYER_NAME_LENGTH = 200
MAX_PAYER_ACCOUNT_LENGTH = 64

_USCC = re.compile(f"[{USCC_CHARACTERS}]{{{USCC_LENGTH}}}")
_OLD_TAX_NUMBER = re.compile(f"[0-9A-Z]{{{OLD_TAX_NUMBER_LENGTH}}}")
_SPACES = re.compile(r"\s+")


class Problem(StrEnum):
    TAX_ID_LENGTH = "tax_id_length"
    TAX_ID_CHARACTERS = "tax_id_characters"
    TAX_ID_CHECK = "tax_id_check"
    ENTRY_EMPTY = "entry_empty"
    ENTRY_TOO_LONG = "entry_too_long"
    ENTRY_TWICE = "entry_twice"
    TOO_MANY = "too_many"


class InvoicingDetailsError(ValueError):
    """What is wrong: the problem, the 1-based position of the entry and its text."""

    def __init__(self, problem: Problem, *, position: int = 0, value: str = "") -> None:
        super().__init__(f"{problem} (entry {position}: {value!r})")
        self.problem = problem
        self.position = position
        self.value = value


def tax_id_normalize(text: str) -> str:
    """The ID as it is checked and kept: no spaces, capitals ("9135 0100m…" → "91350100M…")."""
    return _SPACES.sub("", text).upper()


def uscc_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code: 31 − (Σ value × weight mod 31),
    where 31 counts as 0.

    >>> uscc_check_character("91350100M000100Y4")
    '3'
    """
    if len(first17) != USCC_LENGTH - 1 or any(c not in USCC_CHARACTERS for c in first17):
        raise ValueError(f"17 characters of {USCC_CHARACTERS} expected (got {first17!r}).")
    total = sum(
        USCC_CHARACTERS.index(char) * weight
        for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_CHARACTERS[(31 - total % 31) % 31]


def tax_id_clean(text: str) -> str:
    """The taxpayer ID normalized (``tax_id_normalize``), or "" when none is given.

    Raises ``InvoicingDetailsError``: TAX_ID_LENGTH when it is neither 18 nor 15
    characters long, TAX_ID_CHARACTERS for a character outside its alphabet, TAX_ID_CHECK
    when an 18-character code's check character does not match.
    """
    tax_id = tax_id_normalize(text)
    if not tax_id:
        return ""
    if len(tax_id) == OLD_TAX_NUMBER_LENGTH:
        if _OLD_TAX_NUMBER.fullmatch(tax_id) is None:
            raise InvoicingDetailsError(Problem.TAX_ID_CHARACTERS, value=tax_id)
        return tax_id
    if len(tax_id) != USCC_LENGTH:
        raise InvoicingDetailsError(Problem.TAX_ID_LENGTH, value=tax_id)
    if _USCC.fullmatch(tax_id) is None:
        raise InvoicingDetailsError(Problem.TAX_ID_CHARACTERS, value=tax_id)
    if uscc_check_character(tax_id[:-1]) != tax_id[-1]:
        raise InvoicingDetailsError(Problem.TAX_ID_CHECK, value=tax_id)
    return tax_id


def _entries_clean(values: Iterable[str], *, max_length: int, key: str, squeeze: bool) -> list[str]:
    cleaned: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(values, start=1):
        value = _SPACES.sub("" if squeeze else " ", str(raw)).strip()
        if not value:
            raise InvoicingDetailsError(Problem.ENTRY_EMPTY, position=position)
        if len(value) > max_length:
            raise InvoicingDetailsError(Problem.ENTRY_TOO_LONG, position=position, value=value)
        folded = value.casefold() if key == "casefold" else value
        if folded in seen:
            raise InvoicingDetailsError(Problem.ENTRY_TWICE, position=position, value=value)
        seen.add(folded)
        cleaned.append(value)
    if len(cleaned) > MAX_PAYER_ENTRIES:
        raise InvoicingDetailsError(Problem.TOO_MANY, position=len(cleaned))
    return cleaned


def payer_names_clean(values: Iterable[str]) -> list[str]:
    """Names a brand pays from: each trimmed (inner runs of spaces made one), none empty,
    none twice (letters compared without case), at most ``MAX_PAYER_ENTRIES``."""
    return _entries_clean(values, max_length=MAX_PAYER_NAME_LENGTH, key="casefold", squeeze=False)


def payer_accounts_clean(values: Iterable[str]) -> list[str]:
    """Bank accounts a brand pays from: spaces removed ("6222 0202" → "62220202"), none
    empty, none twice, at most ``MAX_PAYER_ENTRIES``."""
    return _entries_clean(values, max_length=MAX_PAYER_ACCOUNT_LENGTH, key="exact", squeeze=True)
