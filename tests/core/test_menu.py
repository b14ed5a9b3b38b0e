"""The menu by role: each role's most used pages first, the rest under "Thêm"; every page that was in
the menu stays reachable for the roles that may use it; log out stays outside the menu."""

import re

import pytest
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.core.menu import ENTRIES, FIRST, menu_for

pytestmark = pytest.mark.django_db

MANAGERS_ONLY = {"audit:list", "accounts:admin_home"}


def menu_of(page: str) -> tuple[list[str], list[str]]:
    """(hrefs shown first, hrefs under "More") of the menu in a page."""
    nav = page[page.index('<details class="menu">'):page.index("</nav>")]
    first_part, more_part = nav.split('<details class="more"', 1)
    return re.findall(r'href="([^"]+)"', first_part), re.findall(r'href="([^"]+)"', more_part)


@pytest.mark.parametrize("role", [choice.value for choice in User.Role])
def test_each_role_sees_its_four_pages_first_and_every_page_it_may_use(role, scenario, client_for):
    from chuyende.organisation.models import Unit

    user = User.objects.create(username=f"menu.{role}", role=role, unit=Unit.objects.get(code="BN.HA.HB"))
    page = client_for(user).get(reverse("campaigns:list")).content.decode()
    first, more = menu_of(page)
    assert first == [reverse(name) for name in FIRST[role]]
    allowed = {reverse(name) for name, _label in ENTRIES
               if name not in MANAGERS_ONLY or role in ("admin", "officer")}
    if role == "viewer":
        allowed.discard(reverse("events:cell_meeting"))
    assert set(first) | set(more) == allowed
    assert len(first) + len(more) == len(set(first) | set(more))  # each page once
    # Log out is a button of the top bar, outside the menu.
    assert page.index('class="logout"') > page.index("</nav>")
    assert 'aria-current="page"' in page  # the page shown is marked in the menu


def test_the_menu_asks_nothing_of_the_database(scenario, django_assert_num_queries):
    from chuyende.organisation.models import Unit

    user = User.objects.create(username="menu.q", role="officer", unit=Unit.objects.get(code="BN.HA.HB"))
    with django_assert_num_queries(0):
        first, more = menu_for(user)
    assert len(first) == 4 and more
