"""Tests for the PDF engine in settlements/pdf.py.

They need no Django::

    .venv/bin/pytest tests/settlements/test_pdf_engine.py -p no:django

The glyph checks read the PDF the way a viewer does: the code of each glyph
(a glyph id, Identity-H), the ToUnicode map from code to text, and the
embedded font program. A character counts as drawn from the subset font only
when that code's glyph in the embedded program has the same outline as the
glyph the subset font in static/fonts maps the character to. A ToUnicode
entry alone proves nothing: WeasyPrint writes one for a missing glyph too,
pointing at a glyph id past the end of the font, which viewers draw as an
empty box.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from settlements import pdf
from tests.pdf_checks import (
    BASE_FONT_RE,
    MAX_PDF_BYTES,
    characters_drawn_from,
    embedded_fonts,
    visible_characters,
)
from tests.pdf_checks import is_cid_keyed as _is_cid_keyed

# Text WeasyPrint generates from document.css rather than from the HTML.
PAGE_FOOTER_TEXT = "第 1 页 / 共 1 页"

# In Unicode's CJK Extension A, not in GB2312, so not in the subset fonts.
OUTSIDE_SUBSET = "䶮"

HARFBUZZ_SUBSET_MISSING = (
    "libharfbuzz-subset is not loadable, so WeasyPrint subsets fonts with fontTools: "
    "about 1-5 s per page instead of 0.1 s, with only a log warning. "
    "Install it: apt-get install libharfbuzz-subset0"
)


def statement_html(line_count: int = 20) -> str:
    """Return a one-page reconciliation statement using every document.css class."""
    rows = []
    for number in range(1, line_count + 1):
        rows.append(
            "<tr>"
            f"<td>{number}</td>"
            f"<td>2024-05-{number:02d}</td>"
            f"<td>天猫旗舰店销售回款 第{number}批</td>"
            f"<td class='num'>{number * 3}</td>"
            f"<td class='num'>¥{number * 100:,}.00</td>"
            "</tr>"
        )
    return f"""<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>对账单 DZ-2024-05-0001</title></head>
<body>
<div class="doc-header">
  <h1>对账单<span class="muted">Reconciliation statement</span></h1>
  <div class="doc-number">编号：DZ-2024-05-0001<br>账期：2024年5月1日至5月31日</div>
</div>
<div class="parties">
  <div class="party">
    <h2>甲方（品牌方）</h2>
    <dl>
      <dt>名称</dt><dd>杭州西湖品牌管理有限公司</dd>
      <dt>地址</dt><dd>浙江省杭州市西湖区文三路 88 号</dd>
    </dl>
  </div>
  <div class="party">
    <h2>乙方（代运营方）</h2>
    <dl>
      <dt>名称</dt><dd>上海浦东电子商务有限公司</dd>
      <dt>联系人</dt><dd>王晓明</dd>
    </dl>
  </div>
</div>
<table class="lines">
  <colgroup>
    <col style="width: 8%"><col style="width: 16%"><col style="width: 46%">
    <col style="width: 10%"><col style="width: 20%">
  </colgroup>
  <thead>
    <tr><th>序号</th><th>日期</th><th>摘要</th><th class="num">数量</th><th class="num">金额</th></tr>
  </thead>
  <tbody>{"".join(rows)}</tbody>
</table>
<div class="totals">
  <table>
    <colgroup><col style="width: 50%"><col style="width: 50%"></colgroup>
    <tr><th>销售回款合计</th><td>¥21,000.00</td></tr>
    <tr><th>服务费率</th><td>13.30%</td></tr>
    <tr class="grand"><th>应付金额</th><td>¥2,793.00</td></tr>
  </table>
  <p class="amount-words">人民币（大写）：贰仟柒佰玖拾叁元整</p>
</div>
<div class="dates">
  <h3>付款期限</h3>
  <p>请于 2024年6月14日 前付款。</p>
  <p class="note">注：节假日顺延至下一个工作日；2024年节假日安排未能读取时按自然日计算。</p>
</div>
<div class="bank">
  <h3>收款账户</h3>
  <dl>
    <dt>户名</dt><dd>上海浦东电子商务有限公司</dd>
    <dt>开户行</dt><dd>招商银行上海分行</dd>
    <dt>账号</dt><dd>6225 8801 2345 6789</dd>
  </dl>
</div>
<p class="terms">逾期付款的，每逾期一日按应付金额的万分之五向乙方支付违约金，\
违约金总额不超过应付金额的百分之二十。</p>
<div class="signatures">
  <div class="sign-box">甲方（盖章）<p class="date">日期：____年__月__日</p></div>
  <div class="sign-box">乙方（盖章）<p class="date">日期：____年__月__日</p></div>
</div>
</body>
</html>
"""


@pytest.fixture(autouse=True)
def _media_in_tmp() -> None:
    """Replace tests/conftest.py's fixture of this name, which needs pytest-django.

    These tests write no media and must also run with ``-p no:django``.
    """


@pytest.fixture(scope="module")
def subset_fonts() -> dict[str, TTFont]:
    """Return the committed subset fonts by PostScript name."""
    fonts = {}
    for path in pdf.font_paths().values():
        font = TTFont(path)
        fonts[font["name"].getDebugName(6) or ""] = font
    return fonts


@pytest.fixture(scope="module")
def statement() -> str:
    """Return the sample statement's HTML."""
    return statement_html()


