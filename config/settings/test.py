"""Test settings: fast hashing, media in a temp folder, mail kept in memory."""

import tempfile

from .base import *  # noqa: F403
from .base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="daiyunying-test-media-")
# Unit tests run jobs in-process; the worker tests (marked celery_worker) start a real
# worker against CELERY_BROKER_URL themselves.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = tempfile.mkdtemp(prefix="daiyunying-test-static-")
# Webhooks may post to a receiver on this machine (production refuses loopback).
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=True)
