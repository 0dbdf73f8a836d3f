"""The OpenAPI schema validates, is what client generators need, and Swagger UI is served
without any CDN.

What generators need (issue 13): a title that makes a Python package name, English text
whatever the request's language, operations tagged by resource, JSON request bodies
(multipart only for files), every error status documented with its body, binary
responses declared, and nullable fields marked nullable.
"""

import json
import re

import pytest
from django.core.management import call_command

from config.api_urls import router
from integrations.api_urls import router as integrations_router

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture
def schema(client):
    return client.get("/api/schema/?format=json").json()


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/statements/{id}/pdf/",
        "/api/v1/sales/import/",
        "/api/v1/payments/",
        "/api/v1/agreements/{id}/object-renewal/",
        "/api/v1/statement-runs/",
    ):
        assert path in text


def test_the_command_writes_the_schema_the_server_serves(tmp_path, schema):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    assert json.loads(out.read_text()) == schema


def test_english_whatever_the_request_language(client, schema):
    for asked in (
        client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="zh-hans"),
        client.get("/api/schema/?format=json&lang=zh-hans"),
    ):
        assert asked.json() == schema
    # Chinese only as a gloss in parentheses: "the monthly service fee (外包服务费)".
    body = json.dumps({k: v for k, v in schema.items() if k != "info"}, ensure_ascii=False)
    assert not CJK.search(re.sub(r"\([^()]*\)", "", body))
    assert "A unique integer value identifying this agreement." in json.dumps(schema)
    # The product's Chinese name is in the description only; the title makes the
    # generated package's name: agency_settlements_api_client.
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", schema["info"]["title"])
    assert "代运营结算" in schema["info"]["description"]


def test_enum_and_component_names_are_identifiers(schema):
    for name in schema["components"]["schemas"]:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name), name
    for _path, _method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            title = parameter["schema"].get("title", "")
            assert title.isascii(), (operation["operationId"], title)


def test_operations_are_tagged_by_resource(schema):
    registry = [*router.registry, *integrations_router.registry]  # webhooks/: its own router
    prefixes = {prefix for prefix, _viewset, _basename in registry}
    tags = set()
    for path, _method, operation in _operations(schema):
        resource = path.removeprefix("/api/v1/").split("/")[0]
        assert operation["tags"] == [resource], (path, operation["tags"])
        tags.add(resource)
    assert tags == prefixes
    assert {"statements", "payments", "sales", "agreements"} <= tags


def test_request_bodies_are_json_and_multipart_only_for_files(schema):
    multipart = set()
    for path, method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        assert "application/x-www-form-urlencoded" not in content, path
        if "multipart/form-data" in content:
            multipart.add((method, path))
            assert "binary" in json.dumps(
                _resolve(schema, content["multipart/form-data"]["schema"])
            )
            continue
        if content:
            assert list(content) == ["application/json"], path
    assert multipart == {
        ("post", "/api/v1/sales/import/"),
        ("post", "/api/v1/statements/{id}/dispute/"),
        ("post", "/api/v1/invoices/"),
        ("post", "/api/v1/bank-transactions/import/"),
        ("post", "/api/v1/obligations/{id}/complete/"),
    }


def test_every_operation_documents_its_errors_with_bodies(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        label = f"{method.upper()} {path}"
        assert {"401", "429"} <= set(responses), label
        if "{" in path:
            assert "404" in responses, label
        if method in UNSAFE:
            assert {"400" if "requestBody" in operation else "401", "403"} <= set(responses)
        if "Idempotency-Key" in {p["name"] for p in operation.get("parameters", [])}:
            assert {"409", "422"} <= set(responses), label
        for code, response in responses.items():
            if code.startswith("4"):
                body = response["content"]["application/json"]["schema"]
                expected = "ValidationError" if code == "400" else "Error"
                assert body == {"$ref": f"#/components/schemas/{expected}"}, (label, code)
    errors = schema["components"]["schemas"]
    assert errors["Error"]["required"] == ["detail"]
    assert "non_field_errors" in errors["ValidationError"]["properties"]


def test_creating_posts_take_an_idempotency_key(schema):
    keyed = {
        path
        for path, _method, operation in _operations(schema)
        if "Idempotency-Key" in {p["name"] for p in operation.get("parameters", [])}
    }
    assert {"/api/v1/sales/", "/api/v1/payments/", "/api/v1/statement-runs/"} <= keyed
    assert "/api/v1/tokens/" in keyed  # honoured through a helper, marked by hand


def test_binary_responses_are_declared(schema):
    pdf = schema["paths"]["/api/v1/statements/{id}/pdf/"]["get"]["responses"]["200"]
    assert pdf["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    xlsx = schema["paths"]["/api/v1/statements/{id}/detail/"]["get"]["responses"]["200"]
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx["content"][sheet]["schema"] == {"type": "string", "format": "binary"}


def test_a_superusers_empty_role_and_organization_are_nullable_in_responses(schema, client):
    components = schema["components"]["schemas"]
    user = components["User"]["properties"]
    assert user["organization"]["nullable"] is True and user["role"]["nullable"] is True
    request = components["UserRequest"]["properties"]
    assert "nullable" not in request["organization"] and "nullable" not in request["role"]
    assert {"organization", "role"} <= set(components["UserRequest"]["required"])


def test_a_superuser_reads_null_role_and_organization(clients, world):
    me = world["users"]["superuser"]
    body = clients["staff_a"].get("/api/v1/users/", {"username": me.username}).json()
    if body["count"]:  # staff may not see superusers; a superuser sees themself
        assert body["results"][0]["role"] is None
    own = clients["superuser"].get(f"/api/v1/users/{me.pk}/").json()
    assert own["role"] is None and own["organization"] is None


def test_swagger_ui_uses_local_assets(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
