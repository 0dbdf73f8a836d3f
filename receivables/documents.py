"""The balance confirmation's document (往来余额确认函): HTML and the stored PDF.

Drawn from the confirmation's own snapshot (items and totals at issue), so the PDF says
what was issued whatever was paid since. Laid out by
``templates/receivables/pdf/balance_confirmation.html`` with the statements' engine,
fonts and stylesheet (``settlements.pdf``); the texts are prepared here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from common.pdf import pdf_store_once
from core.money import amount_in_chinese_capitals
from receivables.models import BalanceConfirmation
from settlements import pdf
from settlements.documents import format_money

TEMPLATE = "receivables/pdf/balance_confirmation.html"

TITLE = ("往来余额确认函", "Balance confirmation")
KIND_LABELS = {
    "monthly": "对账单 Statement",
    "setup_fee": "启动费账单 Setup fee",
    "installment": "分期付款账单 Installment",
    "penalty": "违约金通知 Penalty notice",
}
BUCKET_LABELS = {
    "not_due": "未到期 Not yet due",
    "1_30": "逾期 1–30 天 1–30 days",
    "31_60": "逾期 31–60 天 31–60 days",
    "61_90": "逾期 61–90 天 61–90 days",
    "over_90": "逾期 90 天以上 Over 90 days",
    "disputed": "异议中 Disputed",
}
INTRO = (
    "截至 {as_of}，根据我方账簿记录，贵方尚欠我方下列款项。请核对后在回执栏确认或注明不符之处，"
    "盖章后交回我方。/ As of {as_of}, our books show that you owe us the items below. "
    "Please check them, confirm or state what does not match in the reply section, seal "
    "and return this letter."
)
TERMS = (
    "本确认函仅确认截至上述日期的往来余额，不变更合同关于逾期付款违约金的约定；"
    "违约金按合同约定继续计算至实际付清之日。"
    "/ This letter confirms the balance as of the date above only. It does not change the "
    "contract's terms on late-payment penalties: penalties continue to accrue under the "
    "contract until payment in full.",
    "异议中的款项在异议解决前不计违约金，列示于此仅供核对。"
    "/ Disputed items carry no penalty while the dispute is open; they are listed for "
    "reconciliation only.",
)
NOT_SET = "—"


def _period(item: dict[str, Any]) -> str:
    return item.get("period") or NOT_SET


def confirmation_context(confirmation: BalanceConfirmation) -> dict[str, Any]:
    """Everything the template shows, as ready-made text."""
    total = Decimal(confirmation.total_outstanding) + Decimal(confirmation.total_penalty)
    brand, agency = confirmation.brand, confirmation.agency
    return {
        "title_zh": TITLE[0],
        "title_en": TITLE[1],
        "number": confirmation.number,
        "as_of": confirmation.as_of.isoformat(),
        "brand": {"name": brand.name, "address": brand.address, "tax_id": brand.tax_id},
        "agency": {"name": agency.name, "address": agency.address},
        "intro": INTRO.format(as_of=confirmation.as_of.isoformat()),
        "items": [
            {
                "position": index,
                "number": item["number"],
                "kind": KIND_LABELS.get(item["kind"], item["kind"]),
                "period": _period(item),
                "due_on": item.get("payment_due_on") or NOT_SET,
                "outstanding": format_money(item["outstanding"]),
                "penalty": format_money(item["penalty"]),
                "bucket": BUCKET_LABELS.get(item["bucket"], item["bucket"]),
            }
            for index, item in enumerate(confirmation.items, start=1)
        ],
        "total_outstanding": format_money(confirmation.total_outstanding),
        "total_penalty": format_money(confirmation.total_penalty),
        "total": format_money(total),
        "total_outstanding_in_words": amount_in_chinese_capitals(
            Decimal(confirmation.total_outstanding)
        ),
        "total_in_words": amount_in_chinese_capitals(total),
        "terms": TERMS,
    }


def confirmation_html(confirmation: BalanceConfirmation) -> str:
    return render_to_string(TEMPLATE, confirmation_context(confirmation))


def confirmation_pdf_bytes(confirmation: BalanceConfirmation) -> bytes:
    base_url = Path(settings.BASE_DIR).as_uri() + "/"
    return pdf.render_pdf(confirmation_html(confirmation), base_url=base_url)


def confirmation_pdf_store(confirmation: BalanceConfirmation) -> bool:
    """Render and keep the PDF once (``common.pdf.pdf_store_once``): False if a stored
    file is already there, True when rendered now."""
    return pdf_store_once(confirmation, lambda: confirmation_pdf_bytes(confirmation))
