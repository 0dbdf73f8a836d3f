"""Third-party admins that are not the agency's work stay out of the admin: the beat
schedule lives in code and axes' lockouts are lifted with its commands."""

from django.apps import apps
from django.contrib import admin


def test_beat_and_axes_models_are_not_in_the_admin():
    for label in ("django_celery_beat", "axes"):
        models = list(apps.get_app_config(label).get_models())
        assert models
        assert not [m for m in models if admin.site.is_registered(m)], label
