"""The served OpenAPI schema as client generators need it (issue 13).

drf-spectacular builds the schema from the views; this module only adjusts what every
operation shares, so no view has to repeat it and no new view can forget it:

- ``EnglishSchemaGenerator`` renders the schema with English active, whatever the
  request's language (or ``?lang=``), so descriptions, enum labels and titles are English
  and the names generators derive from them are identifiers.
- ``json_request_bodies`` offers JSON request bodies only, and multipart only where a file
  is uploaded. The API still accepts the form encodings it always did; the schema just
  does not offer them (a generator that sees three encodings of one body sends all three).
- ``request_component_names`` names request bodies ``IssueRequest``, not
  ``IssueRequestRequest``.
- ``error_responses`` documents the errors each operation can answer, with the bodies
  ``common.api.errors`` and DRF produce: 400 ``ValidationError``, the others ``Error``
  (``{"detail": "..."}``), and the ``Idempotency-Key`` header where a view honours it.

``NullOnOutputExtension`` marks ``common.api.fields.NullOnOutput`` fields (a superuser's
role and organization) nullable in responses only.

Tags come from the first path segment after ``/api/v1/`` (``SCHEMA_PATH_PREFIX``), so
operations are grouped by resource.
"""

from collections.abc import Iterator
from typing import Any

from django.utils import translation
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions

from common.api.idempotency import accepts_idempotency_key
from common.api.permissions import StaffWritesOthersRead

SCHEMA_LANGUAGE = "en"

UNSAFE_METHODS = {"post", "put", "patch", "delete"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"

ERROR_COMPONENTS: dict[str, dict[str, Any]] = {
    ERROR: {
        "type": "object",
        "description": "Every error but bad input: one sentence saying what is wrong.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VALIDATION_ERROR: {
        "type": "object",
        "description": (
            'Bad input: `{"field": ["message"]}` for each field at fault (nested for a '
            'nested object: `{"terms": {"agency_ratio": ["message"]}}`), `non_field_errors` '
            "for the object as a whole, `detail` when the body cannot be read at all, and "
            'for a list of objects `{"errors": [{"index": 4, "field": ["message"]}]}`.'
        ),
        "properties": {
            "detail": {"type": "string"},
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
            "errors": {
                "type": "array",
                "items": {"type": "object", "additionalProperties": {}},
                "description": "One entry per refused item, with its `index` in the list.",
            },
        },
        "additionalProperties": {},
    },
}

ERROR_DESCRIPTIONS = {
    "400": "Bad input; nothing was changed",
    "401": "No credentials, or a key that is unknown or revoked",
    "403": "Your role may not do this",
    "404": "No such object in your scope (an object outside it answers 404, never 403)",
    "409": "The object's state forbids this, or a request with the same Idempotency-Key "
    "is still running",
    "413": "The body is larger than the server accepts",
    "415": "The body's media type is not one this operation takes",
    "422": "This Idempotency-Key was already used with a different request",
    "429": "Too many requests: retry after the Retry-After header's seconds",
}

IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string"},
    "description": "Makes a retry safe: the same key with the same body answers the stored "
    "response (marked `Idempotent-Replayed: true`) instead of acting twice; the same key "
    "with another body is 422. Keys are per user; their first 200 characters count.",
}

READ_EVERYONE = (
    StaffWritesOthersRead,
    permissions.AllowAny,
    permissions.IsAuthenticated,
)


class EnglishSchemaGenerator(SchemaGenerator):
    """The schema in English whatever the request's or the command's language."""

    def get_schema(self, request: Any = None, public: bool = False) -> Any:
        with translation.override(SCHEMA_LANGUAGE):
            return super().get_schema(request=request, public=public)


class NullOnOutputExtension(OpenApiSerializerFieldExtension):
    """``common.api.fields.NullOnOutput`` fields: required in requests, nullable in
    responses."""

    target_class = "common.api.fields.NullOnOutput"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema["nullable"] = True
            if "enum" in schema and None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]
        return schema


# --- request bodies ---------------------------------------------------------------------


