"""Serializers of the activity endpoints: events with their bridge points and attendees, presenters,
aggregate returns, outreach, materials, pledges and supervision visits.

Read serializers shape what a list or a detail shows. Write serializers (`StrictSerializer`) only check
types and that every id lies in the caller's scope (another subtree: 404); the rules are the services'.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chuyende.accounts.models import User
from chuyende.api.base import ScopedPrimaryKeyRelatedField, StrictSerializer, enum_field, request_actor
from chuyende.campaigns.models import Campaign
from chuyende.core.exceptions import NotInScope
from chuyende.events.forms import presenters_for
from chuyende.events.models import Event, Presenter, Site
from chuyende.materials.models import MaterialTransfer
from chuyende.members.models import Member
from chuyende.members.selectors import members_visible_to
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Pledge, PledgeReturn, Rating
from chuyende.returns.models import MemberReturn, NonMemberReturn, PartialReturn
from chuyende.supervision.models import Supervisor, Visit
from chuyende.supervision.selectors import supervisors_of_subtree

# The largest count a database integer column holds; larger numbers are a 400, never a crash.
MAX_COUNT = 2_147_483_647
MAX_ID = 9_223_372_036_854_775_807
CODE_LIST_MAX = 5_000


def event_format(**kwargs: Any) -> serializers.ChoiceField:
    return enum_field(Event.Format.choices, "EventFormatEnum", **kwargs)


def event_audience(**kwargs: Any) -> serializers.ChoiceField:
    return enum_field(Event.Audience.choices, "EventAudienceEnum", **kwargs)


def event_partners(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=enum_field(Event.Partner.choices, "EventPartnerEnum"), **kwargs)


def outreach_channel(**kwargs: Any) -> serializers.ChoiceField:
    return enum_field(Outreach.Channel.choices, "OutreachChannelEnum", **kwargs)


def material_item(**kwargs: Any) -> serializers.ChoiceField:
    return enum_field(MaterialTransfer.Item.choices, "MaterialItemEnum", **kwargs)


def pledge_rating(**kwargs: Any) -> serializers.ChoiceField:
    """A pledge's rating; empty: not rated (yet)."""
    return enum_field([("", _("Not rated")), *Rating.choices], "PledgeRatingEnum", allow_blank=True, **kwargs)


def _count(*, default: int | None = None, help_text: str = "") -> serializers.IntegerField:
    if default is None:
        return serializers.IntegerField(max_value=MAX_COUNT, min_value=-MAX_COUNT, help_text=help_text)
    return serializers.IntegerField(
        max_value=MAX_COUNT, min_value=-MAX_COUNT, default=default, help_text=help_text
    )


def _campaign_field() -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        scope=lambda actor: scoped_campaigns_of(actor),
        help_text="Id of a campaign the caller may see.",
    )


def scoped_campaigns_of(actor: User | None) -> QuerySet[Campaign]:
    from chuyende.campaigns.selectors import campaigns_for

    return Campaign.objects.none() if actor is None else campaigns_for(actor=actor)


def _unit_field(help_text: str = "Id of a unit of the caller's subtree.") -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), help_text=help_text)


def _members_of(actor: User | None) -> QuerySet[Member]:
    return Member.objects.none() if actor is None or actor.unit is None else members_visible_to(actor=actor)


def _presenters_of(actor: User | None) -> QuerySet[Presenter]:
    return Presenter.objects.none() if actor is None or actor.unit is None else presenters_for(actor)


def _supervisors_of(actor: User | None) -> QuerySet[Supervisor]:
    if actor is None or actor.unit is None:
        return Supervisor.objects.none()
    return supervisors_of_subtree(actor=actor)


def _text(
    *, max_length: int | None = None, required: bool = True, help_text: str = ""
) -> serializers.CharField:
    options: dict[str, Any] = {"help_text": help_text}
    if max_length is not None:
        options["max_length"] = max_length
    if not required:
        options.update(allow_blank=True, default="")
    return serializers.CharField(**options)


# --- events -----------------------------------------------------------------------------------------------


