"""benchmark_rollup: refuses a database that holds data; prints the roll-up and write timings of a tiny
tree; and the generator writes what the services would (so the figures are the services' figures)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from chuyende.demo.synthetic import AS_OF, Size, generate
from chuyende.events.models import Attendance, Event, Site, StudyRecord
from chuyende.events.services import SiteData, event_update
from chuyende.events.study_records import refresh_study_records
from chuyende.figures.rollup import unit_figures
from chuyende.members.models import COUNTED_STATUSES, Member, MemberStatus
from chuyende.organisation.models import Unit
from chuyende.returns.models import MemberReturn

pytestmark = pytest.mark.usefixtures("db")

TINY = ("--communes", "2", "--cells", "2", "--members", "5", "--events", "2", "--repeat", "1")
WRITES = ("event, 2 bridge points, 10 attendees", "member status change", "member return")


def test_refuses_a_database_that_holds_units(scenario):
    units = Unit.objects.count()
    with pytest.raises(CommandError, match="already holds units"):
        call_command("benchmark_rollup", *TINY, stdout=io.StringIO())
    assert Unit.objects.count() == units


def test_prints_the_figures_of_each_scope_after_emptying_the_database(scenario):
    out = io.StringIO()
    call_command("benchmark_rollup", *TINY, "--force-empty", stdout=out)
    text = out.getvalue()
    assert "Deleting all data" in text
    assert "Generated in " in text
    rows = {line.split()[0] + (" (root)" if "(root)" in line else "") for line in text.splitlines()
            if line.startswith("  ") and "ms" not in line}
    assert {"province (root)", "commune", "cell"} <= rows
    for write in WRITES:
        assert f"  {write} " in text
    assert "Peak memory: " in text
    assert not Unit.objects.filter(code__startswith="BN.").exists()
    # The tree, and the event written by the timed write.
    assert Unit.objects.count() == 1 + 2 + 2 * 2
    assert Event.objects.filter(code="BENCH-WRITE-1").count() == 1


def test_times_again_the_tree_an_earlier_run_generated():
    call_command("benchmark_rollup", *TINY, stdout=io.StringIO())
    units = Unit.objects.count()
    out = io.StringIO()
    call_command("benchmark_rollup", "--existing", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "Generated in" not in text
    assert "  province (root) " in text and "  cell " in text
    for write in WRITES:
        assert f"  {write} " in text
    assert Unit.objects.count() == units
    assert set(Event.objects.filter(code__startswith="BENCH-WRITE").values_list("code", flat=True)) == {
        "BENCH-WRITE-1", "BENCH-WRITE-2"}


def test_existing_needs_a_synthetic_tree(scenario):
    with pytest.raises(CommandError, match="no synthetic tree"):
        call_command("benchmark_rollup", "--existing", stdout=io.StringIO())


def test_a_national_root_has_a_province_row():
    out = io.StringIO()
    call_command("benchmark_rollup", "--provinces", "2", "--grassroots", "2", *TINY, stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines if line.startswith(("  national", "  province", "  commune",
                                                                  "  cell "))] == [
        "national", "province", "commune", "cell"]
    assert Unit.objects.filter(parent__isnull=True).get().depth == 1
    assert sorted(Unit.objects.order_by().values_list("depth", flat=True).distinct()) == [1, 2, 3, 4, 5]


def test_sizes_below_one_are_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("benchmark_rollup", "--communes", "0", stdout=io.StringIO())


def test_per_parent_sizes_add_up_to_the_national_shape():
    size = Size.per_parent(provinces=2, communes=3, grassroots=4, cells=5, members=6, events=7)
    assert (size.communes, size.grassroots, size.cells, size.members) == (6, 24, 120, 720)


@pytest.fixture
def tiny():
    return generate(Size.per_parent(provinces=2, communes=2, grassroots=2, cells=2, members=7, events=3))


def test_the_generator_writes_what_the_services_write(tiny):
    # Members only where units keep them one by one, each with one open status period.
    assert not Member.objects.exclude(unit__tracking=Unit.Tracking.INDIVIDUAL).exists()
    assert set(Member.objects.annotate(n=Count("statuses")).values_list("n", flat=True)) == {1}
    # Returns only from units reporting counts.
    assert not MemberReturn.objects.exclude(unit__tracking=Unit.Tracking.AGGREGATE).exists()
    # Each site counts the members listed there, as the event service does.
    for site in Site.objects.annotate(named=Count("attendances")):
        assert site.listed_members == site.named
    # The study records are those the event service derives from the attendances.
    written = set(StudyRecord.objects.values_list("member_id", "first_studied_on"))
    members = Member.objects.values_list("pk", flat=True)
    refresh_study_records(campaign_id=tiny.campaign.pk, member_ids=members)
    assert set(StudyRecord.objects.values_list("member_id", "first_studied_on")) == written
    assert tiny.counts["attendances"] == Attendance.objects.count()
    assert tiny.counts["members"] == Member.objects.count()


def test_the_roll_up_of_a_cell_is_a_plain_recount_of_its_records(tiny):
    figures = unit_figures(unit=tiny.cell, campaign=tiny.campaign, as_of=AS_OF)
    statuses = MemberStatus.objects.filter(member__unit=tiny.cell, status__in=COUNTED_STATUSES)
    eligible = statuses.exclude(status__in=tiny.campaign.excluded_statuses).values_list("member", flat=True)
    studied = Attendance.objects.filter(member_id__in=eligible).values("member_id").distinct().count()
    assert (figures.tally.members_total, figures.tally.eligible, figures.tally.studied) == (
        statuses.count(), len(eligible), studied)
    assert figures.tally.member_person_times == Attendance.objects.filter(site__unit=tiny.cell).count()


def test_an_event_written_again_by_the_service_leaves_every_figure_as_it_was(tiny):
    """The service rewrites a cell meeting with the same attendees: the roll-up of the root does not move."""
    before = unit_figures(unit=tiny.root, campaign=tiny.campaign, as_of=AS_OF)
    event = Event.objects.filter(organiser=tiny.cell).order_by("held_on").first()
    assert event is not None
    site = event.sites.get()
    attendees = tuple(Member.objects.filter(attendances__event=event).select_related("unit"))
    assert attendees
    same = SiteData(unit=tiny.cell, other_members=site.other_members, non_members=site.non_members,
                    attendees=attendees)
    event_update(actor=None, event=event, organiser=tiny.cell, held_on=event.held_on, format=event.format,
                 title=event.title, code=event.code, sites=[same])
    after = unit_figures(unit=tiny.root, campaign=tiny.campaign, as_of=AS_OF)
    assert after.tally == before.tally
    assert [child.tally for child in after.children] == [child.tally for child in before.children]


def test_the_maintained_counters_agree_with_the_records(tiny):
    ledger = pytest.importorskip("chuyende.figures.ledger")
    assert ledger.differences() == []
