"""The documents stand on their own and name code that exists.

docs/rules.md names the function that holds each rule as `module.name`; every such name
must import, so a rule never points at code that moved. No document sends the reader
outside the repository.
"""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "core",
    "common",
    "accounts",
    "contracts",
    "kpis",
    "settlements",
    "integrations",
    "receivables",
    "demo",
)
NAME = re.compile(r"`((?:" + "|".join(PACKAGES) + r")(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def resolve(dotted: str) -> object:
    """Import the longest module prefix of ``dotted`` and walk the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(dotted)


def named_in(path: Path) -> list[str]:
    return sorted(set(NAME.findall(path.read_text(encoding="utf-8"))))


def test_rules_name_many_places() -> None:
    assert len(named_in(ROOT / "docs" / "rules.md")) >= 40


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_named_place_exists(path: Path) -> None:
    missing = []
    for dotted in named_in(path):
        try:
            resolve(dotted)
        except (ImportError, AttributeError) as error:
            missing.append(f"{dotted}: {error}")
    assert missing == []


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_no_document_points_outside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "../shared" not in text
    assert "shared/DOMAIN" not in text and "shared/API" not in text


def test_the_integration_guide_is_served_and_linked_from_the_api_docs(client):
    guide = client.get("/api/guide/")
    assert guide.status_code == 200
    assert guide["Content-Type"].startswith("text/markdown")
    assert "X-Signature" in guide.content.decode()
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/guide/" in schema["info"]["description"]
