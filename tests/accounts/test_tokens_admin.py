import hashlib
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_staff_create_an_api_key_shown_once_then_revoke_it(client):
    agency = f.agency()
    staff = f.user(agency, User.Role.AGENCY_STAFF)
    integration = f.user(f.brand(agency), User.Role.BRAND_VIEWER, username="erp-bot")
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_apitoken_add"), {"user": integration.pk, "name": "ERP"}, follow=True
    )
    page = response.content.decode()
    # The key is shown once, in the page's language ("{user} 的 API 密钥：{key}…").
    key = re.search(r"erp-bot\D*?([0-9a-f]{40})", page).group(1)
    token = ApiToken.objects.get(user=integration)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert (
        key
        not in client.get(
            reverse("admin:accounts_apitoken_change", args=[token.pk])
        ).content.decode()
    )

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/agreements/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert token.prefix in listing

    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/agreements/").status_code == 401


def test_staff_cannot_see_keys_of_another_agency(client):
    staff = f.user(f.agency(), User.Role.AGENCY_STAFF)
    other_user = f.user(f.brand(), User.Role.BRAND_FINANCE)
    from accounts.tokens import api_token_issue

    token = api_token_issue(user=other_user, by=None).token
    client.force_login(staff)
    assert (
        token.prefix
        not in client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    )
