"""The inbox page (/thong-bao/) and the badge of the top bar: the user's own notifications only."""

import datetime

import pytest

from chuyende.accounts.models import User
from chuyende.notifications.models import Notification
from chuyende.notifications.services import notify
from chuyende.organisation.models import Unit

pytestmark = pytest.mark.django_db


def _notify(user: User, n: int = 1, *, link: str = "/bao-cao/") -> list[Notification]:
    return [notify(recipients=[user], kind=Notification.Kind.REPORT_RETURNED, key=f"test:{user.pk}:{i}",
                   title=f"Thông báo thử nghiệm {i}", body="Bổ sung số liệu", link=link,
                   unit=Unit.objects.get(code="BN.HA.HB"))[0] for i in range(n)]


def test_anonymous_is_sent_to_login(client, scenario):
    assert client.get("/thong-bao/").status_code == 302


def test_each_user_sees_their_own_and_the_badge_counts_them(users, client_for, django_assert_num_queries):
    _notify(users.owner, 3)
    _notify(users.outsiders["officer"], 1)
    client = client_for(users.owner)
    # session, user (with the unread count), unit of the top bar, the page's count and rows
    with django_assert_num_queries(5):
        response = client.get("/thong-bao/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Thông báo thử nghiệm") == 3
    assert '<span class="count">3</span>' in html
    viewer = client_for(users.viewer).get("/thong-bao/")
    assert viewer.status_code == 200 and "Thông báo thử nghiệm" not in viewer.content.decode()
    assert '<span class="count">' not in viewer.content.decode()


def test_the_badge_costs_no_query_on_other_pages(users, client_for, django_assert_num_queries):
    client = client_for(users.owner)
    # session, user (with the unread count), unit of the top bar: the same with or without notifications
    with django_assert_num_queries(3):
        assert '<span class="count">' not in client.get("/tai-khoan/doi-mat-khau/").content.decode()
    _notify(users.owner, 2)
    with django_assert_num_queries(3):
        response = client.get("/tai-khoan/doi-mat-khau/")
    assert '<span class="count">2</span>' in response.content.decode()


def test_paginated_twenty_a_page(users, client_for):
    _notify(users.owner, 25)
    client = client_for(users.owner)
    assert len(client.get("/thong-bao/").context["page"].object_list) == 20
    assert len(client.get("/thong-bao/", {"page": 2}).context["page"].object_list) == 5


def test_opening_marks_read_and_goes_to_the_link(users, client_for):
    [notification] = _notify(users.owner, link="/bao-cao/")
    response = client_for(users.owner).post(f"/thong-bao/{notification.pk}/mo/")
    assert response.status_code == 302 and response["Location"] == "/bao-cao/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert '<span class="count">' not in client_for(users.owner).get("/thong-bao/").content.decode()


def test_someone_elses_notification_is_404_and_unchanged(users, client_for):
    [notification] = _notify(users.outsiders["officer"])
    assert client_for(users.owner).post(f"/thong-bao/{notification.pk}/mo/").status_code == 404
    assert client_for(users.reporter).post(f"/thong-bao/{notification.pk}/mo/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_needs_post(users, client_for):
    [notification] = _notify(users.owner)
    assert client_for(users.owner).get(f"/thong-bao/{notification.pk}/mo/").status_code == 405


def test_mark_all_read_only_marks_the_users_own(users, client_for):
    _notify(users.owner, 2)
    [other] = _notify(users.outsiders["officer"])
    response = client_for(users.owner).post("/thong-bao/da-doc/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=users.owner, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_times_read_local(users, client_for):
    [notification] = _notify(users.owner)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=datetime.datetime(2026, 3, 1, 20, 15, tzinfo=datetime.UTC))
    assert "02/03/2026 03:15" in client_for(users.owner).get("/thong-bao/").content.decode()
