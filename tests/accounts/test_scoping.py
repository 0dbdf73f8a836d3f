import pytest

from accounts.models import User
from accounts.selectors import organizations_for_user, scope_for_user, users_for_user
from contracts.models import Agreement
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    agency_a, agency_b = f.agency(), f.agency()
    brand_a1, brand_a2, brand_b = f.brand(agency_a), f.brand(agency_a), f.brand(agency_b)
    agreements = {b.pk: f.agreement(brand_org=b) for b in (brand_a1, brand_a2, brand_b)}
    return {
        "agency_a": agency_a,
        "agency_b": agency_b,
        "brand_a1": brand_a1,
        "brand_a2": brand_a2,
        "brand_b": brand_b,
        "agreements": agreements,
    }


def _numbers(user):
    qs = scope_for_user(queryset=Agreement.objects.all(), user=user, brand_path="brand")
    return set(qs.values_list("brand_id", flat=True))


def test_agency_staff_see_their_brands_only(world):
    staff = f.user(world["agency_a"], User.Role.AGENCY_STAFF)
    assert _numbers(staff) == {world["brand_a1"].pk, world["brand_a2"].pk}
    assert set(organizations_for_user(user=staff)) == {
        world["agency_a"],
        world["brand_a1"],
        world["brand_a2"],
    }


@pytest.mark.parametrize("role", [User.Role.BRAND_FINANCE, User.Role.BRAND_VIEWER])
def test_brand_users_see_their_brand_only(world, role):
    member = f.user(world["brand_a1"], role)
    assert _numbers(member) == {world["brand_a1"].pk}
    assert list(organizations_for_user(user=member)) == [world["brand_a1"]]
    assert set(users_for_user(user=member)) == {member}


def test_superuser_sees_all_and_nobody_sees_nothing(world):
    assert len(_numbers(f.superuser())) == 3
    assert _numbers(f.user(None, "")) == set()
    inactive = f.user(world["brand_a1"], User.Role.BRAND_FINANCE, is_active=False)
    assert _numbers(inactive) == set()


def test_role_must_fit_organization_kind(world):
    from django.core.exceptions import ValidationError

    wrong = User(username="x", organization=world["agency_a"], role=User.Role.BRAND_FINANCE)
    with pytest.raises(ValidationError) as caught:
        wrong.full_clean()
    assert "role" in caught.value.message_dict
