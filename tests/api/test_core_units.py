"""API: units of the caller's subtree (list, detail, create, change), with scope and role checks."""

import pytest

from chuyende.organisation.models import Unit
from tests.api.conftest import api_url, errors_of
from tests.conftest import OUTSIDER_ROLES
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db

HB_SUBTREE = ["BN.HA.HB", "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH"]


def uid(code: str) -> int:
    return Unit.objects.get(code=code).pk


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def new_unit(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "BN.HA.HB.BAC",
        "name": "Chi bộ thôn Bắc",
        "kind": "cell",
        "tracking": "individual",
        "parent": uid("BN.HA.HB"),
    }
    data.update(overrides)
    return data


# --- reading ---------------------------------------------------------------------------------------------


def test_owner_lists_the_subtree_in_tree_order(users, api_for):
    response = api_for(users.owner).get(api_url("units/"))
    assert codes(response) == HB_SUBTREE
    assert response.json()["count"] == 4
    first = response.json()["results"][0]
    assert first == {
        "id": uid("BN.HA.HB"),
        "code": "BN.HA.HB",
        "name": "Đảng bộ xã Hòa Bình",
        "kind": "party_committee",
        "sector": "commune",
        "tracking": "individual",
        "parent": uid("BN.HA"),
        "depth": 3,
        "opened_on": None,
        "closed_on": None,
    }


def test_owner_reads_one_unit(users, api_for):
    response = api_for(users.viewer).get(api_url(f"units/{uid('BN.HA.HB.TAY')}/"))
    assert response.status_code == 200
    assert response.json()["name"] == "Chi bộ thôn Tây"


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_users_see_nothing_of_hoa_binh(role, users, api_for):
    client = api_for(users.outsiders[role])
    listed = codes(client.get(api_url("units/")))
    assert listed == ["BN.HA.HP", "BN.HA.HP.PM", "BN.HA.HP.PL", "BN.HA.HP.YT"]
    assert client.get(api_url(f"units/{uid('BN.HA.HB')}/")).status_code == 404
    assert client.get(api_url(f"units/{uid('BN.HA')}/")).status_code == 404  # above the scope
    for name in ("unit", "parent"):
        response = client.get(api_url("units/"), {name: uid("BN.HA.HB")})
        assert response.status_code == 404, name


def test_filters_parent_code_depth_kind(users, api_for, district):
    client = api_for(district)
    assert codes(client.get(api_url("units/"), {"parent": uid("BN.HA.HB")})) == HB_SUBTREE[1:]
    assert codes(client.get(api_url("units/"), {"code": "BN.HA.HB.TAY"})) == ["BN.HA.HB.TAY"]
    assert codes(client.get(api_url("units/"), {"depth": 3})) == [
        "BN.HA.HB",
        "BN.HA.HP",
        "BN.HA.TT",
        "BN.HA.YT",
        "BN.HA.THPT",
    ]
    assert codes(client.get(api_url("units/"), {"kind": "grassroots_cell"})) == ["BN.HA.YT", "BN.HA.THPT"]
    assert codes(client.get(api_url("units/"), {"unit": uid("BN.HA.HB")})) == HB_SUBTREE


def test_bad_filter_values_are_400_naming_the_parameter(users, api_for):
    client = api_for(users.owner)
    for name, value in (("parent", "abc"), ("depth", "x"), ("kind", "nope")):
        response = client.get(api_url("units/"), {name: value})
        assert response.status_code == 400, (name, value)
        assert list(errors_of(response)) == [name]


def test_an_unknown_unit_id_is_answered_like_another_subtrees(users, api_for):
    client = api_for(users.owner)
    unknown = client.get(api_url("units/"), {"parent": "999999"})
    foreign = client.get(api_url("units/"), {"parent": uid("BN.HA.HP")})
    assert unknown.status_code == foreign.status_code == 404
    assert unknown.json() == foreign.json()


def test_pagination(users, api_for, district):
    client = api_for(district)
    first = client.get(api_url("units/"), {"page_size": 6})
    body = first.json()
    assert body["count"] == 15
    assert len(body["results"]) == 6 and body["previous"] is None and "page=2" in body["next"]
    last = client.get(api_url("units/"), {"page_size": 6, "page": 3}).json()
    assert len(last["results"]) == 3 and last["next"] is None
    assert client.get(api_url("units/"), {"page_size": 6, "page": 4}).status_code == 404


def test_list_query_count_is_fixed(users, api_for, district, django_assert_max_num_queries):
    client = api_for(district)
    # token with user, user's unit (the scope), count, page
    with django_assert_max_num_queries(4):
        assert client.get(api_url("units/")).status_code == 200


# --- writing ---------------------------------------------------------------------------------------------


