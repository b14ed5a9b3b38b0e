"""Returns that know only part (DOMAIN §4.1): what they may state, what is refused with nothing
written, and how they stand with the full returns of the same unit."""

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotInScope, RowsInvalid
from chuyende.returns.models import PartialReturn
from chuyende.returns.services import (
    MemberReturnRow,
    member_return_save,
    member_returns_bulk_save,
    non_member_return_save,
    partial_return_delete,
    partial_return_save,
)
from tests.builders import D, forbidden, make_campaign, make_unit, nothing_written, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = make_unit("R")
    commune = make_unit("R.X", root)
    other = make_unit("R.Y", root)
    return make_campaign(root), root, commune, other


def values(campaign, unit, **changes: Any) -> dict[str, Any]:
    return {"campaign": campaign, "unit": unit, "as_of": D(2024, 3, 10), "who": "non_members",
            "category": "religious", **changes}


def test_each_kind_of_partial_fact_is_saved_and_audited(tree):
    campaign, _root, commune, other = tree
    rate = partial_return_save(actor=None, **values(campaign, commune, category="civil_servants",
                                                    rate_above=Decimal("95")))
    bound = partial_return_save(actor=None, **values(campaign, other, studied_above=60))
    count = partial_return_save(actor=None, **values(campaign, commune, who="members", category="",
                                                     studied=746))
    assert (rate.kind, bound.kind, count.kind) == ("rate_above", "studied_above", "studied")
    # A second save on the same day replaces the first.
    again = partial_return_save(actor=None, **values(campaign, other, studied_above=70))
    assert again.pk == bound.pk and PartialReturn.objects.count() == 3
    assert AuditEntry.objects.filter(record_type="returns.PartialReturn").count() == 4
    partial_return_delete(actor=None, record=again)
    assert PartialReturn.objects.count() == 2


@pytest.mark.parametrize(("field", "changes", "message"), [
    ("rate_above", {"rate_above": Decimal("101")}, "lớn hơn 100%"),
    ("rate_above", {"rate_above": Decimal("0")}, "lớn hơn 0"),
    ("rate_above", {"studied": 746, "rate_above": Decimal("95")}, "Không thể nêu tỷ lệ khi chưa có tổng số"),
    ("rate_above", {"studied_above": 60, "rate_above": Decimal("95")}, "Không thể nêu tỷ lệ"),
    ("studied_above", {"studied": 70, "studied_above": 60}, "không nêu cả hai"),
    ("studied", {}, "Hãy nêu số người đã học tập"),
    ("studied", {"studied": -1}, "Số người đã học tập"),
    ("category", {"category": "soldiers", "studied": 5}, "không thống kê"),
    ("category", {"who": "members", "studied": 5}, "người chưa là đảng viên"),
    ("who", {"who": "everyone", "studied": 5}, "everyone"),
    ("as_of", {"as_of": D(2023, 1, 1), "studied": 5}, "ngoài thời gian"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(tree, field, changes, message):
    campaign, _root, commune, _other = tree
    with translation.override("vi"):
        error = refused(field, partial_return_save, actor=None, **values(campaign, commune, **changes))
    assert message in " ".join(error.message_dict[field])


def test_a_bound_of_a_hundred_percent_is_the_most_accepted(tree):
    campaign, _root, commune, _other = tree
    saved = partial_return_save(actor=None, **values(campaign, commune, rate_above=Decimal("100")))
    assert saved.rate_above == Decimal("100")


def test_members_need_a_unit_reporting_counts_without_sub_units(tree):
    campaign, root, _commune, _other = tree
    refused("unit", partial_return_save, actor=None,
            **values(campaign, root, who="members", category="", studied=5))
    kept = make_unit("R.K", root, individual=True)
    refused("unit", partial_return_save, actor=None,
            **values(campaign, kept, who="members", category="", studied=5))


def test_a_partial_return_after_full_figures_is_refused_and_full_ones_before_it_too(tree):
    campaign, _root, commune, other = tree
    non_member_return_save(actor=None, campaign=campaign, unit=commune, as_of=D(2024, 3, 1), expected=80,
                           studied=70)
    with translation.override("vi"):
        error = refused("as_of", partial_return_save, actor=None, **values(campaign, commune, studied=75))
    assert "đã gửi số liệu đầy đủ tính đến ngày 01/03/2024" in error.message_dict["as_of"][0]

    partial_return_save(actor=None, **values(campaign, other, who="members", category="", studied=20))
    refused("as_of", member_return_save, actor=None, campaign=campaign, unit=other, as_of=D(2024, 3, 10),
            members_total=25, exempt=0, away=0, studied=20)
    with pytest.raises(RowsInvalid) as caught, nothing_written():
        member_returns_bulk_save(actor=None, rows=[
            MemberReturnRow(campaign, other, D(2024, 3, 9), 25, 0, 0, 20)])
    assert list(caught.value.errors[0].message_dict) == ["as_of"]
    # Full figures dated after the partial return are taken, and replace it from their date on.
    member_return_save(actor=None, campaign=campaign, unit=other, as_of=D(2024, 3, 11), members_total=25,
                       exempt=0, away=0, studied=20)


def test_another_subtree_is_out_of_reach(scenario, users):
    # Hòa Bình's officer cannot state figures of Hòa Phú.
    from tests.conftest import unit

    forbidden(NotInScope, partial_return_save, actor=users.owner, campaign=scenario,
              unit=unit("BN.HA.HP"), as_of=D(2024, 3, 10), who="non_members", studied=5)



def test_the_page_saves_a_partial_return_and_refuses_a_bound_above_a_hundred(scenario, users, client_for):
    from django.urls import reverse

    from tests.conftest import unit

    campaign = make_campaign(unit("BN"), code="P2024")  # in the scenario's, communes report in full
    client = client_for(users.owner)
    assert 'name="rate_above"' in client.get(reverse("returns:partial_create")).content.decode()
    data = {"campaign": campaign.pk, "unit": unit("BN.HA.HB.TH").pk, "as_of": "2024-03-10",
            "who": "non_members", "category": "civil_servants", "rate_above": "101"}
    with translation.override("vi"), nothing_written():
        page = client.post(reverse("returns:partial_create"), data)
    assert page.status_code == 200
    assert "lớn hơn 100%" in page.content.decode()
    saved = client.post(reverse("returns:partial_create"), {**data, "rate_above": "95,5"})
    assert saved.status_code == 302
    assert PartialReturn.objects.get(unit__code="BN.HA.HB.TH").rate_above == Decimal("95.5")
