"""The breach notice's PDF: Chinese text drawn from the subset fonts, with both parties,
the clause, the breach, the cure date and the consequence."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from obligations import breach
from obligations.breach_documents import notice_html, notice_pdf_bytes
from tests.pdf_checks import (
    characters_drawn_from,
    embedded_fonts,
    load_subset_fonts,
    visible_characters,
)

pytestmark = pytest.mark.django_db


def test_the_notice_pdf_says_who_what_and_by_when(world):
    from obligations.models import Obligation

    obligation = Obligation.objects.create(
        agreement=world.agreement,
        title="季度产品培训",
        kind="training",
        owed_by="brand",
        due_on=date(2026, 8, 31),
    )
    notice = breach.breach_notice_send(
        agreement=world.agreement,
        by="agency",
        sent_on=date(2026, 9, 1),
        description="甲方未按约定提供季度产品培训",
        clause="第六章 A",
        obligation=obligation,
        user=world.staff,
    )
    data = notice_pdf_bytes(notice)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = "".join(text.split())
    for expected in (
        "违约通知书",
        notice.number,
        "杭州代运营有限公司",
        "杭州市西湖区文三路1号",
        "上海茶饮品牌有限公司",
        "上海市徐汇区漕溪北路2号",
        "HT-BN-0001",
        "第六章A",
        "甲方未按约定提供季度产品培训",
        "季度产品培训",
        "请于2026年9月16日前纠正",
        "逾期未纠正，发送方有权解除合同",
        "发送方（盖章）",
    ):
        assert expected in flat, expected
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    # Every character of the page is drawn from the subset fonts (no missing glyphs).
    drawn = characters_drawn_from(embedded_fonts(data), load_subset_fonts())
    missing = {c for c in visible_characters(notice_html(notice)) if ord(c) > 127} - drawn
    assert not missing
