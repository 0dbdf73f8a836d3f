"""The admin lets agency staff create each kind of agreement and shows errors, not 500s."""

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from accounts.models import User
from common.i18n import one_language
from contracts import validation as msg
from contracts.models import Agreement
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    agency = f.agency()
    staff = f.user(agency, User.Role.AGENCY_STAFF)
    client.force_login(staff)
    client.agency = agency
    client.brand = f.brand(agency)
    return client


def _add_payload(client, kind, **overrides):
    data = {
        "number": f"HT-ADM-{kind[:3]}",
        "kind": kind,
        "title": "后台创建",
        "brand": client.brand.pk,
        "agency": client.agency.pk,
        "signed_on": "2026-05-20",
        "starts_on": "2026-06-01",
        "ends_on": "2027-05-31",
        "penalty_rate_per_day": "0.003",
        "bank_account": client.agency.bank_accounts.first().pk,
        "renewal_term_months": "12",
        "renewal_notice_months": "1",
        "exclusivity_party": "none",
        "confidentiality_party": "both",
    }
    data.update(overrides)
    return data


def _management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.mark.parametrize("kind", Agreement.Kind.values)
def test_staff_creates_each_kind_with_template_terms(staff_client, kind):
    response = staff_client.get(reverse("admin:contracts_agreement_add") + f"?kind={kind}")
    assert response.status_code == 200
    response = staff_client.post(
        reverse("admin:contracts_agreement_add"), _add_payload(staff_client, kind)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get(kind=kind)
    assert agreement.terms is not None
    change = staff_client.get(reverse("admin:contracts_agreement_change", args=[agreement.pk]))
    assert change.status_code == 200
    # The kind's own terms inline is on the change page.
    assert {
        "b2b_commission": "b2b_terms",
        "revenue_share": "revenue_share_terms",
        "consulting_fixed_fee": "consulting_terms",
    }[kind] in change.content.decode()


def test_end_before_start_shows_message(staff_client):
    response = staff_client.post(
        reverse("admin:contracts_agreement_add"),
        _add_payload(staff_client, "revenue_share", ends_on="2026-01-01"),
    )
    assert response.status_code == 200
    assert one_language(msg.ENDS_BEFORE_STARTS, "zh-hans") in response.content.decode()
    assert not Agreement.objects.exists()


def test_installments_not_100_shows_message_and_keeps_old_schedule(staff_client):
    agreement = f.agreement("consulting_fixed_fee", brand_org=staff_client.brand)
    terms = agreement.consulting_terms
    first, second = agreement.installments.all()
    data = _add_payload(staff_client, "consulting_fixed_fee", number=agreement.number)
    data.pop("kind")
    data.update(_management("consulting_terms", 1, 1))
    data.update(
        {
            "consulting_terms-0-id": terms.pk,
            "consulting_terms-0-agreement": agreement.pk,
            "consulting_terms-0-total_fee": "50000.00",
        }
    )
    data.update(_management("installments", 2, 2))
    for i, inst in enumerate((first, second)):
        data.update(
            {
                f"installments-{i}-id": inst.pk,
                f"installments-{i}-agreement": agreement.pk,
                f"installments-{i}-number": inst.number,
                f"installments-{i}-due_from": inst.due_from,
                f"installments-{i}-working_days": "3",
            }
        )
    data["installments-0-percent"] = "60"
    data["installments-1-percent"] = "30"
    data.update(_management("renewal_objections", 0, 0))
    response = staff_client.post(
        reverse("admin:contracts_agreement_change", args=[agreement.pk]), data
    )
    assert response.status_code == 200
    assert (
        one_language(msg.INSTALLMENTS_NOT_100.format(total="90"), "zh-hans")
        in response.content.decode()
    )
    assert [str(i.percent) for i in agreement.installments.all()] == ["50.00", "50.00"]


def test_negative_fee_in_terms_inline_shows_message(staff_client):
    agreement = f.agreement("b2b_commission", brand_org=staff_client.brand)
    terms = agreement.b2b_terms
    data = _add_payload(staff_client, "b2b_commission", number=agreement.number)
    data.pop("kind")
    data.update(_management("b2b_terms", 1, 1))
    data.update(
        {
            "b2b_terms-0-id": terms.pk,
            "b2b_terms-0-agreement": agreement.pk,
            "b2b_terms-0-monthly_service_fee": "-100",
            "b2b_terms-0-min_distributors": "5",
            "b2b_terms-0-min_cartons": "200",
            "b2b_terms-0-min_sales_amount": "100000",
            "b2b_terms-0-payment_working_days": "5",
            "b2b_terms-0-web_targets_from_month": "4",
            "b2b_terms-0-min_unique_visitors": "500",
            "b2b_terms-0-min_daily_inquiries": "10",
            "b2b_terms-0-min_conversion_rate": "0.015",
        }
    )
    data.update(_management("renewal_objections", 0, 0))
    response = staff_client.post(
        reverse("admin:contracts_agreement_change", args=[agreement.pk]), data
    )
    assert response.status_code == 200
    assert one_language(msg.NEGATIVE_AMOUNT, "zh-hans") in response.content.decode()
    terms.refresh_from_db()
    assert terms.monthly_service_fee == 0


def test_activate_and_terminate_actions(staff_client):
    agreement = f.agreement(brand_org=staff_client.brand)
    url = reverse("admin:contracts_agreement_changelist")
    selected = {"action": "activate_selected", "_selected_action": [agreement.pk]}
    page = staff_client.post(url, selected)
    assert page.status_code == 200  # first what it will bill, then the confirmation
    agreement.refresh_from_db()
    assert agreement.status == "draft"
    staff_client.post(url, {**selected, "confirmed": "yes"})
    agreement.refresh_from_db()
    assert agreement.status == "active"
    response = staff_client.post(
        url,
        {
            "action": "terminate_selected",
            "_selected_action": [agreement.pk],
            "on": "",
            "reason": "x",
        },
        follow=True,
    )
    assert "请填写终止日期" in response.content.decode()
    staff_client.post(
        url,
        {
            "action": "terminate_selected",
            "_selected_action": [agreement.pk],
            "on": "2026-10-31",
            "reason": "双方协商",
        },
    )
    agreement.refresh_from_db()
    assert (agreement.status, str(agreement.terminated_on)) == ("terminated", "2026-10-31")


def test_active_agreement_is_read_only_in_admin(staff_client):
    agreement = f.agreement(brand_org=staff_client.brand, activate=True)
    response = staff_client.get(reverse("admin:contracts_agreement_change", args=[agreement.pk]))
    assert response.status_code == 200
    assert 'name="ends_on"' not in response.content.decode()


def test_staff_cannot_open_another_agencys_agreement(staff_client):
    foreign = f.agreement()
    response = staff_client.get(reverse("admin:contracts_agreement_change", args=[foreign.pk]))
    assert response.status_code == 302  # admin redirects a missing object to the index
    listing = staff_client.get(reverse("admin:contracts_agreement_changelist"))
    assert foreign.number not in listing.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "accounts_organization",
        "accounts_user",
        "contracts_product",
        "contracts_agreement",
        "core_holiday",
        "core_event",
    ],
)
def test_every_changelist_opens(staff_client, name):
    assert staff_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:{name}_changelist") + "?q=x").status_code == 200


