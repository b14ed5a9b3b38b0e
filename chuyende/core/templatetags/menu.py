from typing import Any

from django import template

from chuyende.accounts.models import User
from chuyende.core.menu import menu_for

register = template.Library()


@register.inclusion_tag("includes/menu.html", takes_context=True)
def role_menu(context: template.Context) -> dict[str, Any]:
    """The top bar's menu for the signed-in user's role (see chuyende.core.menu)."""
    user = context["user"]
    request = context.get("request")
    first, more = menu_for(user) if isinstance(user, User) else ([], [])
    here = request.path if request is not None else ""
    return {"first": first, "more": more, "here": here}
