from django.contrib.auth import views as auth_views
from django.urls import include, path

from chuyende.accounts.forms import LoginForm
from chuyende.core import offline
from chuyende.figures import views as figures_views
from chuyende.reports.submissions import first_submitted_on

urlpatterns = [
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm),
        name="login",
    ),
    # The service worker, at the root so that its scope is the whole site (chuyende/core/offline.py).
    path("sw.js", offline.service_worker, name="service_worker"),
    path("ngoai-tuyen/", include("chuyende.core.urls_offline")),
    path("dot-hoc-tap/", include("chuyende.campaigns.urls")),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("don-vi/sap-xep/", include("chuyende.restructuring.urls")),
    path("don-vi/", include("chuyende.organisation.urls")),
    path("dang-vien/", include("chuyende.members.urls")),
    path("hoi-nghi/", include("chuyende.events.urls")),
    path("bao-cao-so-lieu/", include("chuyende.returns.urls")),
    path("tuyen-truyen/", include("chuyende.outreach.urls")),
    path("tai-lieu/", include("chuyende.materials.urls")),
    path("cam-ket/", include("chuyende.pledges.urls")),
    path("kiem-tra-giam-sat/", include("chuyende.supervision.urls")),
    path("bao-cao/", include("chuyende.reports.urls")),
    path("nhap-du-lieu/", include("chuyende.imports.urls")),
    path("xuat-du-lieu/", include("chuyende.exports.urls")),
    path("api/", include("chuyende.api.urls")),
    path("nhat-ky/", include("chuyende.audit.urls")),
    path("thong-bao/", include("chuyende.notifications.urls")),
    path("", include("chuyende.accounts.urls")),
    # The dashboard shows the completeness of reports, read by the reports app.
    path("so-sanh/", figures_views.comparison, name="comparison"),
    path("", include("chuyende.figures.urls"), {"first_submitted": first_submitted_on}),
]

handler500 = "chuyende.core.errors.server_error"
