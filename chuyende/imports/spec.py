"""The layout of every import template: one sheet per kind of data, its columns and instructions.

These are file formats. The sheet titles and column headers are Vietnamese text written into the
templates and matched when a file comes back, so they are never translated at run time; a header
is matched ignoring case, diacritics and spacing (`normalise_header`). Choice columns list
`(value, label)` pairs: the template offers the Vietnamese labels and an import accepts either the
label or the stored value. Help texts and instructions are shown to people, so they are messages
(English msgids, Vietnamese through gettext).

Each column's `key` is also the name of the service argument it feeds, so a ValidationError a
service raises on a field is shown on that column (`Sheet.column_of_field`, with `fields` listing
other service field names that belong to the same column).
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuyende.campaigns.models import NonPartyCategory
from chuyende.events.models import Event
from chuyende.materials.models import MaterialTransfer
from chuyende.members.models import Member, MemberStatusChoices
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach
from chuyende.pledges.models import Rating

ColumnKind = Literal["text", "int", "decimal", "date", "choice", "code"]
# How a spreadsheet answers a unit code typed outside the drop-down of the user's units: "stop"
# refuses it (the import would refuse it too); "warning" lets it stay after a question.
UnitListStyle = Literal["stop", "warning"]
Label = str | Promise
Choices = tuple[tuple[str, Label], ...]

YES, NO = "yes", "no"
YES_NO: Choices = ((YES, _("Yes")), (NO, _("No")))

# Sheets of a workbook that never hold data to import.
INSTRUCTIONS_TITLE = "Hướng dẫn"
LISTS_TITLE = "Danh mục"
PROBLEMS_TITLE = "Lỗi"
NON_DATA_TITLES = (INSTRUCTIONS_TITLE, LISTS_TITLE, PROBLEMS_TITLE)


def normalise_header(text: object) -> str:
    """A header folded for matching: lower case, no diacritics (đ → d), single spaces, no `*`/`:`."""
    value = "" if text is None else str(text)
    value = value.lower().replace("đ", "d").replace("*", " ").replace(":", " ")
    bare = "".join(ch for ch in unicodedata.normalize("NFD", value) if not unicodedata.combining(ch))
    return " ".join(bare.split())


@dataclass(frozen=True)
class Column:
    """One column of a template.

    key: the service argument it feeds; header: the Vietnamese header of the template;
    kind: how a cell is read (text, int, decimal, date, choice, code); required: a row without it is
    refused; choices: (value, label) pairs of a choice column; help: what to write, for the
    instructions sheet; example: a sample value; width: the template column width;
    fields: other service field names reported on this column; aliases: other accepted headers;
    unit_list: the column names a unit, so the template offers the user's unit codes as a
    drop-down, with this error style.
    """

    key: str
    header: str
    kind: ColumnKind
    required: bool = False
    choices: Choices | None = None
    help: Label = ""
    example: str = ""
    width: int = 18
    fields: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    unit_list: UnitListStyle | None = None

    def names(self) -> tuple[str, ...]:
        """Every header text this column accepts, normalised."""
        return tuple(normalise_header(name) for name in (self.header, self.key, *self.aliases))


@dataclass(frozen=True)
class Sheet:
    """A kind of data to import: the sheet title, its columns in template order and instructions."""

    kind: str
    title: str
    columns: tuple[Column, ...]
    instructions: tuple[Label, ...] = ()
    label: Label = ""
    # Columns that together identify a record (for "duplicate inside the file" problems).
    identity: tuple[str, ...] = ()
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {column.key: column for column in self.columns})

    @property
    def unit_columns(self) -> tuple[Column, ...]:
        """The columns that name a unit of the user's subtree (a drop-down of unit codes)."""
        return tuple(column for column in self.columns if column.unit_list)

    def column(self, key: str) -> Column:
        return self.by_key[key]

    def column_of_field(self, name: str) -> Column | None:
        """The column a service's field error belongs to, if any."""
        if name in self.by_key:
            return self.by_key[name]
        for column in self.columns:
            if name in column.fields:
                return column
        return None


def _choices(values: Sequence[tuple[str, Label]]) -> Choices:
    return tuple((value, label) for value, label in values)


# --- shared columns -------------------------------------------------------------------------------

def _campaign() -> Column:
    return Column(
        "campaign", "Mã đợt học tập", "code", required=True, example="CD2024", width=14,
        help=_("Code of the campaign, as shown on the campaign page. May be left empty when the "
               "campaign is chosen on the import page."),
    )


