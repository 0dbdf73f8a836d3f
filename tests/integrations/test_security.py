"""SSRF: a webhook goes to http(s) on public addresses only; loopback only where the
setting allows it (local and test settings), private and link-local ranges never."""

import socket

import pytest

from core.exceptions import RuleViolation
from integrations import messages as msg
from integrations import transport
from integrations.security import url_check
from tests.integrations.conftest import subscribe

PUBLIC = "93.184.215.14"


@pytest.fixture
def dns(monkeypatch):
    """Answer name lookups from a table, as a resolver would."""
    table: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port, 0, 0) if ":" in address else (address, port),
            )
            for address in table[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.8.9.10:8080/hook",
    "http://[::1]/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://0.0.0.0/hook",
    "http://[::]/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://100.64.0.1/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://localhost/hook",
    "http://internal.example.com/hook",  # resolves to loopback (below)
    "http://mixed.example.com/hook",  # one public and one private address
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_loopback_and_link_local_targets_are_refused(url, settings, dns):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    dns["localhost"] = ["127.0.0.1", "::1"]
    dns["internal.example.com"] = ["127.0.0.1"]
    dns["mixed.example.com"] = [PUBLIC, "10.1.2.3"]
    with pytest.raises(RuleViolation) as refused:
        url_check(url)
    assert "refused" in refused.value.errors["url"][0]


def test_with_the_setting_on_loopback_is_allowed_and_nothing_else(settings, dns):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    dns["internal.example.com"] = ["127.0.0.1"]
    for url in ("http://127.0.0.1:9/h", "http://[::1]/h", "http://internal.example.com/h"):
        assert url_check(url).addresses
    for url in (
        "http://10.0.0.5/",
        "http://169.254.169.254/",
        "http://192.168.0.1/",
        "http://[fe80::1]/",
    ):
        with pytest.raises(RuleViolation):
            url_check(url)


def test_public_targets_are_allowed(settings, dns):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    dns["qyapi.weixin.qq.com"] = [PUBLIC]
    target = url_check("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    assert (target.scheme, target.host, target.port) == ("https", "qyapi.weixin.qq.com", 443)
    assert target.path == "/cgi-bin/webhook/send?key=abc"
    assert [str(a) for a in target.addresses] == [PUBLIC]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/x", msg.URL_SCHEME),
        ("file:///etc/passwd", msg.URL_SCHEME),
        ("gopher://127.0.0.1:6379/_", msg.URL_SCHEME),
        ("http://user:pw@example.com/", msg.URL_CREDENTIALS),
        ("http:///nohost", msg.URL_NO_HOST),
        ("http://example.com:99999/", msg.URL_PORT),
        ("http://nowhere.invalid/", msg.URL_UNRESOLVED.format(host="nowhere.invalid")),
    ],
)
def test_other_bad_urls(url, message, dns):
    with pytest.raises(RuleViolation) as refused:
        url_check(url)
    assert refused.value.errors == {"url": [message]}


def test_saving_a_webhook_checks_the_url(world, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(RuleViolation) as refused:
        subscribe(world.a, "http://169.254.169.254/latest/", ["statement.issued"])
    assert refused.value.errors["url"] == [msg.URL_REFUSED.format(address="169.254.169.254")]


def test_the_connection_goes_to_the_checked_address(settings, dns, monkeypatch):
    """DNS answered a public address at the check; the connect goes to that address even
    if the name would now resolve elsewhere (rebinding)."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    dns["rebind.example.com"] = [PUBLIC]
    connected = []

    def create_connection(address, timeout=None, source_address=None):
        connected.append(address)
        raise ConnectionRefusedError("test: not connecting")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    answer = transport.post("http://rebind.example.com:8080/h", b"{}", {})
    assert connected == [(PUBLIC, 8080)]
    assert answer.status is None and "ConnectionRefusedError" in answer.text

    dns["rebind.example.com"] = ["127.0.0.1"]  # the next try resolves to loopback: refused
    connected.clear()
    answer = transport.post("http://rebind.example.com:8080/h", b"{}", {})
    assert answer.refused and connected == []


def test_production_settings_refuse_loopback():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "config/settings/production.py").read_text()
    assert "WEBHOOKS_ALLOW_LOOPBACK = False" in text
