"""Take the screenshots shown in the README, in Chinese.

    .venv/bin/python docs/screenshots/take.py            # the client portal
    .venv/bin/python docs/screenshots/take.py --admin    # the staff admin

The portal: the dashboard and a statement at desktop (1280×800, the whole page) and phone
(390×844, its first screens) width, logged in as ``tea_finance``: ``portal-*.png``.
The staff admin: the workbench, a statement's page and its payment form at 1366×900 and
1920×1080 (what one screen shows), logged in as ``staff``: ``admin-*-1366.png``,
``admin-*-1920.png``.

Builds a throwaway SQLite database with the demo data (``migrate`` + ``seed_demo``), serves
it with ``runserver`` on a free port, drives Debian's chromium (headless, nothing
downloaded) and writes the PNGs beside this file. The demo's dates follow today's date, as
``seed_demo`` does. The statement shown is HT-2026-0002's August, half paid and overdue.
"""

import argparse
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
ADMIN_SIZES = [(1366, 900), (1920, 1080)]
DEMO_PASSWORD = "demo-pass-2026"


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


def logged_in(browser, base: str, size: tuple[int, int], home: str, username: str):
    """A browser context in Chinese at ``size``, logged in on the login page ``home``
    redirects to; the page is back on ``home``."""
    width, height = size
    context = browser.new_context(
        base_url=base, viewport={"width": width, "height": height}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(home)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"**{home}")
    return context, page


def shoot_portal(browser, base: str, statement_pk: str) -> None:
    for size, (width, height) in SIZES.items():
        context, page = logged_in(browser, base, (width, height), "/portal/", "tea_finance")
        for name, path in (
            ("dashboard", "/portal/"),
            ("statement", f"/portal/statements/{statement_pk}/"),
        ):
            page.goto(path)
            target = OUT / f"portal-{name}-{size}.png"
            if size == "phone":
                full = page.evaluate("document.documentElement.scrollHeight")
                clip = {"x": 0, "y": 0, "width": width, "height": min(full, PHONE_MAX_HEIGHT)}
                page.screenshot(path=target, full_page=True, clip=clip)
            else:
                page.screenshot(path=target, full_page=True)
            print(target.relative_to(ROOT))
        context.close()


def shoot_admin(browser, base: str, statement_pk: str) -> None:
    """The workbench, the statement's page and its payment form (opened with the page's
    button), one screen each: the viewport, not the whole page."""
    for width, height in ADMIN_SIZES:
        context, page = logged_in(browser, base, (width, height), "/admin/", "staff")
        one_screen(page, f"admin-workbench-{width}.png")
        page.goto(f"/admin/settlements/statement/{statement_pk}/change/")
        one_screen(page, f"admin-statement-{width}.png")
        page.get_by_test_id("actions").get_by_role("link", name="登记付款").click()
        page.wait_for_url("**/payment/")
        one_screen(page, f"admin-payment-{width}.png")
        context.close()


def one_screen(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")  # the icons are drawn, not their names
    target = OUT / name
    page.screenshot(path=target)
    print(target.relative_to(ROOT), f"{target.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin", action="store_true", help="the staff admin, not the portal")
    admin = parser.parse_args().admin
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
            (shoot_admin if admin else shoot_portal)(browser, base, statement_pk)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
