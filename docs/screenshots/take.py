"""Take the client-portal screenshots shown in the README: the dashboard and a statement,
in Chinese, at desktop (1280×800) and phone (390×844) width.

    .venv/bin/python docs/screenshots/take.py

Builds a throwaway SQLite database with the demo data (``migrate`` + ``seed_demo``), serves
it with ``runserver`` on a free port, logs in as ``tea_finance`` in Debian's chromium
(headless, nothing downloaded) and writes ``portal-*.png`` beside this file. The demo's
dates follow today's date, as ``seed_demo`` does.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
PHONE_MAX_HEIGHT = 3200  # a phone page is long: keep its first screens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # our own local server
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="portal-shots-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_DEBUG": "true",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    manage(env, "compilemessages", "--ignore=.venv", "-v0")
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo")
    statement_pk = manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from settlements.models import Statement; print(Statement.objects.get("
        "agreement__number='HT-2026-0002', period='2026-08', version=1).pk)",
    ).strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"{base}/healthz")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            for size, (width, height) in SIZES.items():
                context = browser.new_context(
                    base_url=base, viewport={"width": width, "height": height}, locale="zh-CN"
                )
                page = context.new_page()
                page.goto("/portal/login/")
                page.get_by_label("用户名").fill("tea_finance")
                page.get_by_label("密码").fill("demo-pass-2026")
                page.get_by_role("button", name="登录").click()
                page.wait_for_url("**/portal/")
                for name, path in (
                    ("dashboard", "/portal/"),
                    ("statement", f"/portal/statements/{statement_pk}/"),
                ):
                    page.goto(path)
                    target = OUT / f"portal-{name}-{size}.png"
                    if size == "phone":
                        full = page.evaluate("document.documentElement.scrollHeight")
                        clip = {
                            "x": 0,
                            "y": 0,
                            "width": width,
                            "height": min(full, PHONE_MAX_HEIGHT),
                        }
                        page.screenshot(path=target, full_page=True, clip=clip)
                    else:
                        page.screenshot(path=target, full_page=True)
                    print(target.relative_to(ROOT))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
