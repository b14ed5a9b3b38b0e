from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.Model):
    """A restructuring decision ("Quyết định số 215-QĐ/TU ngày 27/6/2025") and the operations it
    makes on the tree from its effective date: drafted, previewed, applied, perhaps undone."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPLIED = "applied", _("Applied")
        UNDONE = "undone", _("Undone")

    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="+",
        help_text=_("The unit whose subtree the decision restructures."),
    )
    number = models.CharField(_("number"), max_length=100)
    issued_on = models.DateField(_("date"))
    issuer = models.CharField(_("issuer"), max_length=255)
    title = models.CharField(_("title"), max_length=500)
    effective_on = models.DateField(_("effective date"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What applying changed, to put it back on undo (periods, members, levels as they were).
    undo = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("restructuring decision")
        verbose_name_plural = _("restructuring decisions")

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"


class Operation(models.Model):
    """One step of a decision, applied in order. `data` holds the step's fields by kind:
    open {code, name, parent, kind, tracking, sector}; close {unit, successors}; change {unit, parent,
    name, kind, tracking, sector}; merge {units, into {code, name, parent, kind, tracking, sector}};
    split {unit, into [{code, name, parent, kind, tracking, sector, members, children}]}; levels
    {names {depth: name}}; move_members {members, to}. Units and members by code."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Open a unit")
        CLOSE = "close", _("Close a unit")
        CHANGE = "change", _("Change a unit")
        MERGE = "merge", _("Merge units")
        SPLIT = "split", _("Split a unit")
        LEVELS = "levels", _("Rename levels")
        MOVE_MEMBERS = "move_members", _("Move members")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="operations")
    position = models.PositiveIntegerField()
    kind = models.CharField(_("operation"), max_length=20, choices=Kind.choices)
    data = models.JSONField(_("details"), default=dict)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["decision", "position"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "position"], name="one_operation_a_position"),
        ]
        verbose_name = _("restructuring operation")
        verbose_name_plural = _("restructuring operations")

    def __str__(self) -> str:
        return f"{self.decision_id}#{self.position} {self.kind}"


class Succession(models.Model):
    """`successor` continues `predecessor` from `on` (a merge, a split, a close naming successors).
    A comparison follows these to map an earlier campaign's figures onto today's tree."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merged")
        SPLIT = "split", _("Split")
        CLOSE = "close", _("Closed")

    predecessor = models.ForeignKey("organisation.Unit", on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey("organisation.Unit", on_delete=models.CASCADE, related_name="predecessions")
    on = models.DateField(_("from"))
    kind = models.CharField(_("how"), max_length=10, choices=Kind.choices)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="successions")

    class Meta:
        ordering = ["on", "predecessor", "successor"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="one_succession_a_pair"),
        ]
        verbose_name = _("succession")
        verbose_name_plural = _("successions")

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}"
