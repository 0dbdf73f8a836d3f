"""Every admin page reads in one language: Chinese in zh-hans, English in en.

The test walks the staff admin as a user would: from the workbench it follows every
admin link (GET only; no delete, logout or language switch), as agency staff and as a
superuser, in both languages. On each page it reads what a person reads (text, titles,
placeholders; not scripts, styles or icon ligatures), removes the data itself (names,
titles, numbers typed by users: any text stored in the database) and the codes both
languages share (PDF, API, KPI, SKU, XLSX, CSV…), and fails on what is left of the
other language. A new page, model or field is covered without anyone listing it.
"""

import re
from collections import deque
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.db import models

from demo.seed import seed_demo

pytestmark = pytest.mark.django_db(transaction=False)

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
HEX_PIECE = re.compile(r"[a-f]{3,6}")
# Codes and units both languages write the same way.
SHARED_WORDS = {
    "PDF",
    "API",
    "KPI",
    "KPIs",
    "SKU",
    "SKUs",
    "XLSX",
    "CSV",
    "URL",
    "JSON",
    "OFD",
    "XML",
    "CNY",
    "UTC",
    "Tmall",
    "WeChat",
    "Baidu",
    "Google",
    "Token",
    # The language switcher names each language in its own language.
    "English",
    "hans",
    # A keyboard key.
    "esc",
    # Keys and formats named as they are written.
    "Command",
    "Control",
    "Mac",
    "YYYY",
    "LDAP",
    "GBK",
    "UTF",
}
LANGUAGE_NAMES = ["简体中文", "English"]
SKIP_LINK = re.compile(
    r"/(delete|logout|password|i18n|jsi18n|autocomplete)/|/r/\d|[?&](_popup|_to_field)=|\.(pdf|xlsx|csv)$"
)
MAX_PAGES = 250
DEMO_TODAY = date(2026, 11, 24)  # the demo data's today
SKIP_TAGS = {"script", "style", "template", "noscript", "svg"}


class _Reader(HTMLParser):
    """Collect what a person reads, and the page's admin links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = tag in SKIP_TAGS or "material-symbols" in (attrs.get("class") or "")
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}:
            self._stack.append(skip)
            self._skip += skip
        if self._skip:
            return
        for name in ("title", "placeholder", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}:
            return
        if self._stack:
            self._skip -= self._stack.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def _stored_texts() -> list[str]:
    """Every text value stored in the database (data, not interface), longest first."""
    found: set[str] = set()
    for model in apps.get_models():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        # Lists of texts kept as JSON (a brand's payer names and accounts) are data too.
        lists = [f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        if not names and not lists:
            continue
        for row in model.objects.values_list(*names, *lists):
            for value in row[: len(names)]:
                if value and len(value) >= 2:
                    found.add(str(value))
            for value in row[len(names) :]:
                if isinstance(value, list):
                    found.update(item for item in value if isinstance(item, str) and len(item) >= 2)
    return sorted(found, key=len, reverse=True)


def _other_language(text: str, language: str, stored: list[str]) -> list[str]:
    lowered = text.lower()
    for value in stored:
        if value.lower() in lowered:  # data shown as typed or capitalized ("staff", "Staff")
            text = re.sub(re.escape(value), " ", text, flags=re.IGNORECASE)
            lowered = text.lower()
    if language == "en":
        return [m.group(0) for m in re.finditer(r"\S*" + CJK.pattern + r"\S*", text)]
    # Pieces of a password hash's summary ("salt: acf*****") are not words.
    return [
        w for w in LATIN_WORD.findall(text) if w not in SHARED_WORDS and not HEX_PIECE.fullmatch(w)
    ]


def _key(url: str) -> tuple[str, tuple[str, ...]]:
    """A kind of page: its path with ids as <id>, and the names of its query parameters
    (a list filtered by each status is one kind of page, not one per status)."""
    parts = urlsplit(url)
    names = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"/\d+/", "/<id>/", parts.path), tuple(names)


PER_KIND = 2  # pages read of each kind (two statements' pages, not every one)


def _walk(client, language):
    client.cookies["django_language"] = language
    seen: set[str] = set()
    kinds: dict[tuple[str, tuple[str, ...]], int] = {}
    queue = deque(["/admin/"])
    problems: dict[str, list[str]] = {}
    stored = _stored_texts() + LANGUAGE_NAMES
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or kinds.get(_key(url), 0) >= PER_KIND:
            continue
        seen.add(url)
        kinds[_key(url)] = kinds.get(_key(url), 0) + 1
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        reader = _Reader()
        reader.feed(response.content.decode())
        wrong = _other_language("\n".join(reader.parts), language, stored)
        if wrong:
            problems[url] = sorted(set(wrong))[:12]
        for href in reader.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/admin/") or SKIP_LINK.search(href):
                continue
            if href not in seen:
                queue.append(href)
    return seen, problems


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr("common.clock.today", lambda: DEMO_TODAY)
    seed_demo()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("username", ["staff", "admin"])
def test_every_admin_page_reads_in_one_language(client, demo, username, language):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    seen, problems = _walk(client, language)
    assert len(seen) >= 25, sorted(seen)
    report = "\n".join(f"{url}: {words}" for url, words in sorted(problems.items()))
    assert not problems, f"{len(problems)} of {len(seen)} pages mix languages:\n{report}"
