import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit, require_read
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import require_in_campaign
from chuyende.organisation.models import Unit
from chuyende.supervision.models import Assignment, Supervisor, Visit


def _check_in_supervisor_subtree(*, supervisor: Supervisor, unit: Unit) -> None:
    if not unit.path.startswith(supervisor.unit.path) or unit.pk == supervisor.unit_id:
        raise ValidationError({"unit": _(
            "%(officer)s works for %(home)s and can supervise only units below it; %(unit)s is not."
        ) % {"officer": supervisor.full_name, "home": supervisor.unit.name, "unit": unit.name}})


@transaction.atomic
def supervisor_create(*, actor: User | None, unit: Unit, full_name: str, title: str = "") -> Supervisor:
    require_edit(actor, unit)
    full_name = " ".join(full_name.split())
    if not full_name:
        raise ValidationError({"full_name": _("Enter the officer's full name.")})
    if Supervisor.objects.filter(unit=unit, full_name=full_name).exists():
        raise ValidationError({"full_name": _(
            "%(unit)s already has an officer named %(name)s."
        ) % {"unit": unit.name, "name": full_name}})
    supervisor = Supervisor(unit=unit, full_name=full_name, title=title.strip())
    supervisor.full_clean()
    supervisor.save()
    record_change(actor=actor, action="create", record=supervisor, unit_path=unit.path, before=None,
                  after=snapshot(supervisor))
    return supervisor


@transaction.atomic
def assignment_create(
    *, actor: User | None, campaign: Campaign, supervisor: Supervisor, unit: Unit
) -> Assignment:
    require_edit(actor, supervisor.unit)
    require_read(actor, unit)
    _check_in_supervisor_subtree(supervisor=supervisor, unit=unit)
    if Assignment.objects.filter(campaign=campaign, supervisor=supervisor, unit=unit).exists():
        raise ValidationError({"unit": _(
            "%(officer)s is already assigned to %(unit)s."
        ) % {"officer": supervisor.full_name, "unit": unit.name}})
    assignment = Assignment(campaign=campaign, supervisor=supervisor, unit=unit)
    assignment.full_clean()
    assignment.save()
    record_change(actor=actor, action="create", record=assignment, unit_path=supervisor.unit.path,
                  before=None, after=snapshot(assignment))
    return assignment


def _check_visit(*, campaign: Campaign, supervisor: Supervisor, unit: Unit, visited_on: datetime.date,
                 findings: str, follow_up: str, closed_on: datetime.date | None) -> None:
    _check_in_supervisor_subtree(supervisor=supervisor, unit=unit)
    require_in_campaign(campaign=campaign, day=visited_on, field="visited_on")
    if not findings.strip():
        raise ValidationError({"findings": _("Write what the visit found.")})
    if closed_on is not None and not follow_up.strip():
        raise ValidationError({"closed_on": _("There is no follow-up to close.")})
    if closed_on is not None and closed_on < visited_on:
        raise ValidationError({"closed_on": _(
            "The follow-up cannot be closed on %(closed)s, before the visit on %(visited)s."
        ) % {"closed": closed_on.strftime("%d/%m/%Y"), "visited": visited_on.strftime("%d/%m/%Y")}})


@transaction.atomic
def visit_create(
    *, actor: User | None, campaign: Campaign, supervisor: Supervisor, unit: Unit, visited_on: datetime.date,
    findings: str, follow_up: str = "", closed_on: datetime.date | None = None,
) -> Visit:
    require_edit(actor, supervisor.unit)
    require_read(actor, unit)
    _check_visit(campaign=campaign, supervisor=supervisor, unit=unit, visited_on=visited_on,
                 findings=findings, follow_up=follow_up, closed_on=closed_on)
    visit = Visit(campaign=campaign, supervisor=supervisor, unit=unit, visited_on=visited_on,
                  findings=findings.strip(), follow_up=follow_up.strip(), closed_on=closed_on)
    visit.full_clean()
    visit.save()
    record_change(actor=actor, action="create", record=visit, unit_path=supervisor.unit.path, before=None,
                  after=snapshot(visit))
    return visit


@transaction.atomic
def visit_update(
    *, actor: User | None, visit: Visit, visited_on: datetime.date, findings: str, follow_up: str,
    closed_on: datetime.date | None,
) -> Visit:
    require_edit(actor, visit.supervisor.unit)
    _check_visit(campaign=visit.campaign, supervisor=visit.supervisor, unit=visit.unit, visited_on=visited_on,
                 findings=findings, follow_up=follow_up, closed_on=closed_on)
    before = snapshot(visit)
    visit.visited_on, visit.findings, visit.follow_up, visit.closed_on = (
        visited_on, findings.strip(), follow_up.strip(), closed_on,
    )
    visit.full_clean()
    visit.save(update_fields=["visited_on", "findings", "follow_up", "closed_on"])
    record_change(actor=actor, action="update", record=visit, unit_path=visit.supervisor.unit.path,
                  before=before, after=snapshot(visit))
    return visit
