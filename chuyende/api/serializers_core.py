"""Serializers of the core API: units, members, campaigns, reports and the roll-up figures.

Read serializers (`…Serializer`) shape records for answers. Write serializers (`…WriteSerializer`,
`…CreateSerializer`, …) only check types and the caller's scope of ids; the viewsets hand their
`validated_data` to the services as keyword arguments and never save them.
"""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chuyende.accounts.models import User
from chuyende.api.base import ScopedPrimaryKeyRelatedField, StrictSerializer, enum_field, units_in_scope
from chuyende.campaigns.models import Campaign, GuidingDocument, NonPartyCategory
from chuyende.campaigns.selectors import campaigns_for
from chuyende.figures.snapshot import to_json
from chuyende.members.models import EXCLUDABLE_STATUSES, Member, MemberStatus, MemberStatusChoices
from chuyende.organisation.models import Unit
from chuyende.reports.drafting import OPTIONAL_PARAGRAPHS
from chuyende.reports.figures import frozen_figures_of
from chuyende.reports.models import Report
from chuyende.reports.selectors import is_late

# Dates outside these bounds are refused with a message naming the field, before any service runs
# (a year 1 or 9999 would only overflow the date arithmetic of the roll-up).
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


class BoundedDateField(serializers.DateField):
    """An ISO date (`YYYY-MM-DD`) between 1900 and 2100."""

    default_error_messages = {
        "out_of_range": _("Enter a date between 01/01/1900 and 31/12/2100."),
    }

    def to_internal_value(self, value: Any) -> datetime.date:
        day = super().to_internal_value(value)
        if not EARLIEST <= day <= LATEST:
            self.fail("out_of_range")
        return day


def unit_field(**kwargs: Any) -> ScopedPrimaryKeyRelatedField:
    """The id of a unit of the caller's subtree (another subtree: 404)."""
    return ScopedPrimaryKeyRelatedField(queryset=Unit.objects.all(), scope=units_in_scope, **kwargs)


def _campaigns_of(actor: User | None) -> QuerySet[Campaign]:
    return Campaign.objects.none() if actor is None else campaigns_for(actor=actor)


def campaign_field(**kwargs: Any) -> ScopedPrimaryKeyRelatedField:
    """The id of a campaign the caller may see (its unit's, an ancestor's or a sub-unit's; else 404)."""
    return ScopedPrimaryKeyRelatedField(queryset=Campaign.objects.all(), scope=_campaigns_of, **kwargs)


EXCLUDABLE = [(status.value, status.label) for status in EXCLUDABLE_STATUSES]


# --- units -----------------------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer[Unit]):
    kind = enum_field(Unit.Kind.choices, "UnitKindEnum", read_only=True)
    sector = enum_field(Unit.Sector.choices, "UnitSectorEnum", read_only=True)
    tracking = enum_field(Unit.Tracking.choices, "UnitTrackingEnum", read_only=True)

    class Meta:
        model = Unit
        fields = ("id", "code", "name", "kind", "sector", "tracking", "parent", "depth", "opened_on",
                  "closed_on")
        read_only_fields = fields


class AsOfQuerySerializer(StrictSerializer):
    as_of = BoundedDateField(help_text="The day whose tree is wanted.")
    page = serializers.IntegerField(required=False, min_value=1)


class UnitPeriodFigures(serializers.Serializer):  # type: ignore[type-arg]
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    name = serializers.CharField()
    kind = serializers.CharField()
    sector = serializers.CharField()
    tracking = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True, help_text="Id of the parent unit in the period.")
    decision = serializers.CharField(help_text="The decision that began the period, or empty.")


