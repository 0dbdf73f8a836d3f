"""Checks on rendered PDFs shared by the PDF tests: fonts, glyphs and visible text.

No Django here: tests/settlements/test_pdf_engine.py also runs with ``-p no:django``.

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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from settlements import pdf

MAX_PDF_BYTES = 120 * 1024

BASE_FONT_RE = re.compile(r"^/[A-Z]{6}\+DocSans(-Bold)?$")


class _BodyText(HTMLParser):
    """Collect the text of an HTML document outside <head>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._in_head = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False

    def handle_data(self, data: str) -> None:
        if not self._in_head:
            self.parts.append(data)


def visible_characters(html: str) -> set[str]:
    """Return the non-whitespace characters of the document's body text."""
    parser = _BodyText()
    parser.feed(html)
    parser.close()
    return {char for char in "".join(parser.parts) if not char.isspace()}


@dataclass(frozen=True)
class EmbeddedFont:
    """A font of a rendered PDF, as a viewer sees it."""

    base_font: str
    program: TTFont
    to_unicode: dict[int, str]

    @property
    def postscript_name(self) -> str:
        """Return the PostScript name (name ID 6) of the embedded font program."""
        return self.program["name"].getDebugName(6) or ""


def parse_to_unicode(cmap: bytes) -> dict[int, str]:
    """Return code -> text from a ToUnicode CMap of bfchar entries, as WeasyPrint writes."""
    text = cmap.decode("latin-1")
    if "beginbfrange" in text:
        raise ValueError("bfrange entries are not supported by this parser")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.DOTALL):
        for code, target in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(target).decode("utf-16-be")
    return mapping


def _font_dictionaries(resources: DictionaryObject, seen: set[int]) -> Iterator[DictionaryObject]:
    """Yield the font dictionaries of a resource dictionary and its form XObjects."""
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        if id(font) not in seen:
            seen.add(id(font))
            yield font
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            yield from _font_dictionaries(xobject["/Resources"].get_object(), seen)


def embedded_fonts(pdf_bytes: bytes) -> list[EmbeddedFont]:
    """Return every font used on any page of a PDF."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    seen: set[int] = set()
    fonts = []
    for page in reader.pages:
        for font in _font_dictionaries(page["/Resources"].get_object(), seen):
            assert font["/Subtype"] == "/Type0", f"unexpected font type {font['/Subtype']}"
            descendant = font["/DescendantFonts"][0].get_object()
            assert descendant.get("/CIDToGIDMap") == "/Identity"
            descriptor = descendant["/FontDescriptor"].get_object()
            stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            fonts.append(
                EmbeddedFont(
                    base_font=str(font["/BaseFont"]),
                    program=TTFont(io.BytesIO(stream.get_object().get_data())),
                    to_unicode=parse_to_unicode(font["/ToUnicode"].get_object().get_data()),
                )
            )
    return fonts


def _outline(font: TTFont, glyph_name: str) -> tuple[int, list[tuple[str, tuple[object, ...]]]]:
    """Return a glyph's advance width and drawing commands."""
    glyph = font.getGlyphSet()[glyph_name]
    pen = RecordingPen()
    glyph.draw(pen)
    return glyph.width, pen.value


def is_cid_keyed(font: TTFont) -> bool:
    """Return whether a font's outlines are a CID-keyed CFF."""
    return "CFF " in font and hasattr(font["CFF "].cff.topDictIndex[0], "ROS")


def glyphs_viewers_may_draw(font: TTFont, code: int) -> list[str]:
    """Return the glyphs viewers may draw for an Identity-H code, or [] if one is missing.

    Poppler and PDFium use the code as a glyph id. For a CID-keyed CFF
    Acrobat and Preview treat it as a CID and look it up in the charset
    (glyph named ``cidNNNNN``).
    """
    glyph_order = font.getGlyphOrder()
    if code >= len(glyph_order):
        return []
    names = [glyph_order[code]]
    if is_cid_keyed(font) and code:
        by_cid = f"cid{code:05d}"
        if by_cid not in font.getGlyphSet():
            return []
        names.append(by_cid)
    return names


def characters_drawn_from(fonts: list[EmbeddedFont], references: dict[str, TTFont]) -> set[str]:
    """Return the characters drawn with the glyph the reference font has for them.

    ``references`` maps PostScript names to the subset font files; fonts with
    another name (system fallbacks) draw nothing that counts.
    """
    drawn = set()
    for font in fonts:
        reference = references.get(font.postscript_name)
        if reference is None:
            continue
        reference_cmap = reference.getBestCmap()
        for code, text in font.to_unicode.items():
            if len(text) != 1 or ord(text) not in reference_cmap:
                continue
            reference_name = reference_cmap[ord(text)]
            if reference.getGlyphID(reference_name) != code:
                continue
            expected = _outline(reference, reference_name)
            names = glyphs_viewers_may_draw(font.program, code)
            if names and all(_outline(font.program, name) == expected for name in names):
                drawn.add(text)
    return drawn


def load_subset_fonts() -> dict[str, TTFont]:
    """Return the committed subset fonts by PostScript name."""
    fonts = {}
    for path in pdf.font_paths().values():
        font = TTFont(path)
        fonts[font["name"].getDebugName(6) or ""] = font
    return fonts
