from django.db import models
from django.utils.translation import gettext_lazy as _

PATH_SEGMENT_WIDTH = 10  # nine zero-padded digits of the id and a dot


def path_segment(unit_id: int) -> str:
    return f"{unit_id:09d}."


class TreePath(models.CharField):
    """A materialised path of digits and dots; `path__under=prefix` selects a subtree."""


@TreePath.register_lookup
class Under(models.Lookup):
    """Subtree match usable by an index on every database.

    PostgreSQL serves `LIKE 'prefix%'` from the varchar_pattern_ops index. SQLite's LIKE is
    case-insensitive and never uses an index, so there the prefix becomes a range: paths hold
    only digits and dots, and every path under `…1.` sorts before `…1/`.
    """

    lookup_name = "under"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} LIKE %s", [*lhs_params, f"{self.rhs}%"]

    def as_sqlite(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        upper = self.rhs[:-1] + chr(ord(self.rhs[-1]) + 1)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, self.rhs, *lhs_params, upper]


class Level(models.Model):
    """The name of the units at one depth of the tree ("Tỉnh", "Huyện", ...)."""

    depth = models.PositiveSmallIntegerField(_("depth"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["depth"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        CELL = "cell", _("Cell")
        GRASSROOTS_CELL = "grassroots_cell", _("Grassroots cell")

    class Tracking(models.TextChoices):
        INDIVIDUAL = "individual", _("Per person")
        AGGREGATE = "aggregate", _("Aggregate returns")

    class Sector(models.TextChoices):
        """The kind of body a unit's party organisation sits in ("xã, thị trấn tổ chức 14 lớp; các
        trường học 04 lớp"): reports group events by it."""

        COMMUNE = "commune", _("Communes, wards and towns")
        AGENCY = "agency", _("Agencies")
        SCHOOL = "school", _("Schools")
        HEALTH = "health", _("Health")
        ENTERPRISE = "enterprise", _("Enterprises")
        ARMED_FORCES = "armed_forces", _("Armed forces")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, default=Sector.OTHER)
    tracking = models.CharField(
        _("tracking"), max_length=12, choices=Tracking.choices, default=Tracking.AGGREGATE
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of fixed-width id segments: a subtree is one prefix match.
    path = TreePath(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            models.Index(fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return self.name

    def is_in_subtree_of(self, root: "Unit") -> bool:
        return self.path.startswith(root.path)


class UnitPeriod(models.Model):
    """One period of a unit's place and attributes: from `valid_from` (open start if empty) until
    `valid_to` (excluded; open end if empty). A unit's periods follow one another without gap or
    overlap over the whole time line; the `Unit` row repeats its last period. The path and depth
    are those of the tree of the period, so a period ends too when an ancestor moves."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="periods", db_index=False)
    valid_from = models.DateField(_("since"), null=True, blank=True)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    parent = models.ForeignKey(
        Unit, verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Unit.Kind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Unit.Sector.choices,
                              default=Unit.Sector.OTHER)
    tracking = models.CharField(_("tracking"), max_length=12, choices=Unit.Tracking.choices)
    path = TreePath(max_length=255)
    depth = models.PositiveSmallIntegerField()
    decision = models.ForeignKey(
        "restructuring.Decision", verbose_name=_("decision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="unit_periods",
    )

    class Meta:
        ordering = ["unit", models.F("valid_from").asc(nulls_first=True)]
        verbose_name = _("unit period")
        verbose_name_plural = _("unit periods")
        indexes = [
            models.Index(fields=["unit", "valid_from"], name="unit_period_unit"),
            models.Index(fields=["path"], name="unit_period_path", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from or '…'} – {self.valid_to or '…'})"


class LevelName(models.Model):
    """The name of a depth of the tree from a date on (the latest on or before a day holds)."""

    depth = models.PositiveSmallIntegerField(_("depth"))
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("since"), null=True, blank=True)
    decision = models.ForeignKey(
        "restructuring.Decision", verbose_name=_("decision"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="level_names",
    )

    class Meta:
        ordering = ["depth", models.F("valid_from").asc(nulls_first=True)]
        verbose_name = _("level name")
        verbose_name_plural = _("level names")
        constraints = [
            models.UniqueConstraint(fields=["depth", "valid_from"], name="one_level_name_a_day"),
        ]

    def __str__(self) -> str:
        return self.name
