"""The balance confirmation's PDF (往来余额确认函): items, totals in figures and in
Chinese capitals, the late-payment sentence, the reply section, every glyph drawn from
the subset fonts."""

import io
import re

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from core.money import amount_in_chinese_capitals
from receivables import documents, services
from settlements import pdf
from tests.pdf_checks import (
    BASE_FONT_RE,
    characters_drawn_from,
    embedded_fonts,
    load_subset_fonts,
    visible_characters,
)
from tests.receivables.conftest import TODAY

pytestmark = pytest.mark.django_db


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return squashed("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def confirmation(world):
    world.brand.tax_id = "91330100MA2ABCDE1X"
    world.brand.save()
    return services.balance_confirmation_issue(brand=world.brand, as_of=TODAY, by=world.staff)


def test_the_pdf_lists_the_items_and_the_totals(world, confirmation):
    data = documents.confirmation_pdf_bytes(confirmation)
    text = pdf_text(data)
    assert "往来余额确认函" in text and confirmation.number in text
    assert squashed(world.brand.name) in text and squashed(world.agency.name) in text
    assert "91330100MA2ABCDE1X" in text
    assert "截止日期Asof：2026-12-31" in text
    for item in confirmation.items:
        assert item["number"] in text
        assert documents.format_money(item["outstanding"]) in text
        assert documents.format_money(item["penalty"]) in text
    assert world.august.payment_due_on.isoformat() in text
    assert "2026-08" in text
    assert "¥17,140.00" in text  # every open item's principal, the disputed month included
    assert f"¥{documents.format_money(confirmation.total_penalty)}" in text
    assert squashed(amount_in_chinese_capitals(confirmation.total_outstanding)) in text
    assert squashed(amount_in_chinese_capitals(confirmation.total)) in text
    assert "不变更合同关于逾期付款违约金的约定" in text
    assert "违约金按合同约定继续计算" in text
    assert "以上余额确认无误" in text and "以上余额不符" in text
    assert "品牌方（盖章）" in text and "代运营方（盖章）" in text


def test_an_empty_balance_still_reads(world, today):
    from settlements.models import Statement

    Statement.objects.filter(agreement__brand=world.brand).update(status="void")
    empty = services.balance_confirmation_issue(brand=world.brand, as_of=TODAY, by=world.staff)
    text = pdf_text(documents.confirmation_pdf_bytes(empty))
    assert "截至该日无未结款项" in text and "零元整" in text


def test_every_character_is_drawn_from_the_subset_fonts(confirmation):
    html = documents.confirmation_html(confirmation)
    data = pdf.render_pdf(html)
    subset: dict[str, TTFont] = load_subset_fonts()
    fonts = embedded_fonts(data)
    assert [f.base_font for f in fonts if not BASE_FONT_RE.match(f.base_font)] == []
    assert sorted(visible_characters(html) - characters_drawn_from(fonts, subset)) == []


def test_the_pdf_is_stored_once(confirmation):
    assert documents.confirmation_pdf_store(confirmation) is True
    name = confirmation.pdf.name
    assert documents.confirmation_pdf_store(confirmation) is False
    confirmation.refresh_from_db()
    assert confirmation.pdf.name == name and name.endswith(f"{confirmation.number}.pdf")