def _unit(key: str = "unit", header: str = "Mã đơn vị", help: Label = "", **extra: object) -> Column:
    return Column(
        key, header, "code", required=True, example="BN.HA.HB", width=18, unit_list="stop",
        help=help or _("Code of a unit of your organisation (see the units list)."), **extra,  # type: ignore[arg-type]
    )


def _count(key: str, header: str, help: Label, *, required: bool = True, example: str = "0",
           **extra: object) -> Column:
    return Column(key, header, "int", required=required, help=help, example=example, width=14,
                  **extra)  # type: ignore[arg-type]


def _date(key: str, header: str, help: Label, *, required: bool = True, example: str = "31/03/2024",
          **extra: object) -> Column:
    return Column(key, header, "date", required=required, help=help, example=example, width=14,
                  **extra)  # type: ignore[arg-type]


RETURN_INSTRUCTION = _(
    "One row per unit and date. A second row for the same unit and date in another import replaces "
    "the figures of the first; the latest return on or before a report date is the one counted."
)
CODES_INSTRUCTION = _(
    "Rows are matched to what is stored by their codes: a row equal to the stored record changes "
    "nothing, a row that differs updates it, a new code adds a record. Nothing is ever deleted."
)
ALL_OR_NOTHING = _(
    "The file is imported whole or not at all: if any row has a problem, nothing is written and "
    "every problem is listed with its row and column."
)
FORMATS_INSTRUCTION = _(
    "Dates as dd/mm/yyyy (a date cell of Excel is fine too). Numbers without decimals; a dot for "
    "thousands is accepted (1.234). A formula imports as the value it shows; do not merge cells. Empty rows "
    "are skipped."
)
COMMON = (ALL_OR_NOTHING, FORMATS_INSTRUCTION)


UNITS = Sheet(
    kind="units",
    title="Đơn vị",
    label=_("Units"),
    identity=("code",),
    instructions=(
        _("One row per unit of your organisation: party committees, grassroots cells and cells."),
        _("A parent unit may be a unit already stored or a unit earlier or later in the same file."),
        CODES_INSTRUCTION,
        *COMMON,
    ),
    columns=(
        Column("code", "Mã đơn vị", "code", required=True, example="BN.HA.HB.DONG", width=20,
               help=_("A code unique in the whole system; it identifies the unit in every other "
                      "template.")),
        Column("name", "Tên đơn vị", "text", required=True, example="Chi bộ thôn Đông", width=40,
               help=_("Full name as written in reports.")),
        Column("kind", "Loại đơn vị", "choice", required=True, choices=_choices(Unit.Kind.choices),
               example=str(Unit.Kind.CELL.label), width=18, help=_("Choose from the list.")),
        # "warning": the parent may be a unit added by another row of the same file.
        Column("parent", "Mã đơn vị cấp trên", "code", example="BN.HA.HB", width=20, unit_list="warning",
               help=_("Code of the unit directly above. Empty only for the top unit, which is "
                      "never created by an import.")),
        Column("tracking", "Cách theo dõi", "choice", choices=_choices(Unit.Tracking.choices),
               example=str(Unit.Tracking.AGGREGATE.label), width=20,
               help=_("Per person: the unit keeps a roster and records who attended. Aggregate "
                      "returns: the unit reports counts. Empty means aggregate returns.")),
        _date("opened_on", "Ngày thành lập", _("Leave empty if not known."), required=False,
              example="01/01/2020"),
        _date("closed_on", "Ngày giải thể", _("Only for a unit closed or merged into another."),
              required=False, example=""),
        Column("sector", "Loại hình", "choice", choices=_choices(Unit.Sector.choices),
               example=str(Unit.Sector.COMMUNE.label), width=24,
               help=_("Where the party organisation sits: reports group classes by it. Empty: "
                      "“Other” for a new unit, unchanged for a stored one.")),
    ),
)

