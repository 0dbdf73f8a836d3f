"""The PDF engine of settlement documents: ``common.pdf``, re-exported under the name
settlements' modules, the benchmarks and the PDF tests have always imported.

It moved to ``common`` so that documents of apps below settlements (breach notices in
``obligations``) render with the same engine, fonts and stylesheet.
"""

from common.pdf import (
    ALLOWED_URL_PROTOCOLS,
    FONT_DIR,
    FONT_FAMILY,
    FONT_FILES,
    PROJECT_ROOT,
    STYLESHEET_PATH,
    cleanup,
    font_face_css,
    font_paths,
    harfbuzz_subset_available,
    render_pdf,
    warm_up,
)

__all__ = [
    "ALLOWED_URL_PROTOCOLS",
    "FONT_DIR",
    "FONT_FAMILY",
    "FONT_FILES",
    "PROJECT_ROOT",
    "STYLESHEET_PATH",
    "cleanup",
    "font_face_css",
    "font_paths",
    "harfbuzz_subset_available",
    "render_pdf",
    "warm_up",
]
