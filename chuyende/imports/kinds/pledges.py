"""Individual pledges: registered or changed (pledge_register, pledge_update), then rated per cell and
day (cell_ratings_save), so a file can register and rate a pledge in one go."""

import datetime
from collections.abc import Iterator

from django.utils.translation import gettext as _

from chuyende.imports.kinds.base import (
    CREATED,
    LOOKUP_CHUNK,
    UNCHANGED,
    UPDATED,
    Importer,
    Operation,
    Outcome,
    ParsedRow,
    members_by_code,
    no_member,
)
from chuyende.members.models import Member
from chuyende.organisation.models import Unit
from chuyende.pledges.models import Pledge
from chuyende.pledges.services import RatingData, cell_ratings_save, pledge_register, pledge_update


class PledgeImporter(Importer):
    kind = "pledges"

    def field_column(self, name: str) -> str | None:
        if name.startswith("member-"):
            return "rating"
        return super().field_column(name)

    def check(self, rows: list[ParsedRow]) -> None:
        ctx = self.ctx
        members = members_by_code(row.get("member") for row in rows if row.get("member"))
        self.rows: list[ParsedRow] = []
        known: list[ParsedRow] = []  # rows whose pledge (campaign, member) is known
        for row in rows:
            before = len(ctx.problems)
            campaign = ctx.campaign(row)
            member = self._member(row, members)
            if row.get("rating") and row.get("rated_on") is None and row.intact("rated_on"):
                ctx.problem(row, "rated_on", _("A rating needs the day it was given."))
            if campaign is None or member is None:
                continue
            row.values.update(campaign=campaign, member=member)
            known.append(row)
            if len(ctx.problems) == before:
                self.rows.append(row)
        ctx.duplicates(known, lambda row: (row.values["campaign"].pk, row.values["member"].pk), "member",
                       describe=lambda row: row.values["member"].code)
        self.stored: dict[tuple[int, int], Pledge] = {}
        member_ids = [row.values["member"].pk for row in self.rows]
        for start in range(0, len(member_ids), LOOKUP_CHUNK):
            for pledge in Pledge.objects.filter(member_id__in=member_ids[start:start + LOOKUP_CHUNK]):
                self.stored[(pledge.campaign_id, pledge.member_id)] = pledge

    def _member(self, row: ParsedRow, members: dict[str, Member]) -> Member | None:
        """The row's member: of the user's organisation, editable by them, of a unit keeping its
        members one by one (each fault reported)."""
        ctx = self.ctx
        if not row.intact("member"):
            return None
        member = members.get(row.get("member", ""))
        if member is None or not member.unit.path.startswith(ctx.scope_path):
            ctx.problem(row, "member", no_member(row.get("member", "")))
            return None
        editable = ctx.editable(row, "member", member.unit)
        if member.unit.tracking != Unit.Tracking.INDIVIDUAL:
            ctx.problem(row, "member", _(
                "%(unit)s reports pledges as counts; enter them in its pledge return."
            ) % {"unit": member.unit.name})
            return None
        return member if editable else None

    def operations(self) -> Iterator[Operation]:
        for row in self.rows:
            yield Operation(rows=[row], run=lambda row=row: self._register(row))  # type: ignore[misc]
        groups: dict[tuple[int, int, datetime.date], list[tuple[ParsedRow, RatingData]]] = {}
        for row in self.rows:
            rating = self._rating(row)
            if rating is not None:
                member: Member = row.values["member"]
                groups.setdefault((row.values["campaign"].pk, member.unit_id, rating[0]), []).append(
                    (row, rating[1]))
        for (_campaign, _unit, rated_on), items in groups.items():
            yield Operation(
                rows=[row for row, _data in items],
                run=lambda items=items, day=rated_on: self._rate(items, day),  # type: ignore[misc]
                field_rows={f"member-{data.member.pk}": row for row, data in items},
            )

    def _register(self, row: ParsedRow) -> Outcome:
        campaign, member = row.values["campaign"], row.values["member"]
        pledge = self.stored.get((campaign.pk, member.pk))
        if pledge is None:
            pledge_register(actor=self.ctx.actor, campaign=campaign, member=member,
                            registered_on=row.values["registered_on"], text=row.values["text"])
            return CREATED
        if (pledge.registered_on, pledge.text) == (row.values["registered_on"], row.values["text"].strip()):
            return UNCHANGED
        pledge_update(actor=self.ctx.actor, pledge=pledge, registered_on=row.values["registered_on"],
                      text=row.values["text"])
        return UPDATED

    def _rating(self, row: ParsedRow) -> tuple[datetime.date, RatingData] | None:
        """(day, rating) when the row's rating differs from the stored one, else None."""
        if not row.has("rating"):
            return None
        member: Member = row.values["member"]
        pledge = self.stored.get((row.values["campaign"].pk, member.pk))
        stored = (pledge.rating, pledge.rated_on, pledge.rating_note) if pledge else ("", None, "")
        rating = row.values["rating"]
        if not rating:
            if not stored[0]:
                return None
            return stored[1] or row.values["registered_on"], RatingData(member=member, rating="")
        note = row.keep("rating_note", stored[2]) or ""
        if (rating, row.values["rated_on"], note.strip()) == stored:
            return None
        return row.values["rated_on"], RatingData(member=member, rating=rating, note=note)

    def _rate(self, items: list[tuple[ParsedRow, RatingData]], rated_on: datetime.date) -> Outcome:
        first = items[0][0]
        member: Member = first.values["member"]
        cell_ratings_save(actor=self.ctx.actor, campaign=first.values["campaign"], unit=member.unit,
                          rated_on=rated_on, ratings=[data for _row, data in items])
        return UPDATED
