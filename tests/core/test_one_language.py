"""One language per page for texts written in both languages."""

import pytest
from django.contrib import admin as django_admin  # noqa: F401  (apps loaded)
from django.template import Context, Template
from django.utils import translation

from common.i18n import one_language
from core.messages import DATE_RANGE


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            "日期不能晚于今天 / the date cannot be in the future",
            "日期不能晚于今天",
            "The date cannot be in the future",
        ),
        (
            "金额 ¥1,000.00 超出未付 ¥500.00 / amount ¥1,000.00 is above the 500.00 outstanding",
            "金额 ¥1,000.00 超出未付 ¥500.00",
            "Amount ¥1,000.00 is above the 500.00 outstanding",
        ),
        (
            "协议 HT-2026-0001（山野茶业）已终止 / HT-2026-0001 (山野茶业) is terminated",
            "协议 HT-2026-0001（山野茶业）已终止",
            "HT-2026-0001 (山野茶业) is terminated",
        ),
    ],
)
def test_each_language_gets_its_half(text, zh, en):
    assert one_language(text, "zh-hans") == zh
    assert one_language(text, "en") == en


@pytest.mark.parametrize(
    "text", ["plain English / with a slash", "只有中文", "2026-10 / 2026-11", ""]
)
def test_texts_in_one_language_are_unchanged(text):
    assert one_language(text, "zh-hans") == text
    assert one_language(text, "en") == text


def test_the_project_messages_split_and_the_filter_follows_the_active_language():
    text = DATE_RANGE.format(first="2000-01-01", last="2100-12-31")
    rendered = Template("{% load one_language %}{{ text|one_language }}")
    with translation.override("en"):
        english = rendered.render(Context({"text": text}))
    with translation.override("zh-hans"):
        chinese = rendered.render(Context({"text": text}))
    assert english and chinese and english != chinese
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese) and "date" not in chinese
