"""One language per page for texts written in both: "中文 / English".

The rules' refusals (``core.messages``, ``settlements.messages``, ``kpis.messages``) are
written once in both languages, so the API, the logs and the PDFs carry both. A page
shows only the half of its language: ``one_language`` picks it (the admin's messages
and form errors go through it; see ``templates/unfold/helpers/``).
"""

import re

from django.conf import settings
from django.utils.translation import get_language

# The Chinese half holds a CJK character; " / " (or "/ " right after full-width closing
# punctuation, "「数量」/ the …") then an English half that starts with a
# letter, a quote, a bracket or a digit (names and amounts inside either half are kept).
_BOTH = re.compile(
    r"^(?P<zh>[^\n]*?[\u3400-\u9fff][^\n]*?)(?:\s+|(?<=[）」』】》。]))/\s+(?P<en>[A-Za-z0-9\"'(“‘¥$].*)$",
    re.S,
)


def one_language(text: object, language: str | None = None) -> str:
    """The half of a bilingual text in ``language`` (default: the active one); any other
    text unchanged."""
    value = str(text)
    match = _BOTH.match(value)
    if match is None:
        return value
    language = (language or get_language() or settings.LANGUAGE_CODE).lower()
    if language.startswith("zh"):
        return match["zh"].strip()
    english = match["en"].strip()
    return english[:1].upper() + english[1:]
