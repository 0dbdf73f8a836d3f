"""The three webhook formats: signed JSON, 企业微信 (WeCom) and 钉钉 (DingTalk) group robots.

- ``json``: the body ``{"id", "type", "created_at", "data"}`` as compact UTF-8 JSON, with
  ``X-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>``, ``X-Event-Id`` and
  ``X-Event-Type``.
- ``wecom``: a group robot's markdown message ``{"msgtype": "markdown", "markdown":
  {"content": ...}}`` (content at most 4096 bytes; ``<font color="warning|comment">``).
  The robot's key is in its URL; WeCom has no signing.
- ``dingtalk``: ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``; with
  the robot's 加签 secret (``SEC…``) the URL gets ``timestamp=<ms>&sign=<urlencoded
  base64 HMAC-SHA256(secret, "<timestamp>\\n<secret>")>``, computed at each try (DingTalk
  refuses a timestamp more than an hour off).

Both robots answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``; any other errcode is
a failure (``robot_refusal``). Text users typed (names, a dispute's comment) is written
with the markdown characters replaced by their full-width forms, so it cannot turn into a
link or a heading in the group chat.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from django.core.serializers.json import DjangoJSONEncoder

SIGNATURE = "代运营结算"  # every robot message ends with it (DingTalk's keyword setting)
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 20000

_MARKDOWN = str.maketrans(
    {
        "<": "＜",
        ">": "＞",
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "*": "＊",
        "_": "＿",
        "`": "＇",
        "#": "＃",
        "|": "｜",
    }
)


@dataclass
class Notice:
    """A robot message: a title, label–value lines, a link; ``alert`` for bad news."""

    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    link: str = ""
    link_text: str = "在管理后台查看"
    alert: bool = False


def plain(text: str) -> str:
    """User text on one line, unable to make markdown (links, headings, colours)."""
    return " ".join(str(text).split()).translate(_MARKDOWN)


def envelope(*, event_id: Any, event_type: str, created_at: str, data: Any) -> dict[str, Any]:
    return {"id": str(event_id), "type": event_type, "created_at": created_at, "data": data}


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def signature(secret: str, body: bytes) -> str:
    """``X-Signature``: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


# --- robots ---------------------------------------------------------------------------------


def _fit(render: Any, notice: Notice, limit: int) -> str:
    """The rendered message, dropping its last lines until it fits ``limit`` bytes."""
    lines = list(notice.lines)
    while True:
        text = str(render(notice, lines))
        if len(text.encode("utf-8")) <= limit or not lines:
            return text
        lines.pop()


def _wecom_content(notice: Notice, lines: list[tuple[str, str]]) -> str:
    title = f"**{plain(notice.title)}**"
    if notice.alert:
        title = f'<font color="warning">{title}</font>'
    parts = [title]
    parts += [
        f'> {plain(label)}：<font color="comment">{plain(value)}</font>' for label, value in lines
    ]
    if notice.link:
        parts.append(f"[{notice.link_text}]({notice.link})")
    parts.append(f'<font color="comment">— {SIGNATURE}</font>')
    return "\n".join(parts)


def wecom_message(notice: Notice) -> dict[str, Any]:
    """企业微信群机器人 markdown message."""
    return {
        "msgtype": "markdown",
        "markdown": {"content": _fit(_wecom_content, notice, WECOM_MAX_BYTES)},
    }


def _dingtalk_text(notice: Notice, lines: list[tuple[str, str]]) -> str:
    parts = [f"#### {plain(notice.title)}", ""]
    parts += [f"- {plain(label)}：{plain(value)}" for label, value in lines]
    parts.append("")
    if notice.link:
        parts += [f"[{notice.link_text}]({notice.link})", ""]
    parts.append(f"— {SIGNATURE}")
    return "\n".join(parts)


def dingtalk_message(notice: Notice) -> dict[str, Any]:
    """钉钉自定义机器人 markdown message (``title`` is what the chat list shows)."""
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": plain(notice.title)[:60],
            "text": _fit(_dingtalk_text, notice, DINGTALK_MAX_BYTES),
        },
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: urlencoded base64 of HMAC-SHA256(secret, "<timestamp>\\n<secret>")."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with ``timestamp`` and ``sign`` appended (unchanged without a secret)."""
    if not secret:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def robot_refusal(text: str) -> tuple[int, str] | None:
    """A robot's ``(errcode, errmsg)`` when its HTTP 200 answer is a refusal."""
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    if not isinstance(answer, dict) or "errcode" not in answer:
        return None
    try:
        errcode = int(answer["errcode"])
    except (TypeError, ValueError):
        return (-1, str(answer.get("errmsg", "")))
    return None if errcode == 0 else (errcode, str(answer.get("errmsg", "")))


# --- one format's body ---------------------------------------------------------------------


def body_for(format: str, *, event: dict[str, Any], notice: Notice) -> str:
    """The exact text a delivery sends (kept, so every retry sends the same bytes)."""
    if format == "wecom":
        return to_json(wecom_message(notice))
    if format == "dingtalk":
        return to_json(dingtalk_message(notice))
    return to_json(event)


def request_for(
    *, format: str, url: str, secret: str, body: str, event_id: Any, event_type: str, now_ms: int
) -> tuple[str, bytes, dict[str, str]]:
    """URL, raw body and headers of one try."""
    raw = body.encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if format == "json":
        headers = {
            "Content-Type": "application/json",
            "X-Signature": signature(secret, raw),
            "X-Event-Id": str(event_id),
            "X-Event-Type": event_type,
        }
        return url, raw, headers
    if format == "dingtalk":
        return dingtalk_url(url, secret, now_ms), raw, headers
    return url, raw, headers