@pytest.fixture(scope="module")
def statement_pdf(statement: str) -> bytes:
    """Return the sample statement rendered by the engine."""
    return pdf.render_pdf(statement)


@pytest.fixture
def fresh_engine() -> Iterator[None]:
    """Make the next render build a new engine, and drop it afterwards."""
    pdf.cleanup()
    yield
    pdf.cleanup()


def test_harfbuzz_subset_is_available() -> None:
    assert pdf.harfbuzz_subset_available(), HARFBUZZ_SUBSET_MISSING


def test_statement_is_one_page(statement_pdf: bytes) -> None:
    assert len(PdfReader(io.BytesIO(statement_pdf)).pages) == 1


def test_statement_is_at_most_120_kb(statement_pdf: bytes) -> None:
    assert len(statement_pdf) <= MAX_PDF_BYTES, f"{len(statement_pdf) / 1024:.0f} KB"


@pytest.mark.parametrize(
    "expected",
    [
        "对账单",
        "杭州西湖品牌管理有限公司",
        "浙江省杭州市西湖区文三路 88 号",
        "人民币（大写）：贰仟柒佰玖拾叁元整",
        "应付金额 ¥2,793.00",
        "20 2024-05-20 天猫旗舰店销售回款 第20批 60 ¥2,000.00",
        "逾期付款的，每逾期一日按应付金额的万分之五向乙方支付违约金，违约金总额不超过应付金额的百分之二十。",
        "甲方（盖章）",
        "乙方（盖章）",
        PAGE_FOOTER_TEXT,
    ],
)
def test_text_extracts_exactly(statement_pdf: bytes, expected: str) -> None:
    text = PdfReader(io.BytesIO(statement_pdf)).pages[0].extract_text()
    assert expected in text


def test_only_the_subset_fonts_are_embedded(
    statement_pdf: bytes, subset_fonts: dict[str, TTFont]
) -> None:
    fonts = embedded_fonts(statement_pdf)

    assert [font.base_font for font in fonts if not BASE_FONT_RE.match(font.base_font)] == []
    assert sorted(font.postscript_name for font in fonts) == sorted(subset_fonts)


def test_every_character_is_drawn_from_the_subset_font(
    statement: str, statement_pdf: bytes, subset_fonts: dict[str, TTFont]
) -> None:
    wanted = visible_characters(statement) | set(PAGE_FOOTER_TEXT.replace(" ", ""))

    drawn = characters_drawn_from(embedded_fonts(statement_pdf), subset_fonts)

    assert sorted(wanted - drawn) == []


def test_embedded_cids_equal_glyph_ids(statement_pdf: bytes) -> None:
    # Otherwise Acrobat and Preview draw other glyphs than poppler and Chrome.
    for font in embedded_fonts(statement_pdf):
        glyph_order = font.program.getGlyphOrder()
        assert _is_cid_keyed(font.program)
        assert [
            name for gid, name in enumerate(glyph_order[1:], 1) if name != f"cid{gid:05d}"
        ] == []


def test_glyph_check_fails_for_a_character_from_a_fallback_font(
    subset_fonts: dict[str, TTFont],
) -> None:
    html = f"<p>杭州 {OUTSIDE_SUBSET}姓</p>"

    fonts = embedded_fonts(pdf.render_pdf(html))

    drawn = characters_drawn_from(fonts, subset_fonts)
    assert {"杭", "州", "姓"} <= drawn
    assert OUTSIDE_SUBSET not in drawn


def test_glyph_check_fails_for_an_empty_box(
    fresh_engine: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    subset_fonts: dict[str, TTFont],
) -> None:
    # A fontconfig setup without any system font: nothing to fall back to.
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))

    fonts = embedded_fonts(pdf.render_pdf(f"<p>杭州 {OUTSIDE_SUBSET}</p>"))

    # WeasyPrint maps the empty box to the character in the subset font's
    # ToUnicode, so text extraction alone would not notice.
    assert all(font.postscript_name in subset_fonts for font in fonts)
    assert any(OUTSIDE_SUBSET in font.to_unicode.values() for font in fonts)
    drawn = characters_drawn_from(fonts, subset_fonts)
    assert {"杭", "州"} <= drawn
    assert OUTSIDE_SUBSET not in drawn


def test_cleanup_removes_the_font_folder(
    fresh_engine: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    pdf.warm_up()
    folders = list(tmp_path.glob("weasyprint-*"))
    pdf.cleanup()

    assert len(folders) == 1
    assert not folders[0].exists()


def test_render_works_again_after_cleanup(fresh_engine: None) -> None:
    pdf.warm_up()
    pdf.cleanup()

    text = PdfReader(io.BytesIO(pdf.render_pdf("<p>对账单</p>"))).pages[0].extract_text()

    assert "对账单" in text
