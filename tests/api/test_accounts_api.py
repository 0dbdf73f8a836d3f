"""organizations/, users/ and tokens/ through the REST API."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from accounts import api
from accounts.models import (
    BRAND_NEEDS_AGENCY,
    ROLE_KIND_MISMATCH,
    ApiToken,
    BankAccount,
    Organization,
    User,
)
from common.api.idempotency import IDEMPOTENCY_KEY_REUSED
from common.models import Event, IdempotencyRecord

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/organizations/"
USERS = "/api/v1/users/"
TOKENS = "/api/v1/tokens/"
ACCOUNT = {
    "bank_name": "工商银行",
    "account_name": "新品牌有限公司",
    "account_number": "6222000011112222",
}


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


# --- organizations ----------------------------------------------------------------------


def test_staff_list_their_agency_and_its_brands_paginated(world, clients):
    response = clients["staff_a"].get(ORGS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert _ids(response) == {world["agency_a"].pk, world["brand_a1"].pk, world["brand_a2"].pk}
    agency = next(row for row in body["results"] if row["id"] == world["agency_a"].pk)
    account = world["agency_a"].bank_accounts.get()
    assert agency["kind"] == "agency"
    assert agency["agency"] is None
    assert agency["bank_account"] == {
        "bank_name": "招商银行",
        "account_name": "代运营甲",
        "account_number": account.account_number,
    }
    brand = next(row for row in body["results"] if row["id"] == world["brand_a1"].pk)
    assert brand == {**brand, "name": "品牌A1", "kind": "brand", "agency": world["agency_a"].pk}
    assert brand["bank_account"] is None


def test_page_size_and_next_link(world, clients):
    body = clients["superuser"].get(ORGS, {"page_size": 2}).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["previous"] is None
    assert "page=2" in body["next"]


def test_brand_user_sees_only_its_own_organization(world, clients):
    response = clients["viewer_a1"].get(ORGS)
    assert _ids(response) == {world["brand_a1"].pk}
    assert clients["viewer_a1"].get(f"{ORGS}{world['agency_a'].pk}/").status_code == 404


def test_filter_by_kind(world, clients):
    response = clients["staff_a"].get(ORGS, {"kind": "brand"})
    assert _ids(response) == {world["brand_a1"].pk, world["brand_a2"].pk}
    assert clients["staff_a"].get(ORGS, {"kind": "shop"}).status_code == 400


def test_without_credentials_401(world):
    assert APIClient().get(ORGS).status_code == 401
    assert APIClient().post(ORGS, {"name": "x", "kind": "brand"}, format="json").status_code == 401


def test_unknown_token_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    assert client.get(ORGS).status_code == 401


def test_staff_create_a_brand_of_their_own_agency_with_its_bank_account(world, clients):
    response = clients["staff_a"].post(
        ORGS, {"name": "新品牌", "kind": "brand", "bank_account": ACCOUNT}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["agency"] == world["agency_a"].pk
    assert body["bank_account"] == ACCOUNT
    brand = Organization.objects.get(pk=body["id"])
    assert brand.agency == world["agency_a"]
    assert brand.primary_bank_account.account_number == ACCOUNT["account_number"]
    assert Event.objects.filter(action="organization.created", object_id=brand.pk).exists()


def test_staff_cannot_name_another_agency(world, clients):
    response = clients["staff_a"].post(
        ORGS, {"name": "新品牌", "kind": "brand", "agency": world["agency_b"].pk}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"agency"}


def test_only_a_superuser_creates_an_agency(world, clients):
    response = clients["staff_a"].post(ORGS, {"name": "代运营丙", "kind": "agency"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"kind": [api.AGENCY_BY_SUPERUSER_ONLY]}
    response = clients["superuser"].post(
        ORGS, {"name": "代运营丙", "kind": "agency"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["agency"] is None


def test_superuser_brand_needs_an_agency(world, clients):
    response = clients["superuser"].post(ORGS, {"name": "孤儿品牌", "kind": "brand"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"agency": [str(BRAND_NEEDS_AGENCY)]}


def test_duplicate_name_and_bad_kind_400(world, clients):
    response = clients["staff_a"].post(ORGS, {"name": "品牌A1", "kind": "brand"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name"}
    assert (
        clients["staff_a"].post(ORGS, {"name": "x", "kind": "shop"}, format="json").status_code
        == 400
    )


def test_incomplete_bank_account_400(world, clients):
    response = clients["staff_a"].post(
        ORGS, {"name": "新品牌", "kind": "brand", "bank_account": {"bank_name": "x"}}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["bank_account"]) == {"account_name", "account_number"}
    response = clients["staff_a"].patch(
        f"{ORGS}{world['brand_a1'].pk}/", {"bank_account": {"bank_name": "x"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "bank_account": {
            "account_name": [api.BANK_ACCOUNT_INCOMPLETE],
            "account_number": [api.BANK_ACCOUNT_INCOMPLETE],
        }
    }


def test_patch_names_in_place_and_a_new_number_keeps_the_old_account(world, clients):
    agency = world["agency_a"]
    old = agency.bank_accounts.get()
    url = f"{ORGS}{agency.pk}/"
    response = clients["staff_a"].patch(
        url, {"name": "代运营甲（新）", "bank_account": {"account_name": "甲公司"}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "代运营甲（新）"
    assert response.json()["bank_account"]["account_name"] == "甲公司"
    old.refresh_from_db()
    assert old.account_name == "甲公司"

    response = clients["staff_a"].patch(
        url, {"bank_account": {"account_number": "6214999988887777"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["bank_account"] == {
        "bank_name": "招商银行",
        "account_name": "甲公司",
        "account_number": "6214999988887777",
    }
    old.refresh_from_db()
    assert old.is_primary is False  # agreements naming it still pay into it
    assert BankAccount.objects.filter(organization=agency).count() == 2
    assert world["agreements"][world["brand_a1"].pk].bank_account_id == old.pk


def test_kind_cannot_change(world, clients):
    response = clients["staff_a"].patch(
        f"{ORGS}{world['brand_a1'].pk}/", {"kind": "agency"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"kind": [api.KIND_FIXED]}


def test_brand_users_do_not_write(world, clients):
    client = clients["finance_a1"]
    assert client.post(ORGS, {"name": "x", "kind": "brand"}, format="json").status_code == 403
    response = client.patch(f"{ORGS}{world['brand_a1'].pk}/", {"name": "y"}, format="json")
    assert response.status_code == 403


def test_other_agencys_organizations_are_404(world, clients):
    url = f"{ORGS}{world['brand_a1'].pk}/"
    assert clients["staff_b"].get(url).status_code == 404
    assert clients["staff_b"].patch(url, {"name": "y"}, format="json").status_code == 404
    assert clients["finance_b1"].get(url).status_code == 404
    assert Organization.objects.get(pk=world["brand_a1"].pk).name == "品牌A1"


def test_put_is_not_offered(world, clients):
    url = f"{ORGS}{world['brand_a1'].pk}/"
    assert (
        clients["staff_a"].put(url, {"name": "y", "kind": "brand"}, format="json").status_code
        == 405
    )


def test_idempotency_key_replays_the_created_organization(world, clients):
    client = clients["staff_a"]
    payload = {"name": "幂等品牌", "kind": "brand"}
    first = client.post(ORGS, payload, format="json", HTTP_IDEMPOTENCY_KEY="org-1")
    second = client.post(ORGS, payload, format="json", HTTP_IDEMPOTENCY_KEY="org-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Organization.objects.filter(name="幂等品牌").count() == 1
    other = client.post(
        ORGS, {"name": "别的品牌", "kind": "brand"}, format="json", HTTP_IDEMPOTENCY_KEY="org-1"
    )
    assert other.status_code == 422
    assert other.json() == {"detail": IDEMPOTENCY_KEY_REUSED}
    assert not Organization.objects.filter(name="别的品牌").exists()


# --- users ------------------------------------------------------------------------------


def test_staff_provision_a_brand_user_with_a_hashed_password(world, clients):
    response = clients["staff_a"].post(
        USERS,
        {
            "username": "finance.new",
            "email": "f@example.com",
            "password": "Quite-Long-Secret-42",
            "organization": world["brand_a1"].pk,
            "role": "brand_finance",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "password" not in body
    assert body["organization"] == world["brand_a1"].pk
    assert body["role"] == "brand_finance"
    assert body["is_active"] is True
    user = User.objects.get(pk=body["id"])
    assert user.password != "Quite-Long-Secret-42"
    assert user.check_password("Quite-Long-Secret-42")
    assert user.is_staff is False
    assert Event.objects.filter(action="user.created", object_id=user.pk).exists()


def test_new_agency_staff_can_use_the_admin_and_integration_users_need_no_password(world, clients):
    response = clients["staff_a"].post(
        USERS,
        {"username": "staff.new", "organization": world["agency_a"].pk, "role": "agency_staff"},
        format="json",
    )
    assert response.status_code == 201
    user = User.objects.get(username="staff.new")
    assert user.is_staff is True
    assert user.has_usable_password() is False


def test_role_must_fit_the_organization(world, clients):
    response = clients["staff_a"].post(
        USERS,
        {"username": "x1", "organization": world["brand_a1"].pk, "role": "agency_staff"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "role": [ROLE_KIND_MISMATCH.format(role="agency_staff", kind="brand")]
    }


def test_organization_outside_scope_is_a_400_on_that_field(world, clients):
    response = clients["staff_a"].post(
        USERS,
        {"username": "x2", "organization": world["brand_b1"].pk, "role": "brand_viewer"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"organization"}
    assert not User.objects.filter(username="x2").exists()


def test_password_validators_answer_400_with_their_messages(world, clients):
    candidate = User(username="x3", organization=world["brand_a1"], role="brand_viewer")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as expected:
        password_validation.validate_password("12345", user=candidate)
    response = clients["staff_a"].post(
        USERS,
        {
            "username": "x3",
            "password": "12345",
            "organization": world["brand_a1"].pk,
            "role": "brand_viewer",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"password": expected.value.messages}
    assert not User.objects.filter(username="x3").exists()


def test_role_is_required(world, clients):
    response = clients["staff_a"].post(
        USERS, {"username": "x4", "organization": world["brand_a1"].pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"role": [api.ROLE_REQUIRED]}


def test_users_are_scoped(world, clients):
    users = world["users"]
    staff_ids = _ids(clients["staff_a"].get(USERS, {"page_size": 100}))
    assert {users["staff_a"].pk, users["finance_a1"].pk, users["finance_a2"].pk} <= staff_ids
    assert users["staff_b"].pk not in staff_ids and users["superuser"].pk not in staff_ids
    brand_ids = _ids(clients["viewer_a1"].get(USERS))
    assert brand_ids == {users["finance_a1"].pk, users["viewer_a1"].pk}
    assert clients["staff_b"].get(f"{USERS}{users['finance_a1'].pk}/").status_code == 404
    assert _ids(clients["staff_a"].get(USERS, {"role": "brand_viewer"})) == {users["viewer_a1"].pk}


def test_brand_users_cannot_provision(world, clients):
    response = clients["finance_a1"].post(
        USERS,
        {"username": "x5", "organization": world["brand_a1"].pk, "role": "brand_viewer"},
        format="json",
    )
    assert response.status_code == 403


def test_users_cannot_be_patched_here(world, clients):
    url = f"{USERS}{world['users']['finance_a1'].pk}/"
    assert clients["staff_a"].patch(url, {"email": "x@y.z"}, format="json").status_code == 405


# --- tokens -----------------------------------------------------------------------------


def test_issue_a_token_shown_once_and_it_works(world, clients):
    finance = world["users"]["finance_a1"]
    response = clients["staff_a"].post(TOKENS, {"user": finance.pk, "name": "ERP"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "key", "user", "name", "prefix", "created_at"}
    assert body["user"] == finance.pk and body["name"] == "ERP"
    assert body["prefix"] == body["key"][:8]
    token = ApiToken.objects.get(pk=body["id"])
    assert body["key"] not in token.key_hash  # only the hash is stored

    detail = clients["staff_a"].get(f"{TOKENS}{body['id']}/").json()
    assert "key" not in detail
    assert detail == {
        **detail,
        "user": finance.pk,
        "name": "ERP",
        "prefix": body["prefix"],
        "last_used_at": None,
        "revoked_at": None,
    }
    listing = clients["staff_a"].get(TOKENS, {"user": finance.pk}).json()
    assert all("key" not in row for row in listing["results"])
    assert body["id"] in {row["id"] for row in listing["results"]}

    integration = APIClient()
    integration.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    assert integration.get(ORGS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_answers_401(world, clients):
    finance = world["users"]["finance_a1"]
    key = clients["staff_a"].post(TOKENS, {"user": finance.pk}, format="json").json()
    integration = APIClient()
    integration.credentials(HTTP_AUTHORIZATION=f"Token {key['key']}")
    assert integration.get(ORGS).status_code == 200
    assert clients["staff_a"].delete(f"{TOKENS}{key['id']}/").status_code == 204
    assert integration.get(ORGS).status_code == 401
    token = ApiToken.objects.get(pk=key["id"])
    assert token.revoked_at is not None
    detail = clients["staff_a"].get(f"{TOKENS}{key['id']}/").json()
    assert detail["revoked_at"] is not None
    revoked = clients["staff_a"].get(TOKENS, {"revoked": "true"}).json()
    assert {row["id"] for row in revoked["results"]} == {key["id"]}


def test_brand_users_neither_issue_nor_see_tokens(world, clients):
    finance = world["users"]["finance_a1"]
    client = clients["finance_a1"]
    assert client.post(TOKENS, {"user": finance.pk}, format="json").status_code == 403
    assert client.get(TOKENS).json()["count"] == 0
    own = ApiToken.objects.filter(user=finance).first()
    assert client.get(f"{TOKENS}{own.pk}/").status_code == 404
    assert client.delete(f"{TOKENS}{own.pk}/").status_code == 404
    own.refresh_from_db()
    assert own.revoked_at is None


def test_tokens_of_another_agency_are_out_of_reach(world, clients):
    finance = world["users"]["finance_a1"]
    response = clients["staff_b"].post(TOKENS, {"user": finance.pk}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"user"}
    token = ApiToken.objects.filter(user=world["users"]["staff_a"]).first()
    assert clients["staff_b"].get(f"{TOKENS}{token.pk}/").status_code == 404
    assert clients["staff_b"].delete(f"{TOKENS}{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token.pk not in _ids(clients["staff_b"].get(TOKENS))


def test_idempotent_token_issue_never_stores_the_key(world, clients):
    finance = world["users"]["finance_a1"]
    client = clients["staff_a"]
    before = ApiToken.objects.filter(user=finance).count()
    first = client.post(TOKENS, {"user": finance.pk}, format="json", HTTP_IDEMPOTENCY_KEY="tok-1")
    second = client.post(TOKENS, {"user": finance.pk}, format="json", HTTP_IDEMPOTENCY_KEY="tok-1")
    assert first.status_code == second.status_code == 201
    assert "key" in first.json()
    assert second.json() == {k: v for k, v in first.json().items() if k != "key"}
    assert ApiToken.objects.filter(user=finance).count() == before + 1
    record = IdempotencyRecord.objects.get(key="tok-1")
    assert "key" not in record.body
    assert first.json()["key"] not in str(record.body)


def test_tokens_need_credentials(world):
    assert APIClient().get(TOKENS).status_code == 401
    assert APIClient().post(TOKENS, {"user": 1}, format="json").status_code == 401
