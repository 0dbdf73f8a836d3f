"""The breach notice's document (违约通知书): its texts, HTML and the stored PDF.

Laid out by ``templates/obligations/breach_notice.html`` with the statements' engine,
fonts and stylesheet (``common.pdf``); every text is prepared here, in Chinese with an
English gloss as the other documents have.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from common import pdf
from common.pdf import pdf_store_once
from obligations import cure
from obligations.models import BreachNotice, Side

TEMPLATE = "obligations/breach_notice.html"
TITLE = ("违约通知书", "Breach notice")
SIDE_NAMES = {Side.AGENCY: "乙方（代运营方）", Side.BRAND: "甲方（品牌方）"}
SIDE_NAMES_EN = {Side.AGENCY: "the agency", Side.BRAND: "the brand"}
NOT_SET = "—"


def chinese_date(day: date) -> str:
    """2028年2月29日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _party(organization: Any, side: str) -> dict[str, str]:
    return {
        "role": SIDE_NAMES[side],
        "name": organization.name,
        "address": organization.address or NOT_SET,
    }


def notice_context(notice: BreachNotice) -> dict[str, Any]:
    """Everything the template shows, as ready-made text."""
    agreement = notice.agreement
    sides = {Side.AGENCY: agreement.agency, Side.BRAND: agreement.brand}
    receiver = Side.BRAND if notice.by == Side.AGENCY else Side.AGENCY
    sender = _party(sides[notice.by], notice.by)
    obligation = notice.obligation
    right_from = notice.cure_by + cure.ONE_DAY
    return {
        "title_zh": TITLE[0],
        "title_en": TITLE[1],
        "number": notice.number,
        "sent_on": chinese_date(notice.sent_on),
        "sender": sender,
        "receiver": _party(sides[receiver], receiver),
        "agreement": {"number": agreement.number, "title": agreement.title},
        "clause": notice.clause or NOT_SET,
        "description": notice.description,
        "obligation": (
            {"title": obligation.title, "due_on": chinese_date(obligation.due_on)}
            if obligation is not None
            else None
        ),
        "cure_days": notice.cure_days,
        "cure_by": chinese_date(notice.cure_by),
        "cure_text": f"请于 {chinese_date(notice.cure_by)} 前纠正",
        "cure_text_en": (
            f"Please cure the breach by {notice.cure_by.isoformat()} ({notice.cure_days} "
            f"calendar days after this notice, that day included)."
        ),
        "consequence": (
            f"逾期未纠正，发送方有权解除合同：自 {chinese_date(right_from)} 起，"
            f"{sender['name']}可书面通知解除上述协议，并保留要求赔偿损失的权利。"
        ),
        "consequence_en": (
            f"If it is not cured in time, the sender ({SIDE_NAMES_EN[notice.by]}) may "
            f"terminate the agreement by written notice from {right_from.isoformat()}, and "
            "reserves its claim for damages."
        ),
    }


def notice_html(notice: BreachNotice) -> str:
    return render_to_string(TEMPLATE, notice_context(notice))


def notice_pdf_bytes(notice: BreachNotice) -> bytes:
    base_url = Path(settings.BASE_DIR).as_uri() + "/"
    return pdf.render_pdf(notice_html(notice), base_url=base_url)


def notice_pdf_store(notice: BreachNotice) -> bool:
    """Render and keep the PDF once (``common.pdf.pdf_store_once``): False if a stored
    file is already there, True when rendered now."""
    return pdf_store_once(notice, lambda: notice_pdf_bytes(notice))