def test_admin_creation_is_logged_and_active_agreements_keep_editable_notes(staff_client):
    from common.models import Event

    response = staff_client.post(
        reverse("admin:contracts_agreement_add"), _add_payload(staff_client, "revenue_share")
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert Event.objects.filter(agreement=agreement, action="agreement.created").exists()
    agreement.status = Agreement.Status.ACTIVE
    agreement.save()
    data = {
        "notes": "品牌方财务联系人已更换",
        **_management("revenue_share_terms", 0, 0),
        **_management("renewal_objections", 0, 0),
    }
    response = staff_client.post(
        reverse("admin:contracts_agreement_change", args=[agreement.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    agreement.refresh_from_db()
    assert agreement.notes == "品牌方财务联系人已更换"
    assert agreement.ends_on.isoformat() == "2027-05-31"


def test_service_refuses_contract_changes_once_active():
    from contracts.services import agreement_update
    from core.exceptions import InvalidStateError

    agreement = f.agreement(activate=True)
    with pytest.raises(InvalidStateError):
        agreement_update(agreement=agreement, fields={"title": "新标题"}, by=None)
    agreement_update(agreement=agreement, fields={"notes": "ok"}, by=None)


# --- what agreements refuse, in the admin -------------------------------------------------


def _inline(prefix, instance):
    """The inline formset data of one saved terms row, as the change page posts it."""
    data = _management(prefix, 1, 1)
    for name, value in model_to_dict(instance).items():
        data[f"{prefix}-0-{name}"] = "" if value is None else value
    return data


def _change_payload(client, agreement, **overrides):
    data = _add_payload(client, agreement.kind, number=agreement.number)
    data.pop("kind")
    data.update(_inline("revenue_share_terms", agreement.revenue_share_terms))
    data.update(_management("renewal_objections", 0, 0))
    data.update(overrides)
    return data


def test_products_field_offers_the_brands_products_and_refuses_another_brands(staff_client):
    own = f.product(staff_client.brand, sku="OWN-1")
    foreign = f.product(f.brand(staff_client.agency), sku="FOREIGN-1")
    f.product(f.brand(), sku="ELSEWHERE-1")  # another agency's brand: never offered
    agreement = f.agreement("revenue_share", brand_org=staff_client.brand)
    change = reverse("admin:contracts_agreement_change", args=[agreement.pk])
    page = staff_client.get(change).content.decode()
    assert "OWN-1" in page
    assert "FOREIGN-1" not in page and "ELSEWHERE-1" not in page
    assert (
        "ELSEWHERE-1"
        not in staff_client.get(reverse("admin:contracts_agreement_add")).content.decode()
    )
    refused = staff_client.post(
        change, _change_payload(staff_client, agreement, products=[foreign.pk])
    )
    assert refused.status_code == 200
    assert (
        one_language(msg.PRODUCT_OTHER_BRAND.format(sku="FOREIGN-1"), "zh-hans")
        in refused.content.decode()
    )
    assert list(agreement.products.all()) == []
    saved = staff_client.post(change, _change_payload(staff_client, agreement, products=[own.pk]))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert list(agreement.products.all()) == [own]
    added = staff_client.post(
        reverse("admin:contracts_agreement_add"),
        _add_payload(staff_client, "revenue_share", number="HT-ADM-X", products=[foreign.pk]),
    )
    assert added.status_code == 200
    assert (
        one_language(msg.PRODUCT_OTHER_BRAND.format(sku="FOREIGN-1"), "zh-hans")
        in added.content.decode()
    )
    assert not Agreement.objects.filter(number="HT-ADM-X").exists()


def test_add_form_takes_the_b2b_fee_and_minimums_in_one_post(staff_client):
    add = reverse("admin:contracts_agreement_add")
    page = staff_client.get(f"{add}?kind=b2b_commission").content.decode()
    assert 'name="terms_monthly_service_fee"' in page and 'name="terms_min_cartons"' in page
    assert 'name="terms_agency_ratio"' not in page
    every_kind = staff_client.get(add).content.decode()  # kind not known yet: all of them
    for name in ("terms_monthly_service_fee", "terms_agency_ratio", "terms_total_fee"):
        assert f'name="{name}"' in every_kind
    data = _add_payload(
        staff_client,
        "b2b_commission",
        terms_monthly_service_fee="8000",
        terms_min_cartons="100",
        terms_total_fee="5",  # another kind's term: ignored
    )
    response = staff_client.post(f"{add}?kind=b2b_commission", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    terms = Agreement.objects.get(number="HT-ADM-b2b").b2b_terms
    assert (terms.monthly_service_fee, terms.min_cartons, terms.min_distributors) == (
        Decimal("8000.00"),
        100,
        0,
    )
    negative = staff_client.post(
        add,
        _add_payload(
            staff_client, "b2b_commission", number="HT-ADM-N", terms_monthly_service_fee="-1"
        ),
    )
    assert negative.status_code == 200
    assert one_language(msg.NEGATIVE_AMOUNT, "zh-hans") in negative.content.decode()
    assert not Agreement.objects.filter(number="HT-ADM-N").exists()


def test_activation_shows_what_will_be_billed_and_waits_for_confirmation(staff_client):
    revenue_share = f.agreement("revenue_share", brand_org=staff_client.brand)
    blank = f.agreement("b2b_commission", brand_org=staff_client.brand)
    active = f.agreement("revenue_share", brand_org=staff_client.brand, activate=True)
    url = reverse("admin:contracts_agreement_changelist")
    chosen = [revenue_share.pk, blank.pk, active.pk]
    staff_client.cookies["django_language"] = "en"  # the page reads in one language
    page = staff_client.post(url, {"action": "activate_selected", "_selected_action": chosen})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Sales platform setup fee" in text and "¥10,000.00" in text and "2026-05-25" in text
    assert "30% of the month&#x27;s profit" in text
    assert "These money terms are blank" in text
    assert "commission on distributor sales only, no service fee" in text
    assert one_language(msg.NOT_DRAFT.format(status="active"), "en") in text
    assert "启动费" not in text and "以下金额条款为空" not in text
    assert {a.status for a in Agreement.objects.filter(pk__in=chosen[:2])} == {"draft"}
    # Confirmed without confirming the blank terms: the blank one is still refused.
    staff_client.post(
        url,
        {"action": "activate_selected", "_selected_action": chosen[:2], "confirmed": "yes"},
    )
    revenue_share.refresh_from_db()
    blank.refresh_from_db()
    assert (revenue_share.status, blank.status) == ("active", "draft")
    staff_client.post(
        url,
        {
            "action": "activate_selected",
            "_selected_action": [blank.pk],
            "confirmed": "yes",
            "confirm_blank": [blank.pk],
        },
    )
    blank.refresh_from_db()
    assert blank.status == "active"
