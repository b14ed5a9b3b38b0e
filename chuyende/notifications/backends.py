"""Django's ModelBackend, loading the user of each request with their unread notifications counted in
the same query (notifications.selectors.with_unread_count): the badge of the top bar adds no query."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from chuyende.accounts.models import User
from chuyende.notifications.selectors import with_unread_count


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = with_unread_count(User._default_manager.all()).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
