"""Issue 12: the month-end run page lists the statements it made and what failed, each
linked, cut to the viewer's agency; its bulk actions say what they did per object; the
daily run page says what each rule did in words, in one language."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import User
from core.exceptions import RuleViolation
from kpis.services import sale_line_record
from settlements import services
from settlements.models import DailyRun, Statement, StatementRun
from settlements.services import runs as run_services
from tests import factories as f

pytestmark = pytest.mark.django_db

BROKEN = "协议缺少收款账户 / the agreement has no payee account"


def _revenue_share(brand, ref):
    agreement = f.agreement("revenue_share", brand_org=brand, activate=True)
    sku = f"TEA-{ref}"
    f.product(brand, sku=sku, factory_price=Decimal("80.00"))
    agreement.products.add(*brand.products.all())
    sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": sku,
            "sold_on": "2026-08-05",
            "quantity": 100,
            "unit_price": "199.00",
            "tax": "1990.00",
            "logistics": "600.00",
            "channel": "tmall",
            "external_ref": ref,
        },
    )
    return agreement


@pytest.fixture
def world(monkeypatch):
    """Agency A with two agreements that settle and one that fails; agency B with one."""
    agency_a = f.agency("杭州甲代运营")
    brand_a = f.brand(agency_a, "甲品牌")
    good = [_revenue_share(brand_a, "A1"), _revenue_share(brand_a, "A2")]
    broken = _revenue_share(brand_a, "A3")
    foreign = _revenue_share(f.brand(f.agency("上海乙代运营"), "乙品牌"), "B1")
    generate = run_services.statement_generate

    def generate_or_fail(*, agreement, **kwargs):
        if agreement.pk == broken.pk:
            raise RuleViolation(BROKEN)
        return generate(agreement=agreement, **kwargs)

    monkeypatch.setattr(run_services, "statement_generate", generate_or_fail)
    compute = run_services.monthly_compute  # the batches settle new statements with it

    def compute_or_fail(*, agreement, **kwargs):
        if agreement.pk == broken.pk:
            raise RuleViolation(BROKEN)
        return compute(agreement=agreement, **kwargs)

    monkeypatch.setattr(run_services, "monthly_compute", compute_or_fail)
    staff = f.user(agency_a, User.Role.AGENCY_STAFF)
    return {"good": good, "broken": broken, "foreign": foreign, "staff": staff}


def _run(by, django_capture_on_commit_callbacks, period="2026-08"):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.statement_run_start(period=period, by=by)
    run.refresh_from_db()
    return run


@pytest.fixture
def a_client(client, world):
    client.force_login(world["staff"])
    return client


def _page(client, run):
    response = client.get(reverse("admin:settlements_statementrun_change", args=[run.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_run_page_lists_what_it_made_and_what_failed_with_links(
    a_client, world, django_capture_on_commit_callbacks
):
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    assert (run.status, run.done, run.failed) == ("failed", 2, 1)
    html = _page(a_client, run)
    assert '<a href="#made">已生成 2 份对账单</a>' in html
    assert '<a href="#failed" class="text-red-600">1 份失败</a>' in html
    for agreement in world["good"]:
        statement = Statement.objects.get(agreement=agreement, kind="monthly", period="2026-08")
        link = reverse("admin:settlements_statement_change", args=[statement.pk])
        assert f'<a href="{link}">{statement.number}</a>' in html
        agreement_url = reverse("admin:contracts_agreement_change", args=[agreement.pk])
        assert f'<a href="{agreement_url}"' in html
    assert "¥2,793.00" in html and "甲品牌" in html and "草稿" in html
    failed = html[html.index('id="failed"') :]
    broken_url = reverse("admin:contracts_agreement_change", args=[world["broken"].pk])
    assert f'<a href="{broken_url}"' in failed and "协议缺少收款账户" in failed
    assert "no payee account" not in html  # one language
    english = _page(_en(a_client), run)
    assert "2 statements made" in english and "The agreement has no payee account" in english
    assert "协议缺少收款账户" not in english


def _en(client):
    client.cookies["django_language"] = "en"
    return client


def test_another_agencys_statements_never_show_on_the_run_page(
    a_client, world, django_capture_on_commit_callbacks
):
    # A superuser who belongs to agency A starts a run: it settles every agency, and
    # agency A's staff see the run (their agency's user started it), only their part.
    root = f.superuser()
    root.organization = world["staff"].organization
    root.save()
    run = _run(root, django_capture_on_commit_callbacks)
    assert run.total == 4
    foreign = Statement.objects.get(agreement=world["foreign"], kind="monthly")
    html = _page(a_client, run)
    assert foreign.number not in html and world["foreign"].number not in html
    assert "乙品牌" not in html and "已生成 2 份对账单" in html
    # and a run of agency B's staff is not found at all
    b_run = _run(
        f.user(world["foreign"].agency, User.Role.AGENCY_STAFF), django_capture_on_commit_callbacks
    )
    response = a_client.get(reverse("admin:settlements_statementrun_change", args=[b_run.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    refused = a_client.post(reverse("admin:settlements_statementrun_issue", args=[b_run.pk]))
    assert refused.status_code == 404
    b_run_statement = Statement.objects.filter(agreement=world["foreign"]).first()
    assert b_run_statement.status == "draft"


def test_the_list_counts_link_to_the_runs_lists(
    a_client, world, django_capture_on_commit_callbacks
):
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    html = a_client.get(reverse("admin:settlements_statementrun_changelist")).content.decode()
    url = reverse("admin:settlements_statementrun_change", args=[run.pk])
    assert f'<a href="{url}#made">已生成 2 份对账单</a>' in html
    assert f'<a href="{url}#failed" style="color:#cf222e">1 份失败</a>' in html
    assert reverse("admin:settlements_statement_generate") in html  # start a run


def test_issuing_the_drafts_hands_them_to_the_workers_and_the_page_shows_the_outcome(
    a_client, world, django_capture_on_commit_callbacks
):
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    html = _page(a_client, run)
    assert "出具 2 份草稿" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = a_client.post(
            reverse("admin:settlements_statementrun_issue", args=[run.pk]),
            {"issued_on": "2026-09-08"},
        )
    assert response.status_code == 302
    statements = Statement.objects.filter(agreement__in=world["good"], kind="monthly")
    assert {s.status for s in statements} == {"issued"}
    assert {s.issued_on for s in statements} == {date(2026, 9, 8)}
    url = reverse("admin:settlements_statementrun_change", args=[run.pk])
    [message] = _messages(response)
    assert message == (
        f'<a href="{url}">2026-08 月结</a>: 正在后台出具 2 份草稿（出具日期 2026-09-08）；'
        "任务页面显示进度。"
    )
    page = _page(a_client, run)
    assert 'id="issue-drafts"' not in page  # nothing left to issue
    assert "已出具 2 份，出具日期 2026-09-08" in page
    run.refresh_from_db()
    assert run.issue_finished_at is not None and run.issue_by == world["staff"]


def test_the_list_actions_issue_and_run_again_with_a_message_each(
    a_client, world, django_capture_on_commit_callbacks
):
    _en(a_client)
    run = _run(world["staff"], django_capture_on_commit_callbacks)
    changelist = reverse("admin:settlements_statementrun_changelist")
    chosen = {"_selected_action": [run.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        response = a_client.post(changelist, {**chosen, "action": "issue_drafts", "issued_on": ""})
    [message] = _messages(response)
    assert "issuing 2 drafts dated" in message
    assert set(
        Statement.objects.filter(agreement__in=world["good"]).values_list("status", flat=True)
    ) == {"issued"}
    a_client.get(changelist)  # shown, so gone
    with django_capture_on_commit_callbacks(execute=True):
        response = a_client.post(changelist, {**chosen, "action": "issue_drafts", "issued_on": ""})
    [message] = _messages(response)
    assert message.endswith("no draft to issue.")
    a_client.get(changelist)
    with django_capture_on_commit_callbacks(execute=True):
        response = a_client.post(changelist, {**chosen, "action": "run_again"})
    [message] = _messages(response)
    again = StatementRun.objects.exclude(pk=run.pk).get()
    url = reverse("admin:settlements_statementrun_change", args=[again.pk])
    assert message == (
        f'<a href="{url}">Month-end run 2026-08</a>: started again for 3 agreements; '
        "only what is missing is made."
    )
    assert Statement.objects.filter(kind="monthly", agreement__in=world["good"]).count() == 2


def test_the_daily_run_page_says_what_each_rule_did_in_words(client, world):
    statement = Statement.objects.filter(agreement=world["good"][0]).first()
    agreement = world["good"][1]
    own, foreign = world["staff"].organization_id, world["foreign"].agency_id
    run = DailyRun.objects.create(
        until=date(2026, 9, 16),
        status="failed",
        trigger="admin",
        summary={
            "renewed": {
                "count": 2,
                "by_agency": {str(own): 1, str(foreign): 1},
                "items": [
                    {"name": agreement.number, "agency": own},
                    {"name": world["foreign"].number, "agency": foreign},
                ],
            },
            "flags": {
                "count": 1,
                "by_agency": {str(own): 1},
                "items": [
                    {
                        "name": f"payment_overdue:{agreement.pk}:{statement.pk}:2026-08",
                        "agency": own,
                    }
                ],
            },
            "reminders": {
                "count": 1,
                "by_agency": {str(own): 1},
                "items": [{"name": f"receipt:{statement.number}", "agency": own}],
            },
        },
        errors=[
            {
                "step": "penalty_notices",
                "object": statement.number,
                "error": "ValueError: boom",
                "agency": own,
            },
            {
                "step": "renewals",
                "object": world["foreign"].number,
                "error": "x",
                "agency": foreign,
            },
        ],
    )
    client.force_login(world["staff"])
    html = client.get(reverse("admin:settlements_dailyrun_change", args=[run.pk])).content.decode()
    agreement_link = reverse("admin:contracts_agreement_change", args=[agreement.pk])
    statement_link = reverse("admin:settlements_statement_change", args=[statement.pk])
    assert "续期的协议" in html and f'href="{agreement_link}">{agreement.number}</a>' in html
    assert world["foreign"].number not in html  # another agency's part of the run
    assert f'href="{statement_link}">{statement.number}</a> · 2026-08' in html
    assert f'付款已逾期 · <a class="whitespace-nowrap" href="{agreement_link}">' in html
    assert "payment_overdue:" not in html and "receipt:" not in html  # no raw codes
    assert "确认提醒" in html
    failures = html[html.index('id="daily-run-failures"') :]
    assert "违约金通知" in failures and "ValueError: boom" in failures
    assert statement_link in failures
    english = _en(client).get(reverse("admin:settlements_dailyrun_change", args=[run.pk]))
    text = english.content.decode()
    assert "Agreements renewed" in text and "receipt reminder" in text and "续期的协议" not in text


def test_a_big_runs_page_lists_the_first_rows_and_counts_them_all(
    a_client, world, django_capture_on_commit_callbacks, monkeypatch
):
    from settlements.admin import runs as run_admin

    run = _run(world["staff"], django_capture_on_commit_callbacks)
    monkeypatch.setattr(run_admin, "ROWS_SHOWN", 1)
    _en(a_client)
    html = _page(a_client, run)
    first, second = sorted(world["good"], key=lambda a: a.number)
    assert first.number in html and second.number not in html
    assert "2 statements made" in html and "Issue the 2 drafts" in html
    statements = reverse("admin:settlements_statement_changelist") + "?period=2026-08"
    assert f'<a href="{statements}">and 1 more: all statements of the month</a>' in html
