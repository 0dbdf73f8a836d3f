"""Every event the code writes has a label in the one list of event types."""

import re
from pathlib import Path

from django.utils import translation

from common.event_types import BRAND_VISIBLE, EVENT_TYPES, event_label

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "common", "contracts", "kpis", "settlements", "integrations", "receivables")
WRITTEN = re.compile(r'action="([a-z_]+\.[a-z_.]+)"')


def actions_written() -> set[str]:
    found: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            found.update(WRITTEN.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_written_action_has_a_label() -> None:
    written = actions_written()
    assert len(written) > 20
    assert written - set(EVENT_TYPES) == set()


def test_brand_visible_events_are_known() -> None:
    assert BRAND_VISIBLE <= set(EVENT_TYPES)


def test_an_unknown_action_is_shown_as_is() -> None:
    assert event_label("something.new") == "something.new"
    with translation.override("en"):
        assert event_label("payment.recorded") == "Payment received"
