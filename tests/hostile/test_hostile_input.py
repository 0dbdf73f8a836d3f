"""Input meant to break the API is refused as bad input, in JSON, never with a 500:
JSON nested hundreds deep, NUL characters and lone surrogates, NUL in an import file,
a body over the size limit."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.api.parsers import MAX_DEPTH, json_depth
from core.messages import BODY_TOO_LARGE, JSON_TOO_DEEP, TEXT_NOT_STORABLE
from kpis.import_files import NUL_IN_CELL, error_text
from kpis.models import SaleLine, SalesImport
from settlements.models import Payment

SALES, PAYMENTS, IMPORT = "/api/v1/sales/", "/api/v1/payments/", "/api/v1/sales/import/"
HEADER = "product,sold_on,quantity,unit_price,channel,distributor,external_ref"


def _agreement(world):
    return world["agreements"][world["brand_a1"].pk]


def _sale(world, **kw):
    return {
        "agreement": _agreement(world).pk,
        "product": "TEA-1",
        "sold_on": "2026-08-05",
        "quantity": 1,
        "unit_price": "199.00",
        "channel": "tmall",
        **kw,
    }


def _raw(client, url, body, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def _deep(depth):
    return "[" * depth + "]" * depth


def test_json_depth_counts_brackets_outside_strings():
    assert json_depth(b'{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(_deep(MAX_DEPTH).encode()) == MAX_DEPTH


@pytest.mark.parametrize("url", [SALES, PAYMENTS, "/api/v1/agreements/", "/api/v1/daily-runs/"])
def test_json_nested_950_deep_is_400(world, clients, url):
    response = _raw(clients["staff_a"], url, _deep(950))
    assert response.status_code == 400
    assert response.json() == {"detail": JSON_TOO_DEEP.format(max=MAX_DEPTH)}


def test_a_brands_deep_dispute_is_400(world, clients, issued):
    url = f"/api/v1/statements/{issued.pk}/dispute/"
    body = '{"comment": "x", "evidence": ' + _deep(950) + "}"
    response = _raw(clients["finance_a1"], url, body)
    assert response.status_code == 400
    assert response.json() == {"detail": JSON_TOO_DEEP.format(max=MAX_DEPTH)}


def test_depth_at_the_limit_still_parses(world, clients):
    body = '{"agreement": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    response = _raw(clients["staff_a"], SALES, body)
    assert response.status_code == 400
    assert "agreement" in response.json()  # a field error: it was parsed


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("distributor", "经销商\x00甲"),
        ("external_ref", "TM-\x00"),
        ("distributor", "\ud800"),
        ("external_ref", "A\udfffB"),
    ],
)
def test_nul_or_lone_surrogate_in_a_sale_is_a_field_error(world, clients, field, text):
    # json.dumps escapes them (\u0000, \ud800), the way a client's JSON carries them.
    response = _raw(clients["staff_a"], SALES, json.dumps(_sale(world, **{field: text})))
    assert (response.status_code, response.json()) == (400, {field: [TEXT_NOT_STORABLE]})
    many = _raw(
        clients["staff_a"], SALES, json.dumps([_sale(world), _sale(world, **{field: text})])
    )
    assert (many.status_code, many.json()) == (
        400,
        {"errors": [{"index": 1, field: [TEXT_NOT_STORABLE]}]},
    )
    assert not SaleLine.objects.exists()


def test_escaped_lone_surrogate_and_nul_in_raw_json_are_field_errors(world, clients, issued):
    fields = '"amount": "1.00", "paid_on": "2026-09-25", "reference": "a\\ud800"'
    body = f'{{"statement": {issued.pk}, {fields}}}'
    response = _raw(clients["staff_a"], PAYMENTS, body)
    assert (response.status_code, response.json()) == (400, {"reference": [TEXT_NOT_STORABLE]})
    key = _raw(clients["staff_a"], PAYMENTS, '{"a\\u0000": 1}')
    assert (key.status_code, key.json()) == (400, {"non_field_errors": [TEXT_NOT_STORABLE]})
    assert not Payment.objects.exists()


def test_nul_in_a_form_encoded_sale_is_a_field_error(world, clients):
    response = clients["staff_a"].post(SALES, _sale(world, distributor="a\x00b"))
    assert (response.status_code, response.json()) == (400, {"distributor": [TEXT_NOT_STORABLE]})


@pytest.mark.parametrize(
    ("lines", "row", "letter"),
    [
        ([HEADER, "TEA-1,2026-08-05,1,199.00,tmall,经销商\x00,R-1"], 2, "F"),
        ([HEADER.replace("distributor", "dist\x00ributor"), "TEA-1,2026-08-05,1,199.00"], 1, "F"),
        (
            [HEADER, "TEA-1,2026-08-05,1,199.00,tmall,,R-1", "TEA-1,2026-08-05,2\x00,1,tmall"],
            3,
            "C",
        ),
    ],
)
def test_nul_in_a_csv_cell_or_header_is_a_row_numbered_error(world, clients, lines, row, letter):
    content = ("\n".join(lines) + "\n").encode()
    response = clients["staff_a"].post(
        IMPORT,
        {"agreement": _agreement(world).pk, "file": SimpleUploadedFile("s.csv", content)},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    message = NUL_IN_CELL.format(letter=letter)
    assert response.json()["status"] == "rejected"
    assert response.json()["errors"] == [
        {"row": row, "column": None, "message": message, "text": error_text(row, None, message)}
    ]
    assert SalesImport.objects.get().status == "rejected"
    assert not SaleLine.objects.exists()


@pytest.mark.parametrize("idempotency_key", [None, "big-1"])
def test_a_body_over_the_limit_is_413_in_json(world, clients, settings, idempotency_key):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = '{"distributor": "' + "x" * 2_000 + '"}'
    extra = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    response = _raw(clients["staff_a"], SALES, body, **extra)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": BODY_TOO_LARGE.format(max=1_000)}


def test_a_form_body_over_the_limit_is_413_in_json(world, clients, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = clients["staff_a"].post(SALES, _sale(world, distributor="x" * 2_000))
    assert response.status_code == 413
    assert response.json() == {"detail": BODY_TOO_LARGE.format(max=1_000)}
