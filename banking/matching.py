"""Pure rules for matching a bank credit to what a brand owes (no Django).

- ``payer_brand``: which brand a payer is, by its name, its other payer names or its
  payer accounts. Names compare after normalising (full-width to half-width, case,
  every space removed, so "ＡＢＣ 贸易" is "abc贸易"); account numbers compare by their
  digits and letters only (banks print them in groups of four).
- ``suggestions``: how to spread a credit over the brand's open items: first the items
  whose statement number the remark quotes, then the items whose outstanding equals the
  amount left, then the oldest open items until the amount is used up. A suggestion never
  exceeds what is left of the credit nor the item's outstanding principal.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")

NUMBER_IN_REMARK = "number_in_remark"
EXACT_AMOUNT = "exact_amount"
OLDEST = "oldest"
REASONS = (NUMBER_IN_REMARK, EXACT_AMOUNT, OLDEST)

# Statement numbers as the product issues them: ST-2026-000123, a correction -v2.
_STATEMENT_NUMBER = re.compile(r"ST-?\d{4}-?\d{6}(?:-?V\d+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Payer:
    """A brand as a payer: its own name, its other payer names and accounts."""

    brand: int
    name: str
    names: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenItem:
    """A statement the brand still owes on."""

    statement: int
    number: str
    outstanding: Decimal
    due_on: date | None
    issued_on: date | None


@dataclass(frozen=True)
class Suggestion:
    statement: int
    amount: Decimal
    reason: str


def name_key(text: str) -> str:
    """A payer name as compared: NFKC (full-width to half-width), no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def account_key(text: str) -> str:
    """An account number as compared: its letters and digits only, upper case."""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text or "").upper())


@dataclass(frozen=True)
class PayerIndex:
    """Brands by name key and account key, built once for many credits."""

    by_name: dict[str, int]
    by_account: dict[str, int]

    @classmethod
    def of(cls, payers: Iterable[Payer]) -> "PayerIndex":
        by_name: dict[str, int] = {}
        by_account: dict[str, int] = {}
        ambiguous_names: set[str] = set()
        ambiguous_accounts: set[str] = set()
        for payer in sorted(payers, key=lambda p: p.brand):
            for name in (payer.name, *payer.names):
                key = name_key(name)
                if key and by_name.setdefault(key, payer.brand) != payer.brand:
                    ambiguous_names.add(key)
            for account in payer.accounts:
                key = account_key(account)
                if key and by_account.setdefault(key, payer.brand) != payer.brand:
                    ambiguous_accounts.add(key)
        # A name or account two brands claim says nothing about which one paid.
        for key in ambiguous_names:
            del by_name[key]
        for key in ambiguous_accounts:
            del by_account[key]
        return cls(by_name=by_name, by_account=by_account)

    def brand_of(self, *, payer_name: str, payer_account: str) -> int | None:
        """The brand whose account the payer's account is, else whose name the payer's is."""
        account = account_key(payer_account)
        if account and account in self.by_account:
            return self.by_account[account]
        name = name_key(payer_name)
        return self.by_name.get(name) if name else None


def payer_brand(payers: Iterable[Payer], *, payer_name: str, payer_account: str) -> int | None:
    """The brand the payer is (account first, then name); None if none or several."""
    return PayerIndex.of(payers).brand_of(payer_name=payer_name, payer_account=payer_account)


def numbers_in(remark: str) -> list[str]:
    """Statement numbers quoted in a remark, as the product writes them, in order."""
    text = unicodedata.normalize("NFKC", remark or "").upper()
    found: list[str] = []
    for match in _STATEMENT_NUMBER.finditer(text):
        digits = re.sub(r"[^0-9V]", "", match.group(0))
        year, rest = digits[:4], digits[4:]
        serial, _, version = rest.partition("V")
        number = f"ST-{year}-{serial}" + (f"-v{int(version)}" if version else "")
        if number not in found:
            found.append(number)
    return found


def _oldest_first(item: OpenItem) -> tuple[date, date, int]:
    far = date.max
    return (item.due_on or item.issued_on or far, item.issued_on or far, item.statement)


def suggestions(
    *, unallocated: Decimal, remark: str, items: Sequence[OpenItem]
) -> list[Suggestion]:
    """How to spread ``unallocated`` over ``items`` (one brand's open items).

    1. items whose number the remark quotes (a bare number also matches its versions'
       base: "ST-2026-000123" quotes "ST-2026-000123-v2" when only that is open);
    2. an item whose outstanding equals what is left of the credit exactly (the oldest);
    3. the oldest items (by due date, then issue date) until nothing is left.
    Each item is suggested once; nothing above an item's outstanding or the credit.
    """
    left = unallocated
    chosen: list[Suggestion] = []
    taken: set[int] = set()
    open_items = [i for i in items if i.outstanding > 0]

    def take(item: OpenItem, reason: str) -> None:
        nonlocal left
        amount = min(left, item.outstanding)
        if amount > 0:
            chosen.append(Suggestion(item.statement, amount, reason))
            taken.add(item.statement)
            left -= amount

    quoted = numbers_in(remark)
    if quoted:
        for number in quoted:
            for item in sorted(open_items, key=_oldest_first):
                base = item.number.upper().split("-V")[0]
                if (
                    left > 0
                    and item.statement not in taken
                    and number.upper()
                    in (
                        item.number.upper(),
                        base,
                    )
                ):
                    take(item, NUMBER_IN_REMARK)
    if left > 0:
        for item in sorted(open_items, key=_oldest_first):
            if item.statement not in taken and item.outstanding == left:
                take(item, EXACT_AMOUNT)
                break
    for item in sorted(open_items, key=_oldest_first):
        if left <= 0:
            break
        if item.statement not in taken:
            take(item, OLDEST)
    return chosen


def status_of(amount: Decimal, allocated: Decimal) -> str:
    """unmatched / partially_matched / matched, from what is allocated of the amount."""
    if allocated <= 0:
        return "unmatched"
    if allocated >= amount:
        return "matched"
    return "partially_matched"
