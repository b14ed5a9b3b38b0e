import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuyende.accounts.models import User
from chuyende.accounts.permissions import require_edit
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.campaigns.services import require_in_campaign
from chuyende.organisation.models import Unit
from chuyende.outreach.models import Outreach


def _check_outreach(*, campaign: Campaign, held_on: datetime.date, sessions: int, reach: int | None) -> None:
    require_in_campaign(campaign=campaign, day=held_on, field="held_on")
    if sessions < 1:
        raise ValidationError({"sessions": _("Outreach needs at least one session.")})
    if reach is not None and reach < 0:
        raise ValidationError({"reach": _("%(field)s cannot be negative.") % {
            "field": _("Person-times reached")
        }})


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
    outreach.save()
    record_change(actor=actor, action="create", record=outreach, unit_path=unit.path, before=None,
                  after=snapshot(outreach))
    return outreach
