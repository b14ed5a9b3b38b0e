"""default_campaign: a new record's form starts with a campaign only when one choice makes sense."""

import datetime

import pytest

from chuyende.campaigns.selectors import default_campaign
from chuyende.campaigns.services import campaign_create
from tests.campaigns.test_services import new_campaign

pytestmark = pytest.mark.django_db

D = datetime.date
IN_2024 = D(2024, 5, 15)


def test_the_only_campaign_is_the_default_even_when_not_running(users, scenario):
    assert default_campaign(actor=users.owner, today=D(2026, 1, 5)) == scenario


def test_the_one_campaign_running_today_is_the_default(users, scenario):
    later = campaign_create(actor=None, **new_campaign(code="NQ2025", year=2025, starts=D(2025, 4, 1),
                                                       study_deadline=D(2025, 6, 30),
                                                       report_deadline=D(2025, 7, 5)))
    assert default_campaign(actor=users.owner, today=D(2025, 5, 1)) == later


def test_no_default_when_two_campaigns_run_or_none_of_several_does(users, scenario):
    campaign_create(actor=None, **new_campaign())  # runs from April 2024 too, like the scenario's
    assert default_campaign(actor=users.owner, today=IN_2024) is None
    assert default_campaign(actor=users.owner, today=D(2026, 1, 5)) is None