class EventSiteSerializer(serializers.ModelSerializer):
    """A bridge point as the caller sees it (only those of the caller's subtree are listed)."""

    unit_code = serializers.CharField(source="unit.code", read_only=True)
    non_members_by_category = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Non-members by category (keys of the campaign's non-member categories).",
    )
    listed_members = serializers.IntegerField(
        read_only=True, help_text="Party members listed by name here (see the attendees endpoint)."
    )

    class Meta:
        model = Site
        fields = [
            "id",
            "unit",
            "unit_code",
            "other_members",
            "non_members",
            "non_members_by_category",
            "listed_members",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    format = event_format(read_only=True)
    audience = event_audience(read_only=True)
    partners = event_partners(read_only=True, help_text="Partner organisations the event was held with.")
    organiser_code = serializers.CharField(source="organiser.code", read_only=True)
    presenters: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    sites = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "campaign",
            "code",
            "organiser",
            "organiser_code",
            "held_on",
            "format",
            "title",
            "is_make_up",
            "audience",
            "partners",
            "presenters",
            "sites",
        ]
        read_only_fields = fields

    @extend_schema_field(EventSiteSerializer(many=True))
    def get_sites(self, event: Event) -> list[dict[str, Any]]:
        sites = getattr(event, "visible_sites", None)
        if sites is None:  # a freshly written event: every site is the writer's (they edit the organiser)
            sites = list(event.sites.select_related("unit").order_by("unit__path"))
        return list(EventSiteSerializer(sites, many=True).data)


class SiteWriteSerializer(StrictSerializer):
    unit = _unit_field("Id of the unit of the bridge point (in the caller's subtree).")
    other_members = _count(default=0, help_text="Party members attending who are not listed by name.")
    non_members = _count(default=0, help_text="Non-members attending.")
    non_members_by_category = serializers.DictField(
        child=serializers.IntegerField(max_value=MAX_COUNT, min_value=-MAX_COUNT),
        default=dict,
        help_text='Optional split of the non-members by the campaign\'s categories, e.g. {"religious": 6}.',
    )


class EventUpdateSerializer(StrictSerializer):
    """An event's fields but its campaign (fixed once created). Sites replace the event's sites; the
    members listed at a unit that keeps its bridge point stay listed."""

    organiser = _unit_field("Id of the organising unit (in the caller's subtree).")
    held_on = serializers.DateField()
    format = event_format()
    title = _text(max_length=500)
    code = _text(max_length=64, required=False, help_text="Optional; unique within the campaign.")
    is_make_up = serializers.BooleanField(default=False)
    audience = event_audience(default=Event.Audience.GENERAL, help_text="Who the event is held for.")
    partners = event_partners(default=list, help_text="Partner organisations the event is held with, "
                                                      "each once.")
    presenters = serializers.ManyRelatedField(
        child_relation=ScopedPrimaryKeyRelatedField(queryset=Presenter.objects.all(), scope=_presenters_of),
        default=list,  # type: ignore[arg-type]
        help_text="Ids of presenters of the caller's subtree or of the units above it.",
    )
    sites = SiteWriteSerializer(many=True, allow_empty=True)


class EventWriteSerializer(EventUpdateSerializer):
    campaign = _campaign_field()

    class Meta:
        fields = [
            "campaign",
            "organiser",
            "held_on",
            "format",
            "title",
            "code",
            "is_make_up",
            "audience",
            "partners",
            "presenters",
            "sites",
        ]


class AttendeeSerializer(serializers.ModelSerializer):
    """A member listed by name at a bridge point."""

    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "code", "full_name", "unit", "unit_code"]
        read_only_fields = fields


class AttendeesWriteSerializer(StrictSerializer):
    """The members attending at the bridge point, by id or by member code (or both); they replace the
    members listed there before. Validated data: `attendees`, the members found."""

    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
        max_length=CODE_LIST_MAX,
        help_text="Ids of members of the caller's subtree.",
    )
    member_codes = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=CODE_LIST_MAX,
        help_text="Member codes of members of the caller's subtree.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "members" not in attrs and "member_codes" not in attrs:
            raise serializers.ValidationError({"members": [_(
                "Give the attending members by id (members) or by code (member_codes); an empty list "
                "removes every member listed."
            )]})
        actor = request_actor(self.context.get("request"))
        ids, codes = attrs.get("members", []), attrs.get("member_codes", [])
        found = {
            member.pk: member
            for member in _members_of(actor).filter(Q(pk__in=ids) | Q(code__in=codes)).order_by("pk")
        }
        by_code = {member.code: member for member in found.values()}
        missing_ids = [pk for pk in ids if pk not in found]
        missing_codes = [code for code in codes if code not in by_code]
        # A member of another subtree is a 404, as if the caller had typed that member's address.
        if Member.objects.filter(Q(pk__in=missing_ids) | Q(code__in=missing_codes)).exists():
            raise NotInScope
        errors: dict[str, list[str]] = {}
        if missing_ids:
            errors["members"] = [_("No party member has the id %(ids)s.") % {
                "ids": ", ".join(str(pk) for pk in missing_ids)}]
        if missing_codes:
            errors["member_codes"] = [_("No party member has the code %(codes)s.") % {
                "codes": ", ".join(missing_codes)}]
        if errors:
            raise serializers.ValidationError(errors)
        chosen = [found[pk] for pk in ids] + [by_code[code] for code in codes]
        return {"attendees": tuple(dict.fromkeys(chosen))}


class PresenterSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Presenter
        fields = ["id", "code", "full_name", "title", "unit", "unit_code"]
        read_only_fields = fields


class PresenterWriteSerializer(StrictSerializer):
    unit = _unit_field("Id of the presenter's unit (in the caller's subtree).")
    code = _text(max_length=32, help_text="Unique among all presenters.")
    full_name = _text(max_length=255)
    title = _text(max_length=255, required=False, help_text="Position, e.g. head of the commission.")


# --- aggregate returns ------------------------------------------------------------------------------------


class MemberReturnSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = MemberReturn
        fields = [
            "id",
            "campaign",
            "unit",
            "unit_code",
            "as_of",
            "members_total",
            "exempt",
            "away",
            "studied",
        ]
        read_only_fields = fields


class MemberReturnWriteSerializer(StrictSerializer):
    """A unit's member counts on a date; a second return of the same campaign, unit and date replaces it."""

    campaign = _campaign_field()
    unit = _unit_field("Id of a unit without sub-units that reports counts.")
    as_of = serializers.DateField()
    members_total = _count()
    exempt = _count()
    away = _count()
    studied = _count(help_text="Members who studied among those the campaign expects to study.")


class NonMemberReturnSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = NonMemberReturn
        fields = ["id", "campaign", "unit", "unit_code", "as_of", "expected", "studied"]
        read_only_fields = fields


class NonMemberReturnWriteSerializer(StrictSerializer):
    """Non-members a unit expected to study and who studied; replaces a return of the same day."""

    campaign = _campaign_field()
    unit = _unit_field()
    as_of = serializers.DateField()
    expected = _count()
    studied = _count()


class PartialReturnSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    who = enum_field(PartialReturn.Who.choices, "PartialReturnWhoEnum", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="studied, studied_above or rate_above.")

    class Meta:
        model = PartialReturn
        fields = ["id", "campaign", "unit", "unit_code", "as_of", "who", "category", "kind", "studied",
                  "studied_above", "rate_above"]
        read_only_fields = fields


class PartialReturnWriteSerializer(StrictSerializer):
    """What a unit knows of its study and no more, on a date: exactly one of `studied` (the number who
    studied, the number expected unknown), `studied_above` ("more than 60 people") or `rate_above`
    ("more than 95%"). Never counted into a rate; replaces a return of the same day and people."""

    campaign = _campaign_field()
    unit = _unit_field()
    as_of = serializers.DateField()
    who = enum_field(PartialReturn.Who.choices, "PartialReturnWhoEnum")
    category = serializers.CharField(max_length=24, required=False, default="", allow_blank=True,
                                     help_text="For non-members: one category of the campaign, or empty.")
    studied = serializers.IntegerField(max_value=MAX_COUNT, min_value=-MAX_COUNT, required=False,
                                       allow_null=True, default=None)
    studied_above = serializers.IntegerField(max_value=MAX_COUNT, min_value=-MAX_COUNT, required=False,
                                             allow_null=True, default=None)
    rate_above = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True,
                                          default=None, help_text="A lower bound of the rate, in percent.")


# --- outreach ---------------------------------------------------------------------------------------------


