"""Build the subset CJK fonts that the PDF engine embeds.

Takes face index 2 (Noto Sans CJK SC, Simplified Chinese) of Debian's
``fonts-noto-cjk`` collections and keeps only what a settlement statement
needs: every GB2312 character (6,763 hanzi and 682 symbols), ASCII, Latin-1,
general punctuation, CJK punctuation, fullwidth forms and the characters of
Chinese capital numerals (大写金额). CIDs are renumbered to equal glyph ids
so that every PDF viewer draws the same glyphs (see with_identity_cids).
Writes::

    static/fonts/NotoSansSC-Regular.subset.otf
    static/fonts/NotoSansSC-Bold.subset.otf
    static/fonts/OFL.txt

The outputs are committed, so a fresh machine needs no build step; run this
only to change the character set::

    apt-get install fonts-noto-cjk
    .venv/bin/python scripts/build_fonts.py

Why a subset: WeasyPrint re-reads and re-subsets the whole font on every
render, and a 20 MB collection costs time and PDF size (see PDF-NOTES.md).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = PROJECT_ROOT / "static" / "fonts"

SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")

# Face 2 of NotoSansCJK-*.ttc is Simplified Chinese; checked against the name
# table in load_face() so a repackaged collection cannot silently give us JP.
SC_FACE_INDEX = 2
SC_POSTSCRIPT_PREFIX = "NotoSansCJKsc-"

WEIGHTS = {
    "Regular": "NotoSansCJK-Regular.ttc",
    "Bold": "NotoSansCJK-Bold.ttc",
}

# The subset must cover these completely (build() fails otherwise).
REQUIRED_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement
)
# Of these blocks the subset keeps whatever the source font has: Noto Sans CJK
# lacks the format controls, some spaces and rare marks in them, and text using
# those falls back to a system font like any character outside the subset.
OPTIONAL_RANGES = (
    (0x2000, 0x206F),  # general punctuation
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # halfwidth and fullwidth forms
)

# Chinese capital numerals and units used for amounts in words, plus the yuan
# sign; all but a few are in GB2312 already, listed so the intent is explicit.
AMOUNT_IN_WORDS_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整负¥"

LAYOUT_FEATURES = ["kern", "tnum", "pnum", "ccmp"]

# The copyright line of the upstream noto-cjk LICENSE file.
NOTO_CJK_COPYRIGHT = (
    "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'."
)


def gb2312_characters() -> set[str]:
    """Return every character encoded in GB2312.

    Decodes each two-byte code (lead and trail byte 0xA1-0xFE) and keeps the
    ones the codec accepts: 7,445 characters, rows 16-87 being the hanzi.
    """
    characters = set()
    for lead in range(0xA1, 0xFF):
        for trail in range(0xA1, 0xFF):
            try:
                characters.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return characters


def required_codepoints() -> set[int]:
    """Return the code points the subset fonts must have a glyph for."""
    codepoints = {ord(char) for char in gb2312_characters()}
    for first, last in REQUIRED_RANGES:
        codepoints.update(range(first, last + 1))
    codepoints.update(ord(char) for char in AMOUNT_IN_WORDS_CHARS)
    return codepoints


def wanted_codepoints() -> list[int]:
    """Return the sorted code points to keep where the source font has them."""
    codepoints = required_codepoints()
    for first, last in OPTIONAL_RANGES:
        codepoints.update(range(first, last + 1))
    return sorted(codepoints)


def load_face(path: Path) -> TTFont:
    """Open the Simplified Chinese face of a Noto Sans CJK collection.

    Raises SystemExit when face ``SC_FACE_INDEX`` is not Noto Sans CJK SC.
    """
    font = TTFont(path, fontNumber=SC_FACE_INDEX, recalcTimestamp=False)
    postscript_name = font["name"].getDebugName(6) or ""
    if not postscript_name.startswith(SC_POSTSCRIPT_PREFIX):
        raise SystemExit(
            f"{path} face {SC_FACE_INDEX} is {postscript_name!r}, "
            f"expected {SC_POSTSCRIPT_PREFIX}*; find the SC face and update SC_FACE_INDEX"
        )
    return font


def subset_font(font: TTFont, codepoints: Iterable[int]) -> None:
    """Subset ``font`` in place to ``codepoints`` without hinting."""
    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.hinting = False
    options.notdef_outline = True  # a missing glyph shows as a box, not as blank space
    options.name_IDs = ["*"]  # keep copyright, licence and trademark records
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)


def with_identity_cids(font: TTFont) -> TTFont:
    """Return a copy of a CID-keyed CFF font whose CIDs equal its glyph ids.

    WeasyPrint writes glyph ids as the codes of an Identity-H font and embeds
    the font as an OpenType (OTTO) program. Poppler and Chrome's PDFium read
    the codes as glyph ids; Acrobat and macOS Preview map them through the
    CFF charset as CIDs. Noto's charset keeps the original CIDs (对 is glyph
    2243 here but CID 15698), so the second group would draw wrong glyphs.
    With CID == glyph id both readings agree. HarfBuzz keeps the charset when
    WeasyPrint subsets the font again with retained glyph ids.

    Only the CFF table is decompiled and changed: the other tables refer to
    glyphs by id, so they are copied byte for byte.
    """
    buffer = io.BytesIO()
    font.save(buffer)
    buffer.seek(0)
    font = TTFont(buffer, recalcBBoxes=False, recalcTimestamp=False)
    top_dict = font["CFF "].cff.topDictIndex[0]
    old_names = list(top_dict.charset)
    new_names = [old_names[0]] + [f"cid{gid:05d}" for gid in range(1, len(old_names))]
    char_strings = top_dict.CharStrings.charStrings
    top_dict.CharStrings.charStrings = {
        new: char_strings[old] for old, new in zip(old_names, new_names, strict=True)
    }
    top_dict.charset = new_names
    font.setGlyphOrder(new_names)
    return font


def missing_codepoints(font: TTFont, codepoints: Iterable[int]) -> list[int]:
    """Return the wanted code points the font has no glyph for."""
    cmap = font.getBestCmap()
    return [codepoint for codepoint in codepoints if codepoint not in cmap]


def ofl_text() -> str:
    """Return OFL.txt: the Noto CJK copyright line and the SIL OFL 1.1 text.

    The licence text is taken from Debian's machine-readable copyright file,
    where it is indented by one space with ``.`` for blank lines.
    """
    copyright_file = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
    match = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", copyright_file, re.MULTILINE)
    if match is None:
        raise SystemExit(f"no SIL-1.1 licence text found in {DEBIAN_COPYRIGHT}")
    lines = []
    for line in match.group(1).splitlines():
        body = line[1:]
        lines.append("" if body == "." else body)
    licence = "\n".join(lines).strip("\n")
    header = (
        f"{NOTO_CJK_COPYRIGHT}\n"
        "Noto is a trademark of Google Inc.\n"
        "\n"
        "The files NotoSansSC-Regular.subset.otf and NotoSansSC-Bold.subset.otf are\n"
        "subsets (Modified Versions) of Noto Sans CJK SC from\n"
        "https://github.com/notofonts/noto-cjk, as packaged by Debian (fonts-noto-cjk).\n"
        "\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at:\n"
        "https://openfontlicense.org\n"
        "\n"
    )
    return header + licence + "\n"


def build(output_dir: Path) -> list[Path]:
    """Write both subset fonts and OFL.txt into ``output_dir``; return the font paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    required = required_codepoints()
    codepoints = wanted_codepoints()
    written = []
    for weight, collection in WEIGHTS.items():
        font = load_face(SOURCE_DIR / collection)
        subset_font(font, codepoints)
        font = with_identity_cids(font)
        missing = missing_codepoints(font, sorted(required))
        if missing:
            listed = ", ".join(f"U+{codepoint:04X}" for codepoint in missing[:20])
            raise SystemExit(f"{collection}: no glyph for {len(missing)} characters: {listed}")
        target = output_dir / f"NotoSansSC-{weight}.subset.otf"
        font.save(target)
        written.append(target)
        print(
            f"{target}: {target.stat().st_size / 1e6:.2f} MB, "
            f"{font['maxp'].numGlyphs} glyphs, "
            f"{len(font.getBestCmap())} code points"
        )
    (output_dir / "OFL.txt").write_text(ofl_text(), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and build the fonts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=OUTPUT_DIR,
        help=f"where to write the fonts (default: {OUTPUT_DIR})",
    )
    args = parser.parse_args(argv)
    build(args.output_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
