"""Unit pages: the tree, detail, create and edit forms; scope (404), roles (403), service errors."""

import pytest

from chuyende.audit.models import AuditEntry
from chuyende.organisation.models import Unit

pytestmark = pytest.mark.django_db


def _post(under: Unit | None, **overrides: str) -> dict[str, str]:
    data = {
        "code": "BN.HA.HB.BAC", "name": "Chi bộ thôn Bắc", "kind": "cell", "tracking": "individual",
        "opened_on": "", "closed_on": "",
    }
    if under is not None:
        data["parent"] = str(under.pk)
    data.update(overrides)
    return data


def _edit_post(unit: Unit, **overrides: str) -> dict[str, str]:
    data = {
        "code": unit.code, "name": unit.name, "kind": unit.kind, "tracking": unit.tracking,
        "opened_on": "", "closed_on": "",
    }
    if unit.parent_id:
        data["parent"] = str(unit.parent_id)
    data.update(overrides)
    return data


def test_tree_shows_the_subtree_nested(users, client_for, django_assert_max_num_queries):
    client = client_for(users.viewer)
    with django_assert_max_num_queries(8):
        response = client.get("/don-vi/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đảng bộ xã Hòa Bình" in html and "Chi bộ thôn Đông" in html
    assert "Đảng bộ xã Hòa Phú" not in html and "Đảng bộ huyện Hòa An" not in html
    tree = response.context["tree"]
    assert [node.unit.code for node in tree] == ["BN.HA.HB"]
    assert {node.unit.code for node in tree[0].children} == {
        "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH"
    }
    assert "/don-vi/tao-moi/" not in html  # viewers get no create button


HOA_BINH_CODES = ("BN.HA.HB", "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH")


def _code_tag(code: str) -> str:
    return f'<code class="unit-code">{code}</code>'


@pytest.mark.parametrize("who", ["owner", "viewer", "outsider"])
def test_tree_shows_the_code_of_every_unit_of_the_users_subtree(users, client_for, who):
    user = users.outsiders["officer"] if who == "outsider" else getattr(users, who)
    html = client_for(user).get("/don-vi/").content.decode()
    mine = Unit.objects.filter(path__startswith=user.unit.path).values_list("code", flat=True)
    assert all(_code_tag(code) in html for code in mine)
    others = HOA_BINH_CODES if who == "outsider" else ("BN.HA.HP",)
    assert not any(code in html for code in others)
    assert _code_tag("BN.HA") not in html  # the district above


def test_detail_shows_the_units_code_its_parents_and_its_childrens(users, client_for):
    hb = Unit.objects.get(code="BN.HA.HB")
    for user in (users.owner, users.viewer):
        html = client_for(user).get(f"/don-vi/{hb.pk}/").content.decode()
        assert all(_code_tag(code) in html for code in HOA_BINH_CODES)
        assert _code_tag("BN.HA") in html  # the parent, named with its code but not linked
    response = client_for(users.outsiders["viewer"]).get(f"/don-vi/{hb.pk}/")
    assert response.status_code == 404 and "BN.HA.HB" not in response.content.decode()


def test_the_parent_picker_shows_codes(users, client_for):
    html = client_for(users.owner).get("/don-vi/tao-moi/").content.decode()
    assert "Chi bộ thôn Đông (BN.HA.HB.DONG)" in html


def test_closed_units_are_marked(users, client_for):
    Unit.objects.filter(code="BN.HA.HB.TAY").update(closed_on="2024-06-30")
    response = client_for(users.viewer).get("/don-vi/")
    html = response.content.decode()
    assert html.count('class="badge bad"') == 1


def test_detail_shows_level_parent_children_and_counts(users, client_for):
    hb = Unit.objects.get(code="BN.HA.HB")
    response = client_for(users.viewer).get(f"/don-vi/{hb.pk}/")
    assert response.status_code == 200
    assert response.context["level"]  # the level's name by depth
    assert {c.code for c in response.context["children"]} == {"BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH"}
    statuses = {label: whole for label, _own, whole in response.context["statuses"]}
    assert sum(statuses.values()) == 42  # Hòa Bình's roster: total of the scenario
    assert "Đảng bộ huyện Hòa An" in response.content.decode()  # its parent, named but not linked


def test_outsider_gets_404_on_detail_and_edit(users, client_for):
    hb = Unit.objects.get(code="BN.HA.HB")
    for role in ("officer", "viewer"):
        client = client_for(users.outsiders[role])
        assert client.get(f"/don-vi/{hb.pk}/").status_code == 404
        assert client.get(f"/don-vi/{hb.pk}/sua/").status_code == 404
        assert client.post(f"/don-vi/{hb.pk}/sua/", _edit_post(hb, name="X")).status_code == 404
        assert client.get("/don-vi/tao-moi/", {"parent": hb.pk}).status_code in (403, 404)
    assert Unit.objects.get(pk=hb.pk).name == "Đảng bộ xã Hòa Bình"


def test_viewer_gets_403_on_forms(users, client_for):
    hb = Unit.objects.get(code="BN.HA.HB")
    client = client_for(users.viewer)
    assert client.get("/don-vi/tao-moi/").status_code == 403
    assert client.post("/don-vi/tao-moi/", _post(hb)).status_code == 403
    assert client.get(f"/don-vi/{hb.pk}/sua/").status_code == 403
    assert client.post(f"/don-vi/{hb.pk}/sua/", _edit_post(hb, name="X")).status_code == 403
    assert not Unit.objects.filter(code="BN.HA.HB.BAC").exists()


def test_reporter_may_not_change_the_structure(users, client_for):
    cell = Unit.objects.get(code="BN.HA.HB.DONG")
    client = client_for(users.reporter)
    assert client.get("/don-vi/tao-moi/").status_code == 403
    assert client.get(f"/don-vi/{cell.pk}/sua/").status_code == 403


def test_officer_creates_a_cell(users, client_for):
    hb = Unit.objects.get(code="BN.HA.HB")
    client = client_for(users.owner)
    assert client.get("/don-vi/tao-moi/", {"parent": hb.pk}).status_code == 200
    response = client.post("/don-vi/tao-moi/", _post(hb))
    assert response.status_code == 302
    created = Unit.objects.get(code="BN.HA.HB.BAC")
    assert created.parent == hb and created.depth == hb.depth + 1
    assert response["Location"] == f"/don-vi/{created.pk}/"
    assert AuditEntry.objects.filter(record_type="organisation.Unit", record_id=str(created.pk)).exists()


def test_posting_a_foreign_parent_is_404_and_writes_nothing(users, client_for):
    hp = Unit.objects.get(code="BN.HA.HP")
    tay = Unit.objects.get(code="BN.HA.HB.TAY")
    client = client_for(users.owner)
    before = Unit.objects.count()
    assert client.post("/don-vi/tao-moi/", _post(hp)).status_code == 404
    assert client.post(f"/don-vi/{tay.pk}/sua/", _edit_post(tay, parent=str(hp.pk))).status_code == 404
    assert Unit.objects.count() == before
    parent = Unit.objects.get(pk=tay.pk).parent
    assert parent is not None and parent.code == "BN.HA.HB"
    # and the other way round: Hòa Phú's officer naming Hòa Bình as parent
    hb = Unit.objects.get(code="BN.HA.HB")
    outsider = client_for(users.outsiders["officer"])
    assert outsider.get("/don-vi/tao-moi/").status_code == 200
    assert outsider.post("/don-vi/tao-moi/", _post(hb, code="BN.HA.HP.X")).status_code == 404
    assert Unit.objects.count() == before


def test_a_parent_id_that_does_not_exist_is_answered_like_another_subtrees(users, client_for):
    before = Unit.objects.count()
    response = client_for(users.owner).post("/don-vi/tao-moi/", _post(None, parent="999999"))
    assert response.status_code == 404
    assert Unit.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "BN.HA.HB.DONG"}, "code"),  # taken (service)
        ({"opened_on": "2024-05-01", "closed_on": "2024-01-01"}, "closed_on"),  # service date rule
        ({"name": ""}, "name"),  # form
    ],
)
def test_bad_input_is_refused_with_200_and_nothing_written(users, client_for, overrides, field):
    hb = Unit.objects.get(code="BN.HA.HB")
    before = (Unit.objects.count(), AuditEntry.objects.count())
    response = client_for(users.owner).post("/don-vi/tao-moi/", _post(hb, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="error' in response.content.decode()
    assert (Unit.objects.count(), AuditEntry.objects.count()) == before


def test_moving_a_unit_under_itself_is_a_form_error(users, client_for):
    dong = Unit.objects.get(code="BN.HA.HB.DONG")
    child = Unit.objects.create(code="BN.HA.HB.DONG.T1", name="Tổ 1", kind="cell", parent=dong,
                                path=dong.path + "999999999.", depth=dong.depth + 1)
    response = client_for(users.owner).post(f"/don-vi/{dong.pk}/sua/", _edit_post(dong, parent=str(child.pk)))
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    parent = Unit.objects.get(pk=dong.pk).parent
    assert parent is not None and parent.code == "BN.HA.HB"


def test_officer_edits_a_cell_and_their_own_unit(users, client_for):
    hb = Unit.objects.get(code="BN.HA.HB")
    dong = Unit.objects.get(code="BN.HA.HB.DONG")
    client = client_for(users.owner)
    response = client.post(f"/don-vi/{dong.pk}/sua/", _edit_post(dong, name="Chi bộ thôn Đông A"))
    assert response.status_code == 302
    assert Unit.objects.get(pk=dong.pk).name == "Chi bộ thôn Đông A"
    # the top unit of the scope: no parent field, it stays where it is
    response = client.get(f"/don-vi/{hb.pk}/sua/")
    assert response.status_code == 200 and "parent" not in response.context["form"].fields
    data = _edit_post(hb, name="Đảng bộ xã Hòa Bình (mới)")
    data.pop("parent")
    assert client.post(f"/don-vi/{hb.pk}/sua/", data).status_code == 302
    hb.refresh_from_db()
    assert hb.name == "Đảng bộ xã Hòa Bình (mới)"
    assert hb.parent is not None and hb.parent.code == "BN.HA"


def test_the_tree_as_of_a_day_before_a_restructuring_shows_that_day(scenario, client_for, fast_passwords):
    from django.conf import settings as django_settings

    from chuyende.accounts.services import user_create
    from chuyende.demo.scenario import load_scenario

    load_scenario(django_settings.DEMO_REFORM)
    admin = user_create(actor=None, username="t.bn", password="x-Very-long-pass-1",
                        unit=Unit.objects.get(code="BN"), role="officer", full_name="t.bn")
    client = client_for(admin)
    before = client.get("/don-vi/", {"as_of": "2024-03-31"}).content.decode()
    assert "Đảng bộ thị trấn Hòa An" in before and "Hòa Bình Phú" not in before
    after = client.get("/don-vi/", {"as_of": "2026-03-31"}).content.decode()
    assert "Đảng bộ xã Hòa An" in after and "Đảng bộ xã Hòa Bình Phú" in after


def test_a_unit_page_as_of_a_day_shows_its_roster_and_level_then(scenario, client_for, fast_passwords):
    from django.conf import settings as django_settings

    from chuyende.accounts.services import user_create
    from chuyende.demo.scenario import load_scenario

    load_scenario(django_settings.DEMO_REFORM)
    officer = user_create(actor=None, username="t.bn2", password="x-Very-long-pass-1",
                          unit=Unit.objects.get(code="BN"), role="officer", full_name="t.bn2")
    town = Unit.objects.get(code="BN.HA.TT")
    page = client_for(officer).get(f"/don-vi/{town.pk}/", {"as_of": "2024-03-31"}).content.decode()
    assert "Đảng bộ thị trấn Hòa An" in page and "Cơ sở" in page
