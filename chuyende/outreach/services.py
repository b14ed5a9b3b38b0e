import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import require_in_campaign
from chuyende.core.numbers import format_number
from chuyende.figures import ledger
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach

# Above these a figure is a typing slip (an extra zero, a year in the wrong box), not a record.
MAX_SESSIONS = 10_000
MAX_REACH = 10_000_000


def _check_outreach(*, campaign: Campaign, held_on: datetime.date, sessions: int, reach: int | None) -> None:
    require_in_campaign(campaign=campaign, day=held_on, field="held_on")
    if sessions < 0:
        raise ValidationError({"sessions": _("%(field)s cannot be negative.") % {"field": _("Sessions")}})
    if sessions == 0 and reach:
        raise ValidationError({"sessions": _(
            "Sessions must be at least 1: %(reach)s person-times cannot be reached without a session."
        ) % {"reach": format_number(reach)}})
    if sessions == 0:
        raise ValidationError({"sessions": _("Sessions must be at least 1.")})
    if sessions > MAX_SESSIONS:
        raise ValidationError({"sessions": _(
            "Sessions cannot exceed %(max)s on one record; check the number."
        ) % {"max": format_number(MAX_SESSIONS)}})
    if reach is not None and reach < 0:
        raise ValidationError({"reach": _("%(field)s cannot be negative.") % {
            "field": _("Person-times reached")
        }})
    if reach is not None and reach > MAX_REACH:
        raise ValidationError({"reach": _(
            "Person-times reached cannot exceed %(max)s on one record; check the number."
        ) % {"max": format_number(MAX_REACH)}})


@transaction.atomic
def outreach_create(
    *,
    actor: User | None,
    campaign: Campaign,
    unit: Unit,
    held_on: datetime.date,
    channel: str,
    sessions: int,
    reach: int | None,
    note: str = "",
) -> Outreach:
    """Records outreach; `reach=None` means not known, which is counted apart and never guessed."""
    require_edit(actor, unit)
    _check_outreach(campaign=campaign, held_on=held_on, sessions=sessions, reach=reach)
    outreach = Outreach(campaign=campaign, unit=unit, held_on=held_on, channel=channel,
                        sessions=sessions, reach=reach, note=note)
    outreach.full_clean()
    counters = ledger.track()
    outreach.save()
    counters.also(outreach=[outreach.pk])
    counters.finish()
    record_change(actor=actor, action="create", record=outreach, unit_path=unit.path, before=None,
                  after=snapshot(outreach))
    return outreach


@transaction.atomic
def outreach_update(
    *,
    actor: User | None,
    outreach: Outreach,
    unit: Unit,
    held_on: datetime.date,
    channel: str,
    sessions: int,
    reach: int | None,
    note: str = "",
) -> Outreach:
    """Changes a record of outreach; its campaign stays. Moving it to another unit needs the right to
    change both units."""
    require_edit(actor, outreach.unit)
    require_edit(actor, unit)
    _check_outreach(campaign=outreach.campaign, held_on=held_on, sessions=sessions, reach=reach)
    before = snapshot(outreach)
    counters = ledger.track(outreach=[outreach.pk])
    outreach.unit, outreach.held_on, outreach.channel = unit, held_on, channel
    outreach.sessions, outreach.reach, outreach.note = sessions, reach, note
    try:
        outreach.full_clean()
    except ValidationError:
        outreach.refresh_from_db()
        raise
    outreach.save(update_fields=["unit", "held_on", "channel", "sessions", "reach", "note"])
    counters.finish()
    record_change(actor=actor, action="update", record=outreach, unit_path=unit.path, before=before,
                  after=snapshot(outreach))
    return outreach


@transaction.atomic
def outreach_delete(*, actor: User | None, outreach: Outreach) -> None:
    require_edit(actor, outreach.unit)
    record_change(actor=actor, action="delete", record=outreach, unit_path=outreach.unit.path,
                  before=snapshot(outreach), after=None)
    counters = ledger.track(outreach=[outreach.pk])
    outreach.delete()
    counters.finish()