MEMBERS = Sheet(
    kind="members",
    title="Đảng viên",
    label=_("Party members"),
    identity=("code",),
    instructions=(
        _("One row per party member of a unit that keeps its members one by one."),
        _("A change of status (for example to away for work) needs the date it starts."),
        CODES_INSTRUCTION,
        *COMMON,
    ),
    columns=(
        Column("code", "Mã đảng viên", "code", required=True, example="HB-DONG-01", width=16,
               help=_("A code unique in the whole system, for example the number of the party "
                      "card.")),
        Column("full_name", "Họ và tên", "text", required=True, example="Nguyễn Văn An", width=28,
               help=_("Full name.")),
        Column("sex", "Giới tính", "choice", required=True, choices=_choices(Member.Sex.choices),
               example=str(Member.Sex.MALE.label), width=10, help=_("Choose from the list.")),
        Column("birth_year", "Năm sinh", "int", required=True, example="1980", width=10,
               help=_("Four digits.")),
        _unit(help=_("Code of the cell or committee the member belongs to; it must keep its "
                     "members one by one.")),
        Column("membership", "Loại đảng viên", "choice", required=True,
               choices=_choices(Member.Membership.choices), example=str(Member.Membership.FULL.label),
               width=22, help=_("Choose from the list.")),
        Column("status", "Tình trạng", "choice", choices=_choices(MemberStatusChoices.choices),
               example=str(MemberStatusChoices.ACTIVE.label), width=28,
               help=_("Empty: active for a new member, unchanged for a stored one. A status different "
                      "from the stored one is recorded as a change from the date in the next column.")),
        _date("status_since", "Tình trạng từ ngày",
              _("The day the status started. Needed when the status changes; for a new member "
                "it may be left empty."), required=False, example="01/06/2023", fields=("since",)),
    ),
)

MEMBER_RETURNS = Sheet(
    kind="member_returns",
    title="Số liệu đảng viên học tập",
    label=_("Member returns"),
    identity=("campaign", "unit", "as_of"),
    instructions=(
        _("Counts of a unit that does not keep its members one by one (aggregate returns)."),
        RETURN_INSTRUCTION,
        *COMMON,
    ),
    columns=(
        _campaign(),
        _unit(help=_("Code of a unit reporting counts, with no sub-units of its own.")),
        _date("as_of", "Số liệu tính đến ngày", _("The day the counts are as of.")),
        _count("members_total", "Tổng số đảng viên", _("Party members of the unit in total."),
               example="40"),
        _count("exempt", "Miễn công tác và sinh hoạt đảng",
               _("Members exempt from work and party activities."), example="3"),
        _count("away", "Đi làm ăn xa", _("Members away for work."), example="2"),
        _count("studied", "Số đảng viên đã học tập",
               _("Members expected to study who have studied (excluded members who studied are "
                 "not counted here)."), example="34"),
    ),
)

NON_MEMBER_RETURNS = Sheet(
    kind="non_member_returns",
    title="Người ngoài Đảng học tập",
    label=_("Non-member returns"),
    identity=("campaign", "unit", "as_of"),
    instructions=(
        _("Non-members a unit expected to study and who studied."),
        RETURN_INSTRUCTION,
        *COMMON,
    ),
    columns=(
        _campaign(),
        _unit(),
        _date("as_of", "Số liệu tính đến ngày", _("The day the counts are as of.")),
        _count("expected", "Số người ngoài Đảng cần học tập",
               _("Non-members expected to study."), example="14"),
        _count("studied", "Số người ngoài Đảng đã học tập", _("Non-members who studied."),
               example="13"),
    ),
)

PRESENTERS = Sheet(
    kind="presenters",
    title="Báo cáo viên",
    label=_("Presenters"),
    identity=("code",),
    instructions=(
        _("Presenters who deliver the content at events; an event names them by code."),
        _("A presenter already stored is left as it is; a row that differs from it is refused."),
        *COMMON,
    ),
    columns=(
        Column("code", "Mã báo cáo viên", "code", required=True, example="P1", width=14,
               help=_("A code unique in the whole system.")),
        Column("full_name", "Họ và tên", "text", required=True, example="Phan Văn Khải", width=28,
               help=_("Full name.")),
        Column("title", "Chức vụ", "text", example="Trưởng Ban Tuyên giáo Huyện ủy", width=36,
               help=_("Position, optional.")),
        _unit(help=_("Code of the unit the presenter works for.")),
    ),
)

CATEGORY_HEADERS = {
    NonPartyCategory.CIVIL_SERVANTS: "Trong đó: cán bộ, công chức, viên chức, người lao động",
    NonPartyCategory.RELIGIOUS: "Trong đó: chức sắc, chức việc, nhà tu hành",
    NonPartyCategory.MASS: "Trong đó: quần chúng",
    NonPartyCategory.MASS_ORGANISATIONS: "Trong đó: hội viên các đoàn thể",
    NonPartyCategory.SOLDIERS: "Trong đó: cán bộ, chiến sĩ lực lượng vũ trang",
}
CATEGORY_PREFIX = "non_members_"