class UnitSucession(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    how = serializers.CharField()
    on = serializers.DateField()


class UnitHistorySerializer(serializers.Serializer):  # type: ignore[type-arg]
    periods = UnitPeriodFigures(many=True)
    predecessors = UnitSucession(many=True)
    successors = UnitSucession(many=True)


class UnitWriteSerializer(StrictSerializer):
    """A unit's fields. On update (PATCH) the fields left out keep their values; the top unit of the
    caller's scope keeps its parent."""

    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=255)
    kind = enum_field(Unit.Kind.choices, "UnitKindEnum")
    sector = enum_field(Unit.Sector.choices, "UnitSectorEnum", default=Unit.Sector.OTHER)
    tracking = enum_field(Unit.Tracking.choices, "UnitTrackingEnum", default=Unit.Tracking.AGGREGATE)
    parent = unit_field(help_text="Id of the parent unit, in the caller's subtree.")  # type: ignore[assignment]
    opened_on = BoundedDateField(required=False, allow_null=True, default=None)
    closed_on = BoundedDateField(required=False, allow_null=True, default=None)


# --- members ---------------------------------------------------------------------------------------------


class MemberStatusSerializer(serializers.ModelSerializer[MemberStatus]):
    status = enum_field(MemberStatusChoices.choices, "MemberStatusEnum", read_only=True)

    class Meta:
        model = MemberStatus
        fields = ("status", "valid_from", "valid_to")
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer[Member]):
    sex = enum_field(Member.Sex.choices, "SexEnum", read_only=True)
    membership = enum_field(Member.Membership.choices, "MembershipEnum", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    status = serializers.SerializerMethodField(help_text="The member's status on `as_of` (default today).")
    statuses = MemberStatusSerializer(many=True, read_only=True)

    class Meta:
        model = Member
        fields = (
            "id",
            "code",
            "full_name",
            "sex",
            "birth_year",
            "membership",
            "unit",
            "unit_code",
            "status",
            "statuses",
        )
        read_only_fields = fields

    @extend_schema_field(enum_field(MemberStatusChoices.choices, "MemberStatusEnum", allow_null=True))
    def get_status(self, member: Member) -> str | None:
        return getattr(member, "status_now", None)


class MemberWriteSerializer(StrictSerializer):
    unit = unit_field(help_text="Id of a unit of the caller's subtree that keeps its members one by one.")
    code = serializers.CharField(max_length=64)
    full_name = serializers.CharField(max_length=255)
    sex = enum_field(Member.Sex.choices, "SexEnum")
    birth_year = serializers.IntegerField(min_value=1900, max_value=2100)
    membership = enum_field(Member.Membership.choices, "MembershipEnum")


class MemberCreateSerializer(MemberWriteSerializer):
    status = enum_field(MemberStatusChoices.choices, "MemberStatusEnum", default=MemberStatusChoices.ACTIVE)
    status_since = BoundedDateField(required=False, allow_null=True, default=None)


class MemberStatusChangeSerializer(StrictSerializer):
    status = enum_field(MemberStatusChoices.choices, "MemberStatusEnum")
    since = BoundedDateField()


# --- campaigns -------------------------------------------------------------------------------------------


class GuidingDocumentSerializer(serializers.ModelSerializer[GuidingDocument]):
    class Meta:
        model = GuidingDocument
        fields = ("id", "number", "issued_on", "issuer", "title")
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    kind = enum_field(Campaign.Kind.choices, "CampaignKindEnum", read_only=True)
    owner_code = serializers.CharField(source="owner.code", read_only=True)
    excluded_statuses = serializers.ListField(child=enum_field(EXCLUDABLE, "ExcludableStatusEnum"))
    non_party_categories = serializers.ListField(
        child=enum_field(NonPartyCategory.choices, "NonPartyCategoryEnum")
    )
    guiding_documents = GuidingDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = (
            "id",
            "code",
            "kind",
            "year",
            "title",
            "owner",
            "owner_code",
            "starts",
            "ends",
            "study_deadline",
            "report_deadline",
            "target_rate",
            "excluded_statuses",
            "rate_precision",
            "non_party_categories",
            "guiding_documents",
        )
        read_only_fields = fields


class GuidingDocumentWriteSerializer(StrictSerializer):
    number = serializers.CharField(max_length=64)
    issued_on = BoundedDateField()
    issuer = serializers.CharField(max_length=255)
    title = serializers.CharField()


class CampaignCreateSerializer(StrictSerializer):
    owner = unit_field(
        required=False,
        help_text="Id of the owning unit in the caller's subtree (default: the caller's unit).",
    )
    code = serializers.CharField(max_length=32)
    kind = enum_field(Campaign.Kind.choices, "CampaignKindEnum")
    year = serializers.IntegerField(min_value=1900, max_value=2100)
    title = serializers.CharField()
    starts = BoundedDateField()
    ends = BoundedDateField(required=False, allow_null=True, default=None, help_text="Default: 31 December.")
    study_deadline = BoundedDateField()
    report_deadline = BoundedDateField()
    target_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    excluded_statuses = serializers.ListField(
        child=enum_field(EXCLUDABLE, "ExcludableStatusEnum"), default=list
    )
    rate_precision = serializers.IntegerField(min_value=1, max_value=2, default=2)
    non_party_categories = serializers.ListField(
        child=enum_field(NonPartyCategory.choices, "NonPartyCategoryEnum"), default=list
    )
    guiding_documents = GuidingDocumentWriteSerializer(many=True, default=list)


class GuidingDocumentUpdateSerializer(GuidingDocumentWriteSerializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text="Id of a document of this campaign to change; leave out to add a document.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH makes nested fields optional; a listed document still needs all of them.
        missing = [name for name in ("number", "issued_on", "issuer", "title") if name not in attrs]
        if missing:
            raise serializers.ValidationError({name: [_("This field is required.")] for name in missing})
        return attrs


class CampaignUpdateSerializer(StrictSerializer):
    """The correctable fields of a campaign; its code, kind, year and owner stay as created."""

    title = serializers.CharField()
    starts = BoundedDateField()
    ends = BoundedDateField(required=False, allow_null=True, default=None, help_text="Default: 31 December.")
    study_deadline = BoundedDateField()
    report_deadline = BoundedDateField()
    target_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    excluded_statuses = serializers.ListField(child=enum_field(EXCLUDABLE, "ExcludableStatusEnum"))
    rate_precision = serializers.IntegerField(min_value=1, max_value=2)
    non_party_categories = serializers.ListField(
        child=enum_field(NonPartyCategory.choices, "NonPartyCategoryEnum")
    )
    guiding_documents = GuidingDocumentUpdateSerializer(
        many=True,
        help_text="The campaign's documents after the change: listed ids are kept (and changed), "
        "documents left out are removed, rows without an id are added.",
    )
    confirm_after_submission = serializers.BooleanField(
        required=False, default=False,
        help_text="Needed to change dates, target, exclusions or precision once a report of the campaign "
        "was sent (submitted or accepted); its frozen figures never change.",
    )


# --- roll-up figures -------------------------------------------------------------------------------------


class FiguresQuerySerializer(StrictSerializer):
    unit = unit_field(
        required=False, help_text="Id of a unit of the caller's subtree (default: the caller's)."
    )
    campaign = campaign_field(help_text="Id of a campaign the caller may see.")
    as_of = BoundedDateField(required=False, help_text="Figures as of this day (default: today).")


class ComparisonQuerySerializer(StrictSerializer):
    unit = unit_field(
        required=False, help_text="Id of a unit of the caller's subtree (default: the caller's)."
    )
    earlier = campaign_field(help_text="Id of the earlier campaign.")
    earlier_as_of = BoundedDateField(help_text="The earlier campaign's figures as of this day.")
    later = campaign_field(help_text="Id of the later campaign.")
    later_as_of = BoundedDateField(help_text="The later campaign's figures as of this day.")


class _Figures(serializers.Serializer):  # type: ignore[type-arg]
    """Documentation of the figures dict: never used to build it (that is `reports.figures.live_figures`)."""


def rate_field() -> serializers.CharField:
    return serializers.CharField(
        allow_null=True, help_text="Rate in %, a decimal string (null: no denominator)."
    )


class PartyMembersFigures(_Figures):
    total = serializers.IntegerField()
    exempt = serializers.IntegerField()
    away = serializers.IntegerField()
    eligible = serializers.IntegerField(help_text="Members expected to study (the denominator).")
    studied = serializers.IntegerField(help_text="Distinct expected members who studied.")
    rate = rate_field()
    excluded_who_studied = serializers.IntegerField()
    excluded_statuses = serializers.ListField(child=serializers.CharField())


class NonPartyFigures(_Figures):
    eligible = serializers.IntegerField()
    studied = serializers.IntegerField()
    rate = rate_field()


class ChannelFigures(_Figures):
    sessions = serializers.IntegerField()
    reach = serializers.IntegerField()
    sessions_without_reach = serializers.IntegerField()


class OutreachFigures(ChannelFigures):
    by_channel = serializers.DictField(child=ChannelFigures())


class PledgeFigures(_Figures):
    registered = serializers.IntegerField()
    eligible = serializers.IntegerField()
    rate = rate_field()
    ratings = serializers.DictField(child=serializers.IntegerField())


class HoldingFigures(_Figures):
    received = serializers.IntegerField()
    own_supply = serializers.IntegerField()
    passed_down = serializers.IntegerField()
    held = serializers.IntegerField()


class ShareFigures(_Figures):
    count = serializers.IntegerField()
    total = serializers.IntegerField()
    rate = rate_field()


class ChildFiguresSerializer(_Figures):
    code = serializers.CharField()
    name = serializers.CharField()
    members_total = serializers.IntegerField()
    exempt = serializers.IntegerField()
    away = serializers.IntegerField()
    eligible = serializers.IntegerField()
    studied = serializers.IntegerField()
    rate = rate_field()
    excluded_who_studied = serializers.IntegerField()
    non_members_expected = serializers.IntegerField()
    non_members_studied = serializers.IntegerField()
    events_organised = serializers.IntegerField()
    events_held = serializers.IntegerField()
    attendance_person_times = serializers.IntegerField()
    reached_target = serializers.BooleanField(allow_null=True)
    has_data = serializers.BooleanField()
    pledges_registered = serializers.IntegerField()
    outreach_sessions = serializers.IntegerField()
    outreach_reach = serializers.IntegerField()


class UnitSubmission(_Figures):
    code = serializers.CharField()
    name = serializers.CharField()
    on = serializers.DateField()


class UnitNamed(_Figures):
    code = serializers.CharField()
    name = serializers.CharField()


class CompletenessFigures(_Figures):
    deadline = serializers.DateField()
    expected = serializers.ListField(child=serializers.CharField())
    on_time = UnitSubmission(many=True)
    late = UnitSubmission(many=True)
    missing = UnitNamed(many=True)


class AttendedEventFigures(_Figures):
    """An event organised above the unit with bridge points in its subtree."""

    code = serializers.CharField()
    title = serializers.CharField()
    held_on = serializers.DateField()
    format = serializers.CharField()
    organiser = serializers.CharField()
    organiser_depth = serializers.IntegerField()
    sites = serializers.IntegerField()
    member_person_times = serializers.IntegerField()
    non_member_person_times = serializers.IntegerField()
    attendance_person_times = serializers.IntegerField()


class LevelPartFigures(_Figures):
    """The events of one format counted at a level, organised above it or not."""

    code = serializers.CharField(help_text="The format, with `-above` when organised above the level.")
    format = serializers.CharField()
    from_above = serializers.BooleanField(
        help_text="Organised above the level, followed at its bridge points.")
    events = serializers.IntegerField()
    member_person_times = serializers.IntegerField()
    non_member_person_times = serializers.IntegerField()
    attendance_person_times = serializers.IntegerField()


class LevelEventFigures(_Figures):
    """The events held at one level of the subtree: each event once at every level hosting its
    bridge points, with their person-times (at its organiser's level when it has none)."""

    events = serializers.IntegerField()
    by_format = serializers.DictField(child=serializers.IntegerField())
    member_person_times = serializers.IntegerField()
    non_member_person_times = serializers.IntegerField()
    attendance_person_times = serializers.IntegerField()
    parts = LevelPartFigures(
        many=True, required=False, help_text="By format and origin; they add up to the level.")


class SiteLevelFigures(_Figures):
    code = serializers.CharField(help_text="The depth, as text.")
    depth = serializers.IntegerField()
    level = serializers.CharField(help_text="The level's name on the date.")
    centre = serializers.BooleanField(help_text="The bridge points at the report's unit itself.")
    sites = serializers.IntegerField()
    attendance_person_times = serializers.IntegerField()


class ConferenceFigures(_Figures):
    """A conference organised at or above the unit, with its bridge points in the subtree by level."""

    code = serializers.CharField()
    title = serializers.CharField()
    held_on = serializers.DateField()
    format = serializers.CharField()
    organiser = serializers.CharField()
    organiser_depth = serializers.IntegerField()
    organiser_level = serializers.CharField(help_text="The name of the organiser's level on the date.")
    organised_above = serializers.BooleanField(help_text="Organised above the report's unit.")
    sites = serializers.IntegerField()
    attendance_person_times = serializers.IntegerField()
    sites_by_level = SiteLevelFigures(many=True)


class EventsByKindFigures(_Figures):
    conferences = serializers.IntegerField()
    cell_meetings = serializers.IntegerField()
    self_study = serializers.IntegerField()
    other = serializers.IntegerField()


class GuidingDocumentFigures(_Figures):
    number = serializers.CharField()
    issued_on = serializers.DateField()
    issuer = serializers.CharField()
    title = serializers.CharField()


class ComparisonFigures(_Figures):
    """Coverage of the campaign of the same kind and owner a year before, on the unit's subtree."""

    year = serializers.IntegerField()
    earlier_eligible = serializers.IntegerField()
    earlier_studied = serializers.IntegerField()
    earlier_rate = rate_field()
    change = serializers.ChoiceField(choices=["rose", "fell", "same"])
    points = serializers.CharField(help_text="Percentage points of the change, a decimal string.")


class SupervisionFigures(_Figures):
    assigned = serializers.ListField(child=serializers.CharField())
    never_visited = serializers.ListField(child=serializers.CharField())
    visits = serializers.IntegerField()
    open_follow_ups = serializers.IntegerField()


class GroupFigures(_Figures):
    events = serializers.IntegerField()
    attendance_person_times = serializers.IntegerField(help_text="Counted at bridge points in the subtree.")


class PartnerFigures(GroupFigures):
    by_audience = serializers.DictField(child=serializers.IntegerField(), help_text="Events by audience.")


class KeyCadreFigures(_Figures):
    attendance_person_times = serializers.IntegerField(help_text="The sum of `by_level`.")
    by_level = serializers.DictField(child=serializers.IntegerField(),
                                     help_text="province, district, commune (levels without any left out).")


class KnownOnlyFigures(_Figures):
    """A return that knows only part, as stated: never counted into a rate or a denominator."""

    code = serializers.CharField(help_text="unit code/who[/category]")
    unit = serializers.CharField(help_text="Code of the unit.")
    name = serializers.CharField()
    who = serializers.CharField(help_text="members or non_members.")
    category = serializers.CharField(help_text="A non-member category, or empty.")
    kind = serializers.CharField(help_text="studied, studied_above or rate_above: which value is given.")
    as_of = serializers.DateField()
    studied = serializers.IntegerField(allow_null=True, help_text="Who studied (number expected unknown).")
    studied_above = serializers.IntegerField(allow_null=True, help_text="More than this many studied.")
    rate_above = serializers.CharField(allow_null=True, help_text="More than this rate in %, as a decimal.")


class FiguresSerializer(_Figures):
    """Every figure of a unit's subtree for a campaign as of a date (`reports.figures.live_figures`)."""

    as_of = serializers.DateField()
    unit = serializers.CharField(help_text="Code of the unit.")
    party_members = PartyMembersFigures()
    non_party = NonPartyFigures()
    events_organised = serializers.IntegerField()
    events_by_format = serializers.DictField(child=serializers.IntegerField())
    events_held = serializers.IntegerField()
    attendance_person_times = serializers.IntegerField()
    party_member_person_times = serializers.IntegerField()
    non_member_person_times = serializers.IntegerField()
    people_studied = serializers.IntegerField(
        help_text="Distinct people who studied: party members studied and non-members studied.")
    events_by_kind = EventsByKindFigures()
    unit_depth = serializers.IntegerField()
    outreach = OutreachFigures()
    pledges = PledgeFigures()
    materials = serializers.DictField(child=HoldingFigures())
    units_organised_study = ShareFigures()
    units_reached_target = ShareFigures()
    units_without_data = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the leaves without figures, listed up to 200.")
    units_without_data_count = serializers.IntegerField()
    target_rate = serializers.CharField()
    children = ChildFiguresSerializer(many=True)
    completeness = CompletenessFigures()
    events_attended = AttendedEventFigures(many=True)
    events_by_level = serializers.DictField(
        child=LevelEventFigures(), help_text="By depth in the tree (1: the top unit) of the units hosting "
        "the bridge points."
    )
    conferences = ConferenceFigures(many=True)
    guiding_documents = GuidingDocumentFigures(many=True)
    level_names = serializers.DictField(child=serializers.CharField())
    events_by_sector = serializers.DictField(
        child=GroupFigures(), help_text="Events organised in the subtree by the organiser's sector.")
    events_by_audience = serializers.DictField(
        child=GroupFigures(), help_text="Events held in the subtree by audience.")
    key_cadres = KeyCadreFigures()
    events_with_partners = serializers.DictField(
        child=PartnerFigures(), help_text="Events organised in the subtree with a partner organisation.")
    known_only = serializers.ListField(child=KnownOnlyFigures(), help_text=(
        "Returns that know only part (a count without the number expected, or a bound), as stated."))
    supervision = SupervisionFigures()
    comparison = ComparisonFigures(
        allow_null=True, help_text="Null when last year's campaign does not compare.")


# --- reports ---------------------------------------------------------------------------------------------

REPORT_TEXT_FIELDS = (
    "term",
    "number",
    "symbol",
    "place",
    "issued_on",
    "superior_body",
    "issuing_body",
    "summary",
    "leadership",
    "results_note",
    "strengths",
    "shortcomings",
    "tasks",
    "recipients",
    "signature_title",
    "signer_name",
)


class ReportSerializer(serializers.ModelSerializer[Report]):
    status = enum_field(Report.Status.choices, "ReportStatusEnum", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    number_and_symbol = serializers.CharField(read_only=True)
    is_late = serializers.SerializerMethodField(
        help_text="Whether the first submission came after the campaign's report deadline (null: not sent)."
    )
    figures = serializers.SerializerMethodField(
        help_text="The figures frozen when the report was submitted (null while never submitted); the same "
        "shape as /api/v1/figures/."
    )
    frozen_on = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = (
            "id",
            "campaign",
            "unit",
            "unit_code",
            "as_of",
            "doc_type",
            *REPORT_TEXT_FIELDS,
            "omitted_paragraphs",
            "number_and_symbol",
            "status",
            "version",
            "first_submitted_on",
            "submitted_on",
            "reviewed_on",
            "review_comment",
            "is_late",
            "frozen_on",
            "figures",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_late(self, report: Report) -> bool | None:
        return is_late(report)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_frozen_on(self, report: Report) -> str | None:
        return (report.snapshot or {}).get("frozen_on")

    @extend_schema_field(FiguresSerializer(allow_null=True))
    def get_figures(self, report: Report) -> dict[str, Any] | None:
        frozen = frozen_figures_of(report)
        return None if frozen is None else to_json(frozen)


class SectionIIParagraphSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(help_text="The paragraph, in Vietnamese, numbers formatted as printed.")
    heading = serializers.BooleanField(
        help_text="True for the section's heading and its numbered parts (printed in bold)."
    )


class SectionIISerializer(serializers.Serializer[Any]):
    """Section II of a report as the .docx prints it: drafted from the report's figures (frozen once it
    was submitted, live while it is a draft or returned)."""

    report = serializers.IntegerField(help_text="Id of the report.")
    figures_frozen = serializers.BooleanField(
        help_text="True when the text comes from the figures frozen at submission."
    )
    paragraphs = SectionIIParagraphSerializer(many=True)
    text = serializers.CharField(help_text="The paragraphs as plain text, one a line.")


class ReportTextSerializer(StrictSerializer):
    """The sections and header a user writes; every field optional."""

    term = serializers.CharField(max_length=20, required=False)
    number = serializers.IntegerField(min_value=1, max_value=2_000_000_000, required=False)
    symbol = serializers.CharField(max_length=40, required=False)
    place = serializers.CharField(max_length=100, required=False)
    issued_on = BoundedDateField(required=False)
    superior_body = serializers.CharField(max_length=200, required=False)
    issuing_body = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=500, required=False)
    leadership = serializers.CharField(required=False, allow_blank=True)
    results_note = serializers.CharField(required=False, allow_blank=True)
    strengths = serializers.CharField(required=False, allow_blank=True)
    shortcomings = serializers.CharField(required=False, allow_blank=True)
    tasks = serializers.CharField(required=False, allow_blank=True)
    recipients = serializers.CharField(required=False, allow_blank=True)
    signature_title = serializers.CharField(max_length=200, required=False)
    signer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    omitted_paragraphs = serializers.ListField(
        child=serializers.ChoiceField(choices=list(OPTIONAL_PARAGRAPHS)), required=False,
        max_length=len(OPTIONAL_PARAGRAPHS),
        help_text="Optional paragraphs of section II left out of the report (empty: all those with figures).",
    )


class ReportCreateSerializer(ReportTextSerializer):
    campaign = campaign_field()
    unit = unit_field()
    as_of = BoundedDateField()


class ReportUpdateSerializer(ReportTextSerializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=2_000_000_000,
        required=False,
        help_text="The `version` read with the report: if someone saved the report since, nothing is saved "
        "(409). Left out: no check.",
    )
    as_of = BoundedDateField(required=False)


class ReportReturnSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=5000, help_text="What must be corrected.")


class EmptySerializer(StrictSerializer):
    """No body (or `{}`)."""


class CoverageFigures(_Figures):
    campaign = serializers.CharField(help_text="Campaign code.")
    as_of = serializers.DateField()
    eligible = serializers.IntegerField(help_text="Party members expected to study.")
    studied = serializers.IntegerField()
    rate = rate_field()


class ComparisonRow(_Figures):
    code = serializers.CharField(help_text="Code of the unit of the later date.")
    name = serializers.CharField(help_text="Its name on the later date.")
    earlier = CoverageFigures(help_text="The earlier campaign's figures of the units it continues, summed.")
    later = CoverageFigures()
    difference = serializers.CharField(allow_null=True, help_text="Percentage points, later minus earlier.")
    compared_with = UnitNamed(many=True, help_text="Units of the earlier date whose figures are summed.")
    split = UnitNamed(many=True, help_text="Of those, units split among several successors (shown whole).")


class ComparisonSerializer(_Figures):
    unit = ComparisonRow()
    children = ComparisonRow(many=True, help_text="The units under it on the later date.")
    sentence = serializers.CharField(help_text="The sentence a report can use, in Vietnamese.")
