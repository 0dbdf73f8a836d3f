"""``{{ text|one_language }}``: the active language's half of a "中文 / English" text."""

from django import template

from common.i18n import one_language as _one_language

register = template.Library()


@register.filter
def one_language(value: object) -> str:
    return _one_language(value)
