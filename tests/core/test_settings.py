"""Configuration: safe local defaults, production refuses to start without secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _run_check(settings_module: str, extra_env: dict[str, str], *args: str):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_check("config.settings.production", {"DJANGO_ALLOWED_HOSTS": "example.com"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_passes_check_deploy():
    result = _run_check(
        "config.settings.production",
        {
            "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-9f8e7d6c5b4a",
            "DJANGO_ALLOWED_HOSTS": "example.com",
            "PORTAL_BASE_URL": "https://portal.example.com",
            "DATABASE_URL": "sqlite:////tmp/deploy-check.db",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr


def test_local_defaults_are_sqlite_and_eager_jobs():
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings.local';"
        "django.setup();from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE,"
        " s.LANGUAGE_CODE, [c for c, _ in s.LANGUAGES], s.EMAIL_BACKEND.rsplit('.', 2)[-2])"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out == [
        "django.db.backends.sqlite3",
        "True",
        "Asia/Shanghai",
        "zh-hans",
        "['zh-hans',",
        "'en']",
        "console",
    ]


def test_docker_compose_defines_the_whole_stack_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    for name, service in services.items():
        assert "healthcheck" in service, name
        assert ("image" in service) or ("build" in service), name
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert "media:/data/media" in services["worker"]["volumes"]
    assert set(compose["volumes"]) == {"media", "pgdata"}


@pytest.mark.django_db
def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
