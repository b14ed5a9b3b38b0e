"""Small hand-built data for rule and service tests, made through the services (actor=None)."""

import datetime
from decimal import Decimal
from itertools import count

from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import campaign_create
from chuyende.events.models import Event
from chuyende.events.services import SiteData, event_create
from chuyende.members.models import Member
from chuyende.members.services import member_create
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_create

_numbers = count(1)

D = datetime.date


def make_unit(code: str, parent: Unit | None = None, *, individual: bool = False, **extra) -> Unit:
    return unit_create(
        actor=None, code=code, name=f"Đơn vị {code}", kind="cell" if parent else "party_committee",
        parent=parent, tracking=Unit.Tracking.INDIVIDUAL if individual else Unit.Tracking.AGGREGATE,
        **extra,
    )


def make_campaign(
    owner: Unit, *, excluded: tuple[str, ...] = ("exempt", "away"), precision: int = 2,
    target: str = "95", code: str | None = None,
) -> Campaign:
    return campaign_create(
        actor=None, owner=owner, code=code or f"C{next(_numbers)}", kind="annual_topic", year=2024,
        title="Chuyên đề thử", starts=D(2024, 1, 10), ends=None, study_deadline=D(2024, 3, 31),
        report_deadline=D(2024, 3, 25), target_rate=Decimal(target), excluded_statuses=list(excluded),
        rate_precision=precision, non_party_categories=["civil_servants", "religious", "mass"],
        guiding_documents=[],
    )


def make_member(unit: Unit, *, status: str = "active", since: datetime.date | None = None,
                code: str | None = None) -> Member:
    return member_create(
        actor=None, unit=unit, code=code or f"M{next(_numbers)}", full_name="Nguyễn Văn Thử", sex="male",
        birth_year=1980, membership="full", status=status, status_since=since,
    )


def make_event(
    campaign: Campaign, organiser: Unit, held_on: datetime.date, *sites: SiteData,
    format: str = "in_person",
) -> Event:
    return event_create(
        actor=None, campaign=campaign, organiser=organiser, held_on=held_on, format=format,
        title="Hội nghị học tập", sites=list(sites) or [SiteData(unit=organiser)],
    )


def add_commune(campaign: Campaign, parent: Unit, code: str, *, cells: int = 4, members: int = 10) -> Unit:
    """More of everything under `parent`, through the services, for the tests that pin a page's
    queries at two sizes: a commune of `cells` cells of `members` members each, one of them away
    from 01/03/2024, an event of the commune on 05/03/2024 with a bridge point at every cell listing
    its members, an outreach entry, and a cell reporting counts with its member return."""
    from chuyende.members.services import member_status_change
    from chuyende.outreach.services import outreach_create
    from chuyende.returns.services import member_return_save

    commune = make_unit(code, parent)
    sites = []
    for number in range(cells):
        cell = make_unit(f"{code}.C{number:02}", commune, individual=True)
        listed = [make_member(cell, code=f"{cell.code}.M{index:02}") for index in range(members)]
        sites.append(site(cell, *listed))
    member_status_change(actor=None, member=sites[0].attendees[0], status="away", since=D(2024, 3, 1))
    make_event(campaign, commune, D(2024, 3, 5), *sites)
    outreach_create(actor=None, campaign=campaign, unit=commune, held_on=D(2024, 3, 6), channel="loudspeaker",
                    sessions=2, reach=300)
    counted = make_unit(f"{code}.TH", commune)
    member_return_save(actor=None, campaign=campaign, unit=counted, as_of=D(2024, 3, 20), members_total=20,
                       exempt=0, away=0, studied=15)
    return commune


def site(unit: Unit, *attendees: Member, other_members: int = 0, non_members: int = 0) -> SiteData:
    return SiteData(unit=unit, other_members=other_members, non_members=non_members, attendees=attendees)


WRITTEN_MODELS = (
    "organisation.Unit", "members.Member", "members.MemberStatus", "campaigns.Campaign",
    "campaigns.GuidingDocument", "events.Event", "events.Site", "events.Attendance", "events.Presenter",
    "returns.MemberReturn", "returns.NonMemberReturn", "outreach.Outreach", "materials.MaterialTransfer",
    "pledges.Pledge", "pledges.PledgeReturn", "supervision.Supervisor", "supervision.Assignment",
    "supervision.Visit", "reports.Report", "audit.AuditEntry", "organisation.UnitPeriod",
    "organisation.LevelName", "members.MemberPlacement", "restructuring.Decision", "restructuring.Operation",
    "restructuring.Succession", "figures.DailyCount", "returns.PartialReturn",
)


def row_counts() -> dict[str, int]:
    from django.apps import apps

    return {label: apps.get_model(label).objects.count() for label in WRITTEN_MODELS}


class nothing_written:
    """Asserts that the block leaves every domain table (and the audit log) as it found it."""

    def __enter__(self):
        self.before = row_counts()
        return self

    def __exit__(self, *exc):
        after = row_counts()
        assert after == self.before, {label: (n, after[label]) for label, n in self.before.items()
                                      if after[label] != n}
        return False


def refused(field: str, call, /, **kwargs):
    """Calls a service expecting a ValidationError on exactly `field`, with nothing written."""
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught, nothing_written():
        call(**kwargs)
    assert list(caught.value.message_dict) == [field], caught.value.message_dict
    assert all(caught.value.message_dict[field]), "an empty message"
    return caught.value


def forbidden(exception: type[Exception], call, /, **kwargs) -> None:
    """Calls a service expecting NotInScope or NotAllowed, with nothing written."""
    import pytest

    with pytest.raises(exception), nothing_written():
        call(**kwargs)