def test_owner_creates_a_unit_through_the_service(users, api_for):
    response = api_for(users.owner).post(api_url("units/"), new_unit(), format="json")
    assert response.status_code == 201, response.content
    created = Unit.objects.get(code="BN.HA.HB.BAC")
    assert response.json()["id"] == created.pk
    assert (created.parent_id, created.depth, created.tracking) == (uid("BN.HA.HB"), 4, "individual")
    assert created.path.startswith(Unit.objects.get(code="BN.HA.HB").path)  # written by the service


@pytest.mark.parametrize("who", ["viewer", "reporter"])
def test_viewer_and_reporter_get_403_and_nothing_is_written(who, users, api_for):
    client = api_for(getattr(users, who))
    before = Unit.objects.count()
    assert client.post(api_url("units/"), new_unit(), format="json").status_code == 403
    target = uid("BN.HA.HB.TAY")
    assert client.patch(api_url(f"units/{target}/"), {"name": "X"}, format="json").status_code == 403
    assert Unit.objects.count() == before
    assert Unit.objects.get(pk=target).name == "Chi bộ thôn Tây"


def test_a_parent_of_another_subtree_is_404_and_nothing_is_written(users, api_for):
    before = Unit.objects.count()
    response = api_for(users.owner).post(api_url("units/"), new_unit(parent=uid("BN.HA.HP")), format="json")
    assert response.status_code == 404
    assert Unit.objects.count() == before


def test_outsider_changing_a_hoa_binh_unit_is_404(users, api_for):
    target = uid("BN.HA.HB.TAY")
    response = api_for(users.outsiders["officer"]).patch(
        api_url(f"units/{target}/"), {"name": "X"}, format="json"
    )
    assert response.status_code == 404
    assert Unit.objects.get(pk=target).name == "Chi bộ thôn Tây"


def test_unknown_fields_and_wrong_types_are_400_naming_each_field(users, api_for):
    client = api_for(users.owner)
    before = Unit.objects.count()
    unknown = client.post(api_url("units/"), new_unit(colour="red", path="1."), format="json")
    assert unknown.status_code == 400
    assert errors_of(unknown) == {
        "colour": [translated("Unknown field.")],
        "path": [translated("Unknown field.")],
    }
    wrong = client.post(
        api_url("units/"),
        new_unit(kind="village", parent="abc", opened_on="31/12/2024", name=["x"]),
        format="json",
    )
    assert wrong.status_code == 400
    assert set(errors_of(wrong)) == {"kind", "parent", "opened_on", "name"}
    missing = client.post(api_url("units/"), {}, format="json")
    assert set(errors_of(missing)) == {"code", "name", "kind", "parent"}
    not_an_object = client.post(api_url("units/"), [1, 2], format="json")
    assert not_an_object.status_code == 400 and "non_field_errors" in errors_of(not_an_object)
    assert Unit.objects.count() == before


def test_read_only_fields_in_a_body_are_named(users, api_for):
    response = api_for(users.owner).post(api_url("units/"), new_unit(id=5, depth=2), format="json")
    assert response.status_code == 400
    assert set(errors_of(response)) == {"id", "depth"}


def test_service_rules_come_back_as_field_errors(users, api_for):
    client = api_for(users.owner)
    taken = client.post(api_url("units/"), new_unit(code="BN.HA.HB.TAY"), format="json")
    assert errors_of(taken) == {
        "code": [translated("A unit with code %(code)s already exists.", code="BN.HA.HB.TAY")]
    }
    dates = client.post(
        api_url("units/"), new_unit(opened_on="2024-05-01", closed_on="2024-01-01"), format="json"
    )
    assert errors_of(dates) == {"closed_on": [translated("The closing date is before the opening date.")]}


def test_owner_changes_only_the_fields_sent(users, api_for):
    target = Unit.objects.get(code="BN.HA.HB.TAY")
    response = api_for(users.owner).patch(
        api_url(f"units/{target.pk}/"), {"name": "Chi bộ thôn Tây mới"}, format="json"
    )
    assert response.status_code == 200, response.content
    target.refresh_from_db()
    assert (target.name, target.code, target.parent_id) == (
        "Chi bộ thôn Tây mới",
        "BN.HA.HB.TAY",
        uid("BN.HA.HB"),
    )


def test_owner_renames_the_top_unit_of_the_scope_keeping_its_parent(users, api_for):
    top = uid("BN.HA.HB")
    response = api_for(users.owner).patch(
        api_url(f"units/{top}/"), {"name": "Đảng bộ xã Hòa Bình (mới)"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Unit.objects.get(pk=top).parent_id == uid("BN.HA")
    moved = api_for(users.owner).patch(api_url(f"units/{top}/"), {"parent": uid("BN.HA")}, format="json")
    assert moved.status_code == 404  # the district is outside the officer's subtree