EVENTS = Sheet(
    kind="events",
    title="Buổi học tập",
    label=_("Study events and bridge points"),
    identity=("campaign", "code", "site_unit"),
    instructions=(
        _("One row per event and bridge point: an online conference followed at five units takes "
          "five rows with the same event code, date, organiser, format and title."),
        _("The rows of an event list all its bridge points: a bridge point stored but not in the "
          "file is removed. Members listed by name at a bridge point are kept; they are imported "
          "with the attendance template."),
        _("An event without a code is matched by its organiser, date, format and title."),
        *COMMON,
    ),
    columns=(
        _campaign(),
        Column("code", "Mã buổi", "code", example="E1", width=10,
               help=_("A code unique within the campaign; recommended, and needed to list "
                      "attendance by name.")),
        _unit("organiser", "Mã đơn vị tổ chức", help=_("Code of the unit that organised the event.")),
        _date("held_on", "Ngày tổ chức", _("The day the event was held."), example="15/01/2024"),
        Column("format", "Hình thức", "choice", required=True, choices=_choices(Event.Format.choices),
               example=str(Event.Format.IN_PERSON.label), width=24, help=_("Choose from the list.")),
        Column("title", "Tên hội nghị, buổi học tập", "text", required=True,
               example="Hội nghị học tập Chuyên đề năm 2024", width=40, help=_("The title of the event.")),
        Column("is_make_up", "Học bù", "choice", choices=YES_NO, example=str(YES_NO[1][1]), width=8,
               help=_("Yes for a make-up session. Empty means no.")),
        Column("presenters", "Mã báo cáo viên", "text", example="P1, P2", width=16,
               help=_("Codes of the presenters, separated by commas; they must be stored already.")),
        _unit("site_unit", "Mã đơn vị điểm cầu",
              help=_("Code of the unit where this bridge point was (for an event held in one place, "
                     "the organiser's code)."), fields=("sites",)),
        _count("other_members", "Số đảng viên không ghi tên",
               _("Party members who attended at this bridge point and are not listed by name."),
               required=False, example="88"),
        _count("non_members", "Số người ngoài Đảng",
               _("Non-members who attended at this bridge point."), required=False, example="19"),
        *(
            _count(f"{CATEGORY_PREFIX}{category}", header,
                   _("Part of the non-members above, if the campaign counts this category; may be "
                     "left empty."), required=False, example="")
            for category, header in CATEGORY_HEADERS.items()
        ),
        Column("audience", "Đối tượng", "choice", choices=_choices(Event.Audience.choices),
               example=str(Event.Audience.GENERAL.label), width=28,
               help=_("Who the event is held for. Empty: cadres, party members and the people for a new "
                      "event, unchanged for a stored one.")),
        Column("partners", "Phối hợp với", "text", example=str(Event.Partner.TRADE_UNION.label), width=24,
               help=_("Partner organisations the event is held with, separated by semicolons, from: "
                      "Mặt trận Tổ quốc; Công đoàn; Đoàn Thanh niên; Hội Liên hiệp Phụ nữ; Hội Cựu chiến "
                      "binh; Hội Nông dân; Các tổ chức khác. Empty: none.")),
    ),
)

ATTENDANCE = Sheet(
    kind="attendance",
    title="Danh sách dự học",
    label=_("Attendance lists"),
    identity=("campaign", "event", "member"),
    instructions=(
        _("One row per party member who attended an event, with the bridge point where they were."),
        _("The event and its bridge points must be stored already (events template)."),
        _("For every bridge point named in the file, the rows are its whole list: members stored "
          "there but not in the file are taken off. Bridge points not named keep their lists."),
        *COMMON,
    ),
    columns=(
        _campaign(),
        Column("event", "Mã buổi", "code", required=True, example="E1", width=10,
               help=_("Code of the event in the campaign.")),
        _unit("site_unit", "Mã đơn vị điểm cầu",
              help=_("Code of the unit of the bridge point where the member attended."), fields=("sites",)),
        Column("member", "Mã đảng viên", "code", required=True, example="HB-DONG-05", width=16,
               help=_("Code of the member; they must belong to the bridge point's unit or a unit "
                      "under it.")),
    ),
)

OUTREACH = Sheet(
    kind="outreach",
    title="Tuyên truyền",
    label=_("Outreach"),
    identity=(),
    instructions=(
        _("One row per unit, day and channel of outreach."),
        _("Rows are matched to stored outreach by campaign, unit, day and channel: an equal row "
          "changes nothing, a row that differs updates the stored record, an extra row adds one."),
        *COMMON,
    ),
    columns=(
        _campaign(),
        _unit(),
        _date("held_on", "Ngày", _("The day of the outreach."), example="15/03/2024"),
        Column("channel", "Hình thức tuyên truyền", "choice", required=True,
               choices=_choices(Outreach.Channel.choices), example=str(Outreach.Channel.ORAL.label),
               width=26, help=_("Choose from the list.")),
        _count("sessions", "Số buổi", _("Sessions held; at least 1."), example="12"),
        _count("reach", "Số lượt người", _("Person-times reached. Leave empty if not known: it is "
                                           "then counted apart, never guessed."),
               required=False, example="640"),
        Column("note", "Ghi chú", "text", width=30, help=_("Optional.")),
    ),
)

