"""The roll-up against the plain recount (tests/figures/recount.py) on the histories issue 11 names:
a status change dated in the past, a study record dated before an existing status change, a return
superseding another, a deleted event, a moved unit, a closed unit whose members moved. Each test also
states the figure that changed, so that a failure reads without the recount."""

import pytest

from chuyende.campaigns.models import Campaign
from chuyende.events.services import event_delete
from chuyende.figures.rollup import unit_figures
from chuyende.members.services import member_status_change, member_update
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_update
from chuyende.returns.services import member_return_save
from tests.builders import D, make_campaign, make_event, make_member, make_unit, site
from tests.figures.agreement import assert_agree, assert_verified, differences, engine_figures
from tests.figures.recount import Records, recount

pytestmark = pytest.mark.django_db

DAYS = [D(2024, 1, 9), D(2024, 1, 31), D(2024, 2, 1), D(2024, 2, 14), D(2024, 2, 15), D(2024, 2, 29),
        D(2024, 3, 1), D(2024, 12, 31)]


@pytest.fixture
def tree() -> dict[str, Unit]:
    """P > P.X (cells P.X.1 roster, P.X.2 counts), P.Y (cell P.Y.1 roster)."""
    province = make_unit("P")
    x, y = make_unit("P.X", province), make_unit("P.Y", province)
    return {
        "P": province, "P.X": x, "P.Y": y,
        "P.X.1": make_unit("P.X.1", x, individual=True),
        "P.X.2": make_unit("P.X.2", x),
        "P.Y.1": make_unit("P.Y.1", y, individual=True),
    }


@pytest.fixture
def campaign(tree) -> Campaign:
    return make_campaign(tree["P"], excluded=("exempt",))


def studied(unit: Unit, campaign: Campaign, day) -> tuple[int, int, int]:
    tally = unit_figures(unit=unit, campaign=campaign, as_of=day).tally
    return tally.eligible, tally.studied, tally.excluded_who_studied


def agree(campaign: Campaign) -> None:
    assert_agree(campaign, DAYS)
    assert_verified()


def test_a_status_change_dated_in_the_past_moves_the_member_out_of_the_expected(tree, campaign):
    cell = tree["P.X.1"]
    member, _other = make_member(cell), make_member(cell)
    make_event(campaign, cell, D(2024, 2, 15), site(cell, member))
    member_status_change(actor=None, member=member, status="exempt", since=D(2024, 2, 1))

    assert studied(cell, campaign, D(2024, 1, 31)) == (2, 0, 0)
    assert studied(cell, campaign, D(2024, 3, 1)) == (1, 0, 1)  # exempt since before it studied
    agree(campaign)


def test_a_status_change_after_the_study_day_leaves_the_earlier_days_alone(tree, campaign):
    cell = tree["P.X.1"]
    member = make_member(cell)
    make_event(campaign, cell, D(2024, 2, 1), site(cell, member))
    member_status_change(actor=None, member=member, status="transferred_out", since=D(2024, 2, 15))

    assert studied(cell, campaign, D(2024, 2, 14)) == (1, 1, 0)
    assert studied(cell, campaign, D(2024, 2, 15)) == (0, 0, 0)
    agree(campaign)


def test_a_study_record_dated_before_an_existing_status_change(tree, campaign):
    cell = tree["P.X.1"]
    member = make_member(cell)
    member_status_change(actor=None, member=member, status="exempt", since=D(2024, 2, 15))
    make_event(campaign, tree["P"], D(2024, 2, 1), site(cell, member), format="online")  # recorded after

    assert studied(cell, campaign, D(2024, 2, 1)) == (1, 1, 0)
    assert studied(cell, campaign, D(2024, 2, 15)) == (0, 0, 1)
    agree(campaign)


