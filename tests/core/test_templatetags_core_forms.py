"""The error summary of a refused form (includes/form.html): every problem at the top, each linked to
its field, and the first bad field focused when the page opens."""

import re

import pytest
from django.urls import reverse

from tests.conftest import TEST_PASSWORD
from tests.view_helpers import message

pytestmark = pytest.mark.django_db


def test_a_refused_form_lists_its_problems_at_the_top_and_focuses_the_first_bad_field(users, client_for):
    response = client_for(users.owner).post(reverse("members:create"), {"code": "", "full_name": ""})
    assert response.status_code == 200
    page = response.content.decode()
    summary = page[page.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert message("Nothing was saved. Please correct the following:") in summary
    form = response.context["form"]
    bad = [name for name in form.fields if name in form.errors]
    assert len(bad) >= 2
    for name in bad:
        assert f'href="#{form[name].id_for_label}"' in summary
        assert str(form[name].label) in summary
    assert page.index('id="error-summary"') < page.index(f'name="{bad[0]}"')
    focused = re.findall(r"<[^>]*\bautofocus\b[^>]*>", page)
    assert len(focused) == 1 and f'name="{bad[0]}"' in focused[0]


def test_the_first_bad_field_takes_the_focus_from_the_field_focused_at_first(users, client_for):
    client = client_for(users.viewer)
    change = reverse("accounts:password_change")
    assert 'id="id_current_password"' in _focused(client.get(change).content.decode())
    data = {"current_password": TEST_PASSWORD, "new_password": "12345678", "new_password2": "12345678"}
    assert 'id="id_new_password"' in _focused(client.post(change, data).content.decode())


def _focused(page: str) -> str:
    focused = re.findall(r"<[^>]*\bautofocus\b[^>]*>", page)
    assert len(focused) == 1, focused
    return focused[0]


def test_a_form_shown_first_has_no_summary_and_no_focus(users, client_for):
    page = client_for(users.owner).get(reverse("members:create")).content.decode()
    assert 'id="error-summary"' not in page and "autofocus" not in page


def test_the_event_form_summarises_its_bridge_points_too(users, client_for, scenario):
    unit = users.owner.unit
    data = {
        "campaign": scenario.pk, "organiser": unit.pk, "held_on": "2024-03-20", "format": "in_person",
        "title": "Hội nghị", "code": "", "sites-TOTAL_FORMS": 1, "sites-INITIAL_FORMS": 0,
        "sites-MIN_NUM_FORMS": 0, "sites-MAX_NUM_FORMS": 1000,
        "sites-0-unit": unit.pk, "sites-0-other_members": "nhiều", "sites-0-non_members": 0,
    }
    page = client_for(users.owner).post(reverse("events:create"), data).content.decode()
    summary = page[page.index('id="error-summary"'):]
    assert 'href="#id_sites-0-other_members"' in summary[:summary.index("</div>")]
    assert 'autofocus' in re.search(r'<input[^>]*name="sites-0-other_members"[^>]*>', page).group(0)  # type: ignore[union-attr]
