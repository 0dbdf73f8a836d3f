"""An agency's choice of where its monthly statements carry their detail
(``Organization.statement_detail``): a landscape appendix page of the PDF ("pdf", the
default), or the XLSX only ("xlsx"), when the statement page names the file instead and
the PDF is one page shorter and quicker to render. A brand's value counts for nothing."""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from accounts.models import Organization
from settlements import documents, pdf
from settlements.models import Statement
from tests.pdf_checks import (
    characters_drawn_from,
    embedded_fonts,
    load_subset_fonts,
    visible_characters,
)
from tests.settlements.test_detail import b2b_month, today  # noqa: F401  (fixtures)
from tests.settlements.test_documents import (
    NUMBER,
    _monthly_with_sale_lines,
    _penalty_notice,
    assert_contains,
    pdf_text,
    squashed,
    worked_example_statement,
)

pytestmark = pytest.mark.django_db

APPENDIX_HEADING = f"附件：{NUMBER} 明细 Appendix: detail of {NUMBER}"
NOTE = (
    f"本期销售明细共 2 行，见 XLSX 明细 {NUMBER}-detail.xlsx，可在品牌门户下载。"
    f"/ This period's detail (2 sale lines) is in the XLSX {NUMBER}-detail.xlsx, "
    "downloadable from the brand portal."
)


def _choose(organization: Organization, choice: str) -> None:
    organization.statement_detail = choice
    organization.save(update_fields=["statement_detail"])


def _issued_under(statement: Statement, choice: str) -> None:
    """The agency chose ``choice`` before ``statement`` was issued (frozen in its snapshot)."""
    _choose(statement.agreement.agency, choice)
    if statement.snapshot:
        statement.snapshot = {**statement.snapshot, "statement_detail": choice}
        statement.save(update_fields=["snapshot"])


def _pages(data: bytes) -> list:
    return list(PdfReader(io.BytesIO(data)).pages)


def test_xlsx_leaves_out_the_appendix_page_and_names_the_file() -> None:
    statement = _monthly_with_sale_lines()
    with_appendix = documents.statement_pdf_bytes(statement)
    _issued_under(statement, Organization.StatementDetail.XLSX)

    data = documents.statement_pdf_bytes(statement)

    assert len(_pages(data)) == len(_pages(with_appendix)) - 1 == 1
    text = pdf_text(data)
    assert "附件" not in text and "Appendix" not in text and "TM-0805-1" not in text
    assert_contains(
        data,
        NOTE,
        # The statement page itself is unchanged: its figures and the profit's parts.
        "减：出厂成本 Less factory cost 8,000.00",
        "乙方分成 Agency share",
        "乙方（盖章）",
    )
    assert squashed(NOTE) not in squashed(pdf_text(with_appendix))


def test_pdf_keeps_the_appendix_page_as_before() -> None:
    statement = _monthly_with_sale_lines()
    assert statement.agreement.agency.statement_detail == "pdf"

    data = documents.statement_pdf_bytes(statement)

    pages = _pages(data)
    assert len(pages) == 2 and APPENDIX_HEADING.split(" ")[0] in pages[1].extract_text()
    assert_contains(data, APPENDIX_HEADING, "TM-0805-1")
    assert "可在品牌门户下载" not in pdf_text(data)


def test_with_xlsx_the_appendix_rows_are_not_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    statement = _monthly_with_sale_lines()
    _issued_under(statement, Organization.StatementDetail.XLSX)

    def refuse(*args: object) -> None:
        raise AssertionError("the appendix was computed")

    monkeypatch.setattr(documents, "_appendix", refuse)
    context = documents.statement_context(statement)

    assert context["appendix"] is None
    assert context["detail_note"] == NOTE


def test_a_brands_setting_has_no_effect() -> None:
    statement = _monthly_with_sale_lines()
    _choose(statement.agreement.brand, Organization.StatementDetail.XLSX)

    data = documents.statement_pdf_bytes(statement)

    assert len(_pages(data)) == 2
    assert_contains(data, APPENDIX_HEADING)
    assert "可在品牌门户下载" not in pdf_text(data)

    # And with the agency on XLSX, the brand's "pdf" does not bring the appendix back.
    _choose(statement.agreement.brand, Organization.StatementDetail.PDF)
    _issued_under(statement, Organization.StatementDetail.XLSX)
    assert documents.statement_context(statement)["appendix"] is None


def test_no_note_without_detail() -> None:
    statement = worked_example_statement()  # its figures only: no sale line settled
    _issued_under(statement, Organization.StatementDetail.XLSX)

    context = documents.statement_context(statement)

    assert context["appendix"] is None and context["detail_note"] == ""
    assert "XLSX" not in pdf_text(documents.statement_pdf_bytes(statement))


def test_a_penalty_notice_is_unchanged() -> None:
    notice = _penalty_notice(worked_example_statement())
    before = pdf_text(documents.statement_pdf_bytes(notice))
    _issued_under(notice, Organization.StatementDetail.XLSX)

    assert pdf_text(documents.statement_pdf_bytes(notice)) == before
    assert documents.statement_context(notice)["detail_note"] == ""


def test_a_b2b_month_names_its_kpis_too(b2b_month: Statement) -> None:  # noqa: F811
    _issued_under(b2b_month, Organization.StatementDetail.XLSX)

    data = documents.statement_pdf_bytes(b2b_month)

    filename = f"{b2b_month.number}-detail.xlsx"
    assert_contains(
        data,
        f"本期销售明细共 1 行、KPI 指标，见 XLSX 明细 {filename}，可在品牌门户下载。"
        f"/ This period's detail (1 sale line and the KPIs) is in the XLSX {filename}, "
        "downloadable from the brand portal.",
    )
    text = pdf_text(data)
    assert "新增经销商" not in text and "福州茶行" not in text
    assert len(_pages(data)) == 1


def test_the_note_draws_every_character_from_the_subset_fonts(
    b2b_month: Statement,  # noqa: F811
) -> None:
    _issued_under(b2b_month, Organization.StatementDetail.XLSX)
    subset: dict[str, TTFont] = load_subset_fonts()
    html = documents.statement_html(b2b_month)
    data = pdf.render_pdf(html, base_url=documents._base_url())

    fonts = embedded_fonts(data)

    assert {font.postscript_name for font in fonts} <= set(subset)
    assert sorted(visible_characters(html) - characters_drawn_from(fonts, subset)) == []


def test_an_issued_statement_keeps_the_choice_it_was_issued_under() -> None:
    """The choice is frozen at issue: a PDF rendered again (a lost file) after the agency
    switched is still the document that was issued; a draft follows the setting now."""
    statement = _monthly_with_sale_lines()
    assert statement.snapshot["statement_detail"] == "pdf"
    _choose(statement.agreement.agency, Organization.StatementDetail.XLSX)

    assert len(_pages(documents.statement_pdf_bytes(statement))) == 2
    assert_contains(documents.statement_pdf_bytes(statement), APPENDIX_HEADING)

    assert not documents._detail_in_xlsx(statement)
    statement.status, statement.snapshot = Statement.Status.DRAFT, {}
    assert documents._detail_in_xlsx(statement)  # a draft: the setting now


def test_issuing_freezes_the_agencys_choice() -> None:
    statement = _monthly_with_sale_lines()
    _choose(statement.agreement.agency, Organization.StatementDetail.XLSX)
    snapshot = documents.build_snapshot(statement.agreement)
    assert snapshot["statement_detail"] == "xlsx"
