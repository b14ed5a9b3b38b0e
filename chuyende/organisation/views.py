from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def tree_page(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError("built by the UI work in progress")