def _resolve(schema: Any, components: dict[str, Any]) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def _has_file(schema: Any, components: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """Whether a request schema has a file (``format: binary``) anywhere."""
    if isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return False
        return _has_file(components.get(name, {}), components, seen | {name})
    if not isinstance(schema, dict):
        return False
    if schema.get("format") == "binary":
        return True
    children = [*schema.get("properties", {}).values(), schema.get("items")]
    for key in ("allOf", "oneOf", "anyOf"):
        children.extend(schema.get(key, []))
    return any(_has_file(child, components, seen) for child in children if child)


def json_request_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """JSON request bodies, and multipart only where a file is uploaded.

    Form-encoded bodies are never offered; a multipart body is kept when its schema has a
    file (``sales/import/``, a dispute's attachments). A body that is one of several
    shapes (``sales/``: one line or a list) is required, so a generated client's body
    argument is too.
    """
    components = result.get("components", {}).get("schemas", {})
    for operation in _operations(result):
        content = operation.get("requestBody", {}).get("content")
        if not content:
            continue
        schema = _resolve(content.get("application/json", {}).get("schema"), components)
        if isinstance(schema, dict) and "oneOf" in schema:
            operation["requestBody"]["required"] = True  # one object or a list: never none
        multipart = content.get("multipart/form-data")
        keep_multipart = multipart is not None and _has_file(multipart.get("schema"), components)
        for media_type in FORM_TYPES:
            if media_type in content and not (media_type == FORM_TYPES[1] and keep_multipart):
                if len(content) > 1:
                    del content[media_type]
    return result


# --- error responses --------------------------------------------------------------------


def _operations(result: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method in UNSAFE_METHODS | {"get", "head", "options", "trace"}:
                yield operation


def _view_facts(generator: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (path, method): whether the view honours Idempotency-Key, may refuse a reader
    for their role (a permission beyond "everyone in scope reads"), and its query
    parameters that an empty value leaves out (filters and pagination)."""
    facts: dict[tuple[str, str], dict[str, Any]] = {}
    for path, _regex, method, callback in generator.endpoints or []:
        view = generator.create_view(callback, method)
        handler = getattr(view, getattr(view, "action", None) or method.lower(), None)
        # The served paths name a primary key {id} (SCHEMA_COERCE_PATH_PK); endpoints {pk}.
        facts[(path.replace("{pk}", "{id}"), method.lower())] = {
            "idempotent": accepts_idempotency_key(handler),
            "role_check": any(
                permission not in READ_EVERYONE
                for permission in getattr(view, "permission_classes", [])
            ),
            "optional_query": {"page", "page_size"}
            | set(getattr(getattr(view, "filterset_class", None), "base_filters", {})),
        }
    return facts


def _references_objects(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    """Whether the body names other objects by id (one outside the scope answers 404)."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        schema = _resolve(media.get("schema"), components)
        for variant in [schema, *schema.get("oneOf", [])]:
            variant = _resolve(variant, components)
            if variant.get("type") == "array":
                variant = _resolve(variant.get("items"), components)
            for prop in variant.get("properties", {}).values():
                prop = _resolve(prop, components)
                if prop.get("type") == "integer" and not prop.get("readOnly"):
                    return True
    return False


def _error_codes(
    path: str, method: str, operation: dict[str, Any], facts: dict[str, Any], components: Any
) -> list[str]:
    parameters = operation.get("parameters", [])
    in_path = any(p.get("in") == "path" for p in parameters)
    # ?format= picks a renderer: an unknown one is 404, like the path; so is a bad ?page=.
    query = {p["name"] for p in parameters if p.get("in") == "query"} - {"format"}
    has_body = "requestBody" in operation
    unsafe = method in UNSAFE_METHODS
    codes = ["401", "429"]
    if has_body or query - {"page"}:
        codes.append("400")
    if unsafe or facts.get("role_check"):
        codes.append("403")
    if in_path or "page" in query or _references_objects(operation, components):
        codes.append("404")
    if facts.get("idempotent") or (unsafe and in_path):
        codes.append("409")
    if has_body:
        codes.extend(["413", "415"])
    if facts.get("idempotent"):
        codes.append("422")
    return sorted(codes)


def error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Document each operation's error statuses with their bodies, and Idempotency-Key.

    A status an operation already declares keeps its own description; it gets the body
    schema if it had none.
    """
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_COMPONENTS.items():
        components.setdefault(name, schema)
    facts = _view_facts(generator)
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            view = facts.get((path, method), {})
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter["name"] in view.get(
                    "optional_query", ()
                ):
                    parameter["allowEmptyValue"] = True  # ?status= filters nothing
            if view.get("idempotent"):
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_KEY_PARAMETER))
            responses = operation.setdefault("responses", {})
            for code in _error_codes(path, method, operation, view, components):
                responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
            for code, response in responses.items():
                if not code.startswith("4"):
                    continue
                if not response.get("description"):
                    response["description"] = ERROR_DESCRIPTIONS.get(code, "")
                if "content" not in response:
                    body = VALIDATION_ERROR if code == "400" else ERROR
                    response["content"] = {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}
                    }
                if code == "429":
                    response.setdefault("headers", {})["Retry-After"] = {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before the next request",
                    }
            operation["responses"] = dict(sorted(responses.items()))
    return result


# --- names ------------------------------------------------------------------------------


def _rename_refs(node: Any, renames: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.rsplit("/", 1)[-1] in renames:
            node["$ref"] = "#/components/schemas/" + renames[ref.rsplit("/", 1)[-1]]
        for value in node.values():
            _rename_refs(value, renames)
    elif isinstance(node, list):
        for value in node:
            _rename_refs(value, renames)


def request_component_names(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """``IssueRequestRequest`` → ``IssueRequest``: a serializer already named for a
    request gets no second "Request" from COMPONENT_SPLIT_REQUEST (when the shorter name
    is free), so generated clients read ``IssueRequest(issued_on=...)``."""
    schemas = result.get("components", {}).get("schemas", {})
    renames = {
        name: name.removesuffix("Request")
        for name in schemas
        if name.endswith("RequestRequest") and name.removesuffix("Request") not in schemas
    }
    if renames:
        result["components"]["schemas"] = {
            renames.get(name, name): schema for name, schema in schemas.items()
        }
        _rename_refs(result, renames)
    return result


class ReportSchema(AutoSchema):
    """A viewset whose ``list`` answers one report object (totals and their items), not a
    list of objects: its response is the serializer itself, never wrapped in an array or
    paginated (``receivables/``)."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False