MATERIALS = Sheet(
    kind="materials",
    title="Tài liệu",
    label=_("Materials"),
    identity=(),
    instructions=(
        _("One row per delivery of materials from a unit to itself (its own supply) or to a unit "
          "below it."),
        _("Rows are matched to stored deliveries by campaign, units, item and day: an equal row "
          "changes nothing, a row that differs replaces the stored delivery, an extra row adds one."),
        _("Files cannot be attached here; add them on the materials page."),
        *COMMON,
    ),
    columns=(
        _campaign(),
        _unit("sender", "Mã đơn vị giao", help=_("Code of the unit that passed the materials on.")),
        _unit("recipient", "Mã đơn vị nhận",
              help=_("Code of the receiving unit; the same code as the sender for its own supply.")),
        Column("item", "Loại tài liệu", "choice", required=True,
               choices=_choices(MaterialTransfer.Item.choices), example=str(MaterialTransfer.Item.BOOK.label),
               width=22, help=_("Choose from the list.")),
        _count("quantity", "Số lượng", _("Copies; 1 for a digital document."), example="20"),
        _date("sent_on", "Ngày giao", _("The day of the delivery."), example="20/01/2024"),
        Column("note", "Ghi chú", "text", width=30,
               help=_("Optional; for a digital item without a link, say where it was shared.")),
        Column("link", "Đường dẫn", "text", width=30, help=_("Only for a digital item: its web address.")),
    ),
)

PLEDGES = Sheet(
    kind="pledges",
    title="Cam kết làm theo",
    label=_("Pledges and ratings"),
    identity=("campaign", "member"),
    instructions=(
        _("One row per party member of a unit that keeps its members one by one: their pledge and, "
          "at year end, the cell's rating of it."),
        _("Units that report counts only use the pledge returns template."),
        *COMMON,
    ),
    columns=(
        _campaign(),
        Column("member", "Mã đảng viên", "code", required=True, example="HB-DONG-04", width=16,
               help=_("Code of the member.")),
        _date("registered_on", "Ngày đăng ký", _("The day the pledge was registered."),
              example="20/03/2024"),
        Column("text", "Nội dung cam kết", "text", required=True, width=50,
               example="Nêu gương trong thực hiện nhiệm vụ được giao",
               help=_("What the member pledges to do.")),
        Column("rating", "Xếp loại", "choice", choices=_choices(Rating.choices),
               example=str(Rating.GOOD.label), width=14,
               help=_("The year-end rating; empty while not rated yet.")),
        _date("rated_on", "Ngày đánh giá", _("The day of the rating; needed with a rating."),
              required=False, example="20/12/2024"),
        Column("rating_note", "Ghi chú đánh giá", "text", width=30, help=_("Optional.")),
    ),
)

PLEDGE_RETURNS = Sheet(
    kind="pledge_returns",
    title="Số liệu cam kết",
    label=_("Pledge returns"),
    identity=("campaign", "unit", "as_of"),
    instructions=(
        _("Pledge counts of a unit that reports counts only."),
        RETURN_INSTRUCTION,
        *COMMON,
    ),
    columns=(
        _campaign(),
        _unit(help=_("Code of a unit reporting counts, with no sub-units of its own.")),
        _date("as_of", "Số liệu tính đến ngày", _("The day the counts are as of.")),
        _count("registered", "Số đảng viên đăng ký cam kết", _("Members who registered a pledge."),
               example="30"),
        _count("excellent", "Xếp loại xuất sắc", _("Pledges rated excellent."), required=False),
        _count("good", "Xếp loại tốt", _("Pledges rated good."), required=False),
        _count("not_met", "Xếp loại không đạt", _("Pledges rated not met."), required=False),
    ),
)

# In the order a whole organisation is imported: each kind refers only to kinds before it.
KINDS: dict[str, Sheet] = {
    sheet.kind: sheet
    for sheet in (
        UNITS, MEMBERS, MEMBER_RETURNS, NON_MEMBER_RETURNS, PRESENTERS, EVENTS, ATTENDANCE, OUTREACH,
        MATERIALS, PLEDGES, PLEDGE_RETURNS,
    )
}


def sheet_of(kind: str) -> Sheet:
    """The sheet of a kind; KeyError for an unknown kind."""
    return KINDS[kind]
