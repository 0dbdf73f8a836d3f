"""One HTTP POST to a webhook: checked target, short timeout, no redirects, no proxies.

The standard library's ``http.client`` is used on purpose: it follows no redirect, reads
no proxy from the environment, and lets the connection go to the addresses
``security.url_check`` just approved (the Host header and the TLS certificate still name
the URL's host), so DNS cannot send the request elsewhere between the check and the
connect.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any

from core.exceptions import RuleViolation
from integrations.security import Target, url_check

TIMEOUT_SECONDS = 5.0
# The most of a receiver's answer read (the log keeps 500 characters of it).
MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "daiyunying-webhooks/1.0"


@dataclass(frozen=True)
class Answer:
    """What one POST came to: the status (None when no answer), the answer's text or the
    error, the ``Location`` of a redirect, and how long it took."""

    status: int | None
    text: str
    duration_ms: int
    location: str = ""
    refused: bool = False  # the target was refused (SSRF), nothing was sent


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def connect_checked(address: Any, timeout: Any = None, source_address: Any = None) -> Any:
        last: OSError | None = None
        for checked in target.addresses:  # only the addresses approved, in resolver order
            try:
                return socket.create_connection((str(checked), address[1]), timeout, source_address)
            except OSError as error:
                last = error
        raise last or OSError("no address to connect to")

    connection._create_connection = connect_checked  # type: ignore[attr-defined]
    return connection


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT_SECONDS
) -> Answer:
    """POST ``body`` to ``url``; never raises for the network or the receiver."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = url_check(url)
    except RuleViolation as refused:
        return Answer(
            None, "; ".join(refused.errors.get("url", [str(refused)])), took(), refused=True
        )
    connection = _connection(target, timeout)
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"User-Agent": USER_AGENT, "Content-Length": str(len(body)), **headers},
        )
        response = connection.getresponse()
        raw = response.read(MAX_ANSWER_BYTES)
        text = _text(raw, response.headers.get_content_charset())
        return Answer(response.status, text, took(), location=response.getheader("Location") or "")
    except Exception as error:  # the network, TLS, a malformed answer: a failed try
        return Answer(None, f"{type(error).__name__}: {error}", took())
    finally:
        connection.close()


def _text(raw: bytes, charset: str | None) -> str:
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return raw.decode("utf-8", errors="replace")
