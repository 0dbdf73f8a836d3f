"""The VAT split (core.money.vat_split): amounts on statements include VAT (价税合计);
without tax = total ÷ (1 + rate) rounded half-up to the fen, tax = the rest."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import TOTAL_NEGATIVE, VAT_RATE_NOT_ALLOWED, VAT_RATES, VatSplit, vat_split

D = Decimal

# total, rate, without tax, tax
TABLE = [
    # The worked example: an agency share of 2,793.00 at 6%.
    ("2793.00", "0.06", "2634.91", "158.09"),
    ("2793.00", "0.03", "2711.65", "81.35"),
    ("2793.00", "0.01", "2765.35", "27.65"),
    ("2793.00", "0", "2793.00", "0.00"),
    ("0.00", "0.06", "0.00", "0.00"),
    ("0.00", "0", "0.00", "0.00"),
    ("100.00", "0.06", "94.34", "5.66"),
    ("106.00", "0.06", "100.00", "6.00"),
    ("103.00", "0.03", "100.00", "3.00"),
    ("101.00", "0.01", "100.00", "1.00"),
    ("1000000.00", "0.06", "943396.23", "56603.77"),
    # A fen is too small to carry tax.
    ("0.01", "0.06", "0.01", "0.00"),
    ("0.05", "0.01", "0.05", "0.00"),
    # The third place decides: 1000.02 ÷ 1.06 = 943.41509… rounds up (truncating would
    # give 943.41); 1000.20 ÷ 1.06 = 943.58490… rounds down.
    ("1000.02", "0.06", "943.42", "56.60"),
    ("1000.20", "0.06", "943.58", "56.62"),
    ("1000.30", "0.03", "971.17", "29.13"),  # 971.16504…
    ("1000.99", "0.03", "971.83", "29.16"),  # 971.83495…
    ("1000.40", "0.01", "990.50", "9.90"),  # 990.49504…
    ("1000.41", "0.01", "990.50", "9.91"),  # 990.50495…
]


@pytest.mark.parametrize(("total", "rate", "without_tax", "tax"), TABLE)
def test_table(total: str, rate: str, without_tax: str, tax: str) -> None:
    split = vat_split(total=D(total), rate=D(rate))
    assert split == VatSplit(rate=D(rate), without_tax=D(without_tax), tax=D(tax), total=D(total))
    assert str(split.without_tax) == without_tax and str(split.tax) == tax


def test_a_rate_stored_with_two_places_is_the_same_rate() -> None:
    # Statement.vat_rate and the terms keep two places: 0 comes back as 0.00.
    assert vat_split(total=D("50.00"), rate=D("0.00")).tax == D("0.00")
    assert vat_split(total=D("106"), rate=D("0.060")).without_tax == D("100.00")


@pytest.mark.parametrize("rate", ["0.05", "0.13", "0.09", "-0.06", "1", "0.006"])
def test_other_rates_are_refused(rate: str) -> None:
    with pytest.raises(ValueError) as error:
        vat_split(total=D("100.00"), rate=D(rate))
    assert str(error.value) == VAT_RATE_NOT_ALLOWED.format(rate=D(rate))


def test_a_negative_total_is_refused() -> None:
    with pytest.raises(ValueError) as error:
        vat_split(total=D("-0.01"), rate=D("0.06"))
    assert str(error.value) == TOTAL_NEGATIVE.format(total=D("-0.01"))


def test_a_float_total_is_refused() -> None:
    with pytest.raises(TypeError):
        vat_split(total=100.0, rate=D("0.06"))  # type: ignore[arg-type]


totals = st.integers(min_value=0, max_value=10**12).map(lambda fen: D(fen) / 100)
rates = st.sampled_from(VAT_RATES)


def half_up_fen(value: Fraction) -> Fraction:
    """Exact half-up rounding of a non-negative fraction to 0.01, independent of Decimal."""
    return Fraction(int(value * 100 + Fraction(1, 2)), 100)


@given(total=totals, rate=rates)
def test_the_split_always_adds_up_to_the_total(total: Decimal, rate: Decimal) -> None:
    split = vat_split(total=total, rate=rate)
    assert split.without_tax + split.tax == split.total == total
    assert split.tax >= 0 and split.without_tax >= 0
    assert split.without_tax.as_tuple().exponent == -2 and split.tax.as_tuple().exponent == -2


@given(total=totals, rate=rates)
def test_without_tax_is_the_half_up_rounding_of_total_over_one_plus_rate(
    total: Decimal, rate: Decimal
) -> None:
    exact = Fraction(total) / (1 + Fraction(rate))
    split = vat_split(total=total, rate=rate)
    assert Fraction(split.without_tax) == half_up_fen(exact)
    # So the tax is within half a fen of total × rate ÷ (1 + rate).
    assert abs(Fraction(split.tax) - exact * Fraction(rate)) <= Fraction(1, 200)


@given(total=totals, rate=st.sampled_from([D("0.06"), D("0.03"), D("0.01")]))
def test_a_total_in_fen_never_divides_to_an_exact_half_fen(total: Decimal, rate: Decimal) -> None:
    """Why the table shows near-ties only: 106, 103 and 101 share no factor with 1000, so
    total ÷ (1 + rate) never ends in exactly 5 at the third place."""
    thousandths = Fraction(total) / (1 + Fraction(rate)) * 1000
    assert thousandths.denominator != 1 or thousandths.numerator % 10 != 5


@given(total=totals, rate=rates)
def test_a_higher_rate_never_gives_less_tax(total: Decimal, rate: Decimal) -> None:
    higher = [r for r in VAT_RATES if r > rate]
    for other in higher:
        assert vat_split(total=total, rate=other).tax >= vat_split(total=total, rate=rate).tax
