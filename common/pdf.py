"""PDF rendering engine for every document (对账单, 违约通知书 and the like).

Turns finished HTML into PDF bytes with WeasyPrint. It lives in ``common`` so that every
app that issues a document (settlements' statements, obligations' breach notices, the
balance confirmations) renders with the same fonts and stylesheet;
``settlements.pdf`` re-exports it. It knows nothing about
models or Django templates: callers render their template to a string and
pass it to :func:`render_pdf`.

Every document is set in "DocSans", the GB2312 subsets of Noto Sans CJK SC in
``static/fonts`` (built by ``scripts/build_fonts.py``), with the stylesheet
``static/pdf/document.css``. The ``FontConfiguration`` and the ``CSS`` object
are created on first use and reused by every later render in the process,
which is what keeps a one-page statement near 0.1 s (PDF-NOTES.md).

Worker lifecycle (Celery prefork, for example)::

    from celery.signals import worker_process_init, worker_process_shutdown

    @worker_process_init.connect
    def _pdf_start(**kwargs):
        pdf.warm_up()
        gc.freeze()  # after warm-up: fewer slow outliers, see PDF-NOTES.md

    @worker_process_shutdown.connect
    def _pdf_stop(**kwargs):
        pdf.cleanup()

Renders in one process are serialised by a lock: Pango's font map is not
meant to be shared between threads. Use processes for parallelism.
"""

from __future__ import annotations

import atexit
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = PROJECT_ROOT / "static" / "fonts"
STYLESHEET_PATH = PROJECT_ROOT / "static" / "pdf" / "document.css"

FONT_FAMILY = "DocSans"
# CSS font-weight -> subset font file in FONT_DIR.
FONT_FILES = {
    400: "NotoSansSC-Regular.subset.otf",
    700: "NotoSansSC-Bold.subset.otf",
}

# Templates only reference local files (fonts, logos) and inline data; a stray
# http:// URL must not make a worker wait on the network.
ALLOWED_URL_PROTOCOLS = ("file", "data")

_WARM_UP_HTML = (
    "<!doctype html><html lang='zh-CN'><meta charset='utf-8'>"
    "<h1>对账单 Reconciliation statement</h1>"
    "<p>甲方：杭州某某电子商务有限公司 <b>¥2,793.00 贰仟柒佰玖拾叁元整</b></p>"
    "</html>"
)


@dataclass(frozen=True)
class _Engine:
    """The process-wide WeasyPrint objects reused by every render."""

    font_config: FontConfiguration
    stylesheet: CSS


_engine: _Engine | None = None
_lock = threading.RLock()


def font_paths() -> dict[int, Path]:
    """Return the subset font file for each CSS font-weight of DocSans."""
    return {weight: FONT_DIR / name for weight, name in FONT_FILES.items()}


def font_face_css() -> str:
    """Return the ``@font-face`` rules binding DocSans to the subset fonts.

    The URLs are absolute ``file://`` URLs, so they do not depend on the
    document's base URL.
    """
    rules = []
    for weight, path in font_paths().items():
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing; run scripts/build_fonts.py")
        rules.append(
            "@font-face {"
            f' font-family: "{FONT_FAMILY}";'
            f' src: url("{path.as_uri()}") format("opentype");'
            f" font-weight: {weight};"
            " font-style: normal;"
            " }"
        )
    return "\n".join(rules) + "\n"


def _url_fetcher() -> object:
    """Return a WeasyPrint URL fetcher limited to ``ALLOWED_URL_PROTOCOLS``."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=ALLOWED_URL_PROTOCOLS)


def _get_engine() -> _Engine:
    """Return the process-wide engine, creating it on first use.

    Must be called with ``_lock`` held.
    """
    global _engine
    if _engine is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        # The @font-face rules register the fonts in font_config here, once;
        # the stylesheet's own url()s resolve against static/pdf/.
        stylesheet = CSS(
            string=font_face_css() + STYLESHEET_PATH.read_text(encoding="utf-8"),
            base_url=STYLESHEET_PATH.as_uri(),
            font_config=font_config,
            url_fetcher=_url_fetcher(),
        )
        _engine = _Engine(font_config=font_config, stylesheet=stylesheet)
    return _engine


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render an HTML document to PDF bytes with the DocSans fonts and document.css.

    ``base_url`` resolves relative URLs in ``html`` (images, extra
    stylesheets); pass e.g. ``Path(settings.STATIC_ROOT).as_uri() + "/"``.
    Only ``file:`` and ``data:`` URLs are fetched.

    Characters outside the subset fonts (rare hanzi in a name) are drawn from
    a system font: the PDF stays correct but gets slower and bigger.
    """
    from weasyprint import HTML

    with _lock:
        engine = _get_engine()
        document = HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher())
        pdf: bytes = document.write_pdf(
            stylesheets=[engine.stylesheet],
            font_config=engine.font_config,
        )
    return pdf


def warm_up() -> None:
    """Load the fonts and WeasyPrint's caches by rendering a tiny Chinese document.

    Call once when a worker process starts, before taking jobs, so the first
    real statement is not the slow one (the first render in a process takes
    about a second).
    """
    render_pdf(_WARM_UP_HTML)


def cleanup() -> None:
    """Remove the temporary font folder and drop the reused engine.

    A reused ``FontConfiguration`` copies the fonts into a ``weasyprint-*``
    folder in the temp directory and leaves it behind when the process exits.
    Call this in the worker's shutdown hook; it is also registered with
    ``atexit``, which does not run when a process is killed or ends through
    ``os._exit``. A render after ``cleanup()`` builds a new engine.
    """
    global _engine
    with _lock:
        if _engine is None:
            return
        # WeasyPrint 70 has no public accessor for the folder.
        folder = getattr(_engine.font_config, "_folder", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
            _engine.font_config._folder = None
        _engine = None


atexit.register(cleanup)


def harfbuzz_subset_available() -> bool:
    """Return whether WeasyPrint subsets embedded fonts with HarfBuzz.

    Mirrors WeasyPrint 70's own test in ``weasyprint.pdf.fonts.Font.subset``:
    libharfbuzz-subset must load and HarfBuzz must be 4.1.0 or newer.
    Otherwise WeasyPrint falls back to fontTools, which takes 1-5 s per page
    with a CJK font and only logs a warning. On Debian the library comes
    from the ``libharfbuzz-subset0`` package.
    """
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def pdf_store_once(document: Any, render: Callable[[], bytes]) -> bool:
    """Render and keep a document's PDF once (a statement, a balance confirmation, a
    breach notice: any model with ``number`` and a ``pdf`` file field).

    False without rendering when a stored file is already there, True when ``render()``
    ran and its bytes were stored as ``<number>.pdf``. Only the ``pdf`` column is written,
    so an issued document is never otherwise touched; the row lock makes a second worker
    wait and then find the file."""
    manager = type(document)._default_manager
    with transaction.atomic():
        current = manager.select_for_update().only("pk", "pdf").get(pk=document.pk)
        if current.pdf and current.pdf.storage.exists(current.pdf.name):
            document.pdf.name = current.pdf.name
            return False
        document.pdf.save(f"{document.number}.pdf", ContentFile(render()), save=False)
        manager.filter(pk=document.pk).update(pdf=document.pdf.name)
    return True