def test_a_return_dated_earlier_than_the_latest_does_not_supersede_it(tree, campaign):
    cell = tree["P.X.2"]
    for as_of, total, done in ((D(2024, 3, 1), 10, 9), (D(2024, 2, 1), 8, 4), (D(2024, 2, 15), 9, 6)):
        member_return_save(actor=None, campaign=campaign, unit=cell, as_of=as_of, members_total=total,
                           exempt=0, away=0, studied=done)

    assert studied(cell, campaign, D(2024, 1, 31)) == (0, 0, 0)
    assert studied(cell, campaign, D(2024, 2, 14)) == (8, 4, 0)
    assert studied(cell, campaign, D(2024, 2, 29)) == (9, 6, 0)
    assert studied(tree["P"], campaign, D(2024, 3, 1)) == (10, 9, 0)
    agree(campaign)


def test_a_deleted_event_takes_its_attendance_and_study_days_with_it(tree, campaign):
    cell = tree["P.Y.1"]
    member = make_member(cell)
    make_event(campaign, cell, D(2024, 2, 15), site(cell, member), format="cell_meeting")
    first = make_event(campaign, tree["P"], D(2024, 2, 1), site(tree["P.Y"], other_members=3),
                       site(cell, member, non_members=2), format="online")
    event_delete(actor=None, event=first)

    figures = unit_figures(unit=tree["P"], campaign=campaign, as_of=D(2024, 3, 1))
    assert (figures.events_held, figures.tally.member_person_times, figures.tally.non_member_person_times) \
        == (1, 1, 0)
    assert studied(cell, campaign, D(2024, 2, 14)) == (1, 0, 0)  # studied on 15/02 now, not 01/02
    agree(campaign)


def test_a_moved_unit_takes_its_figures_to_its_new_parent(tree, campaign):
    cell = tree["P.X.1"]
    member = make_member(cell)
    make_event(campaign, cell, D(2024, 2, 1), site(cell, member, non_members=4), format="cell_meeting")
    unit_update(actor=None, unit=cell, code=cell.code, name=cell.name, kind=cell.kind, tracking=cell.tracking,
                parent=tree["P.Y"], opened_on=None, closed_on=None)

    rollup = unit_figures(unit=tree["P"], campaign=campaign, as_of=D(2024, 3, 1))
    by_code = {child.unit.code: child for child in rollup.children}
    assert (by_code["P.X"].tally.studied, by_code["P.X"].events_held) == (0, 0)
    assert (by_code["P.Y"].tally.studied, by_code["P.Y"].events_held) == (1, 1)
    agree(campaign)


def test_a_closed_unit_whose_members_moved_counts_them_at_their_new_unit(tree, campaign):
    closing, heir = tree["P.X.1"], tree["P.Y.1"]
    member = make_member(closing)
    make_event(campaign, closing, D(2024, 2, 1), site(closing, member), format="cell_meeting")
    closing = unit_update(actor=None, unit=closing, code=closing.code, name=closing.name, kind=closing.kind,
                          tracking=closing.tracking, parent=tree["P.X"], opened_on=None,
                          closed_on=D(2024, 2, 15))
    member_update(actor=None, member=member, unit=heir, code=member.code, full_name=member.full_name,
                  sex=member.sex, birth_year=member.birth_year, membership=member.membership)

    rollup = unit_figures(unit=tree["P.X"], campaign=campaign, as_of=D(2024, 3, 1))
    assert [child.unit.code for child in rollup.children] == ["P.X.1", "P.X.2"]  # kept for its event
    assert studied(heir, campaign, D(2024, 3, 1)) == (1, 1, 0)
    agree(campaign)


def test_the_comparison_sees_a_difference():
    """The comparison is not blind: a recount of another day differs from the roll-up."""
    province = make_unit("P")
    cell = make_unit("P.A", province, individual=True)
    campaign = make_campaign(province)
    make_event(campaign, cell, D(2024, 2, 1), site(cell, make_member(cell)))
    rollup = unit_figures(unit=province, campaign=campaign, as_of=D(2024, 2, 1))

    found = differences(engine_figures(rollup, rollup.children), recount(Records(campaign), province,
                                                                          D(2024, 1, 31)))

    assert "tally.studied: 1 != 0" in found
    assert "children[P.A].events_held: 1 != 0" in found
