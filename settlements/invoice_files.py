"""What an uploaded invoice file is, read from its content, never from its name.

An invoice (发票) comes as a PDF, an OFD (the Chinese fixed-layout format: a ZIP package
with ``OFD.xml`` at its root, GB/T 33190) or the XML the digital-invoice platform
issues. ``file_type`` looks at the bytes; a name whose extension says another type is
refused by the service, so a ``.pdf`` holding anything but a PDF never gets stored.

XML is parsed with ``defusedxml`` when it is installed; without it, any ``<!DOCTYPE`` or
``<!ENTITY`` is refused before the standard library's parser sees the text, so neither
entity expansion nor external entities can be used. Pure Python, no Django.
"""

from __future__ import annotations

import io
import re
import zipfile
from enum import StrEnum
from xml.etree import ElementTree

try:  # pragma: no cover - depends on the environment
    from defusedxml import ElementTree as SafeElementTree  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover
    SafeElementTree = None

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OFD_ROOT = "ofd.xml"
_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class FileType(StrEnum):
    PDF = "pdf"
    OFD = "ofd"
    XML = "xml"


CONTENT_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.OFD: "application/ofd",
    FileType.XML: "application/xml",
}
TYPE_NAMES = {FileType.PDF: "PDF", FileType.OFD: "OFD", FileType.XML: "XML"}


class XmlDeclarationRefused(ValueError):
    """An XML file with a DOCTYPE or entity declarations."""


def _is_ofd(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return any(name.strip("/").lower() == OFD_ROOT for name in names)


def _is_xml(data: bytes) -> bool:
    if _DECLARATIONS.search(data):
        raise XmlDeclarationRefused
    try:
        if SafeElementTree is not None:
            SafeElementTree.fromstring(data)
        else:
            ElementTree.fromstring(data)  # noqa: S314 - no DTD can reach it (checked above)
    except (ElementTree.ParseError, ValueError):  # not XML (defusedxml refuses with ValueErrors)
        return False
    return True


def file_type(data: bytes) -> FileType | None:
    """PDF, OFD or XML by content; None for anything else. Raises
    ``XmlDeclarationRefused`` for XML carrying a DOCTYPE or entities."""
    if data.startswith(PDF_MAGIC):
        return FileType.PDF
    if data.startswith(ZIP_MAGIC):
        return FileType.OFD if _is_ofd(data) else None
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return FileType.XML if _is_xml(data) else None
    return None


def extension_of(name: str) -> str:
    """The lower-case extension of a file name ("" when it has none)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""
