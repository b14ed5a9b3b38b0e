"""Events of a unit's subtree grouped the ways real reports group them (DOMAIN §4.1): by the sector
of the organising unit ("xã, thị trấn tổ chức 14 lớp; các trường học 04 lớp"), by audience (with
the key cadres by level: "410 cán bộ chủ chốt (95 cấp tỉnh và 315 cấp huyện)") and by partner
organisation ("phối hợp với Công đoàn tổ chức 02 lớp cho công nhân").

Person-times are those counted at bridge points inside the subtree on the date, as everywhere else
(events count for their organiser, bridge points for the unit that hosts them). Sectors and
partners concern the events organised in the subtree; audiences every event held in it (organised
in it, or organised above with bridge points in it). Every total is the sum of its parts.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from chuyende.campaigns.models import Campaign
from chuyende.events.models import Event, Site
from chuyende.figures.tree import period_on, position_on
from chuyende.organisation.models import Unit

KEY_CADRES: dict[str, str] = {  # audience -> level of the key cadres
    Event.Audience.KEY_CADRES_PROVINCE: "province",
    Event.Audience.KEY_CADRES_DISTRICT: "district",
    Event.Audience.KEY_CADRES_COMMUNE: "commune",
}
KEY_CADRE_LEVELS = ("province", "district", "commune")


@dataclass
class Group:
    """Events of one group and the person-times counted at their bridge points in the subtree."""

    events: int = 0
    person_times: int = 0


@dataclass
class PartnerEvents(Group):
    by_audience: Counter[str] = field(default_factory=Counter)


@dataclass
class EventGroups:
    by_sector: dict[str, Group] = field(default_factory=dict)
    by_audience: dict[str, Group] = field(default_factory=dict)
    by_partner: dict[str, PartnerEvents] = field(default_factory=dict)

    @property
    def key_cadres(self) -> dict[str, int]:
        """Person-times of the classes for key cadres, by level (levels without any left out)."""
        by_level = {KEY_CADRES[audience]: group.person_times for audience, group in self.by_audience.items()
                    if audience in KEY_CADRES and group.person_times}
        return {level: by_level[level] for level in KEY_CADRE_LEVELS if level in by_level}

    @property
    def key_cadres_total(self) -> int:
        return sum(self.key_cadres.values())


def event_groups(*, unit: Unit, campaign: Campaign, as_of: datetime.date,
                 path: str | None = None) -> EventGroups:
    """The events held in the subtree by the date, grouped (two queries, and one for the unit's place on
    the date unless `path`, the unit's path on the date, is given)."""
    path = path or position_on(unit, as_of).path
    # By sector only the sub-units' events: the unit's own are its level line, not a kind of unit below.
    organised = {
        event_id: (sector if organiser_path != path else None, audience, partners or [])
        for event_id, sector, organiser_path, audience, partners in Event.objects.filter(
            period_on(as_of, "organiser__periods__"), campaign=campaign, held_on__lte=as_of,
            organiser__periods__path__under=path,
        ).values_list("id", "organiser__periods__sector", "organiser__periods__path", "audience",
                      "partners").order_by()
    }
    person_times: Counter[int] = Counter()
    audiences: dict[int, str] = {}
    for event_id, audience, members, listed, non_members in Site.objects.filter(
        period_on(as_of, "unit__periods__"), event__campaign=campaign, event__held_on__lte=as_of,
        unit__periods__path__under=path,
    ).values_list("event_id", "event__audience", "other_members", "listed_members", "non_members").order_by():
        person_times[event_id] += members + listed + non_members
        audiences[event_id] = audience
    groups = EventGroups()
    for event_id, (sector, audience, partners) in organised.items():
        if sector is not None:
            group = groups.by_sector.setdefault(sector, Group())
            group.events += 1
            group.person_times += person_times[event_id]
        audiences[event_id] = audience
        for partner in partners:
            with_partner = groups.by_partner.setdefault(partner, PartnerEvents())
            with_partner.events += 1
            with_partner.person_times += person_times[event_id]
            with_partner.by_audience[audience] += 1
    for event_id, audience in audiences.items():
        group = groups.by_audience.setdefault(audience, Group())
        group.events += 1
        group.person_times += person_times[event_id]
    return groups