class OutreachSerializer(serializers.ModelSerializer):
    channel = outreach_channel(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Outreach
        fields = ["id", "campaign", "unit", "unit_code", "held_on", "channel", "sessions", "reach", "note"]
        read_only_fields = fields


class OutreachUpdateSerializer(StrictSerializer):
    """Outreach fields but the campaign (fixed once recorded). `reach` null: not known."""

    unit = _unit_field()
    held_on = serializers.DateField()
    channel = outreach_channel()
    sessions = _count()
    reach = serializers.IntegerField(
        max_value=MAX_COUNT,
        min_value=-MAX_COUNT,
        allow_null=True,
        default=None,
        help_text="Person-times reached; null when not known.",
    )
    note = _text(required=False)


class OutreachWriteSerializer(OutreachUpdateSerializer):
    campaign = _campaign_field()


# --- materials --------------------------------------------------------------------------------------------


class MaterialTransferSerializer(serializers.ModelSerializer):
    item = material_item(read_only=True)
    sender_code = serializers.CharField(source="sender.code", read_only=True)
    recipient_code = serializers.CharField(source="recipient.code", read_only=True)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = MaterialTransfer
        fields = [
            "id",
            "campaign",
            "sender",
            "sender_code",
            "recipient",
            "recipient_code",
            "item",
            "quantity",
            "sent_on",
            "note",
            "link",
            "has_file",
        ]
        read_only_fields = fields

    def get_has_file(self, transfer: MaterialTransfer) -> bool:
        return bool(transfer.attachment)


class MaterialTransferWriteSerializer(StrictSerializer):
    """Materials passed from a unit to a unit of its subtree (to itself: its own supply). Files are
    uploaded in the pages; here a digital item carries a link or a note."""

    campaign = _campaign_field()
    sender = _unit_field("Id of the unit passing the materials (in the caller's subtree).")
    recipient = _unit_field("Id of the receiving unit: the sender or a unit below it.")
    item = material_item()
    quantity = _count()
    sent_on = serializers.DateField()
    note = _text(required=False)
    link = serializers.URLField(max_length=500, allow_blank=True, default="")


# --- pledges ----------------------------------------------------------------------------------------------


class PledgeSerializer(serializers.ModelSerializer):
    rating = pledge_rating(read_only=True)
    member_code = serializers.CharField(source="member.code", read_only=True)
    member_name = serializers.CharField(source="member.full_name", read_only=True)
    unit = serializers.IntegerField(source="member.unit_id", read_only=True, help_text="The member's unit.")

    class Meta:
        model = Pledge
        fields = [
            "id",
            "campaign",
            "member",
            "member_code",
            "member_name",
            "unit",
            "registered_on",
            "text",
            "rating",
            "rated_on",
            "rating_note",
        ]
        read_only_fields = fields


class PledgeUpdateSerializer(StrictSerializer):
    registered_on = serializers.DateField()
    text = _text(help_text="What the member pledges to do.")


class PledgeWriteSerializer(PledgeUpdateSerializer):
    campaign = _campaign_field()
    member = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.all(), scope=_members_of, help_text="Id of a member of the caller's subtree."
    )


class CellRatingRowSerializer(StrictSerializer):
    member = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.all(), scope=_members_of, help_text="Id of a member of the cell."
    )
    rating = pledge_rating(help_text="Empty clears the member's rating.")
    note = _text(required=False)


class CellRatingsWriteSerializer(StrictSerializer):
    """The year-end rating of a cell's pledges: every row is saved, or none if one is wrong."""

    campaign = _campaign_field()
    rated_on = serializers.DateField()
    ratings: Any = serializers.ListSerializer(child=CellRatingRowSerializer(), allow_empty=False,
                                         max_length=CODE_LIST_MAX)


class CellRatingsResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="How many pledges changed.")


class PledgeReturnSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = PledgeReturn
        fields = [
            "id",
            "campaign",
            "unit",
            "unit_code",
            "as_of",
            "registered",
            "excellent",
            "good",
            "not_met",
        ]
        read_only_fields = fields


class PledgeReturnWriteSerializer(StrictSerializer):
    """Pledge counts of a unit reporting counts; replaces a return of the same campaign, unit and day."""

    campaign = _campaign_field()
    unit = _unit_field("Id of a unit without sub-units that reports counts.")
    as_of = serializers.DateField()
    registered = _count()
    excellent = _count(default=0)
    good = _count(default=0)
    not_met = _count(default=0)


# --- supervision ------------------------------------------------------------------------------------------


class VisitSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    supervisor_name = serializers.CharField(source="supervisor.full_name", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "campaign",
            "unit",
            "unit_code",
            "supervisor",
            "supervisor_name",
            "visited_on",
            "findings",
            "follow_up",
            "closed_on",
        ]
        read_only_fields = fields


class VisitUpdateSerializer(StrictSerializer):
    visited_on = serializers.DateField()
    findings = _text()
    follow_up = _text(required=False)
    closed_on = serializers.DateField(allow_null=True, default=None)


class VisitWriteSerializer(VisitUpdateSerializer):
    campaign = _campaign_field()
    supervisor = ScopedPrimaryKeyRelatedField(
        queryset=Supervisor.objects.all(),
        scope=_supervisors_of,
        help_text="Id of an officer whose home unit is in the caller's subtree.",
    )
    unit = _unit_field("Id of the supervised unit (below the officer's home unit).")
