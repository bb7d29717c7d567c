from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path, re_path

from amends.api.api import api
from amends.api.api import not_found as api_not_found
from amends.core import views as core_views

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


def _superusers_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


# The Django admin is for superusers only, whatever is_staff says.
admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.site_header = "Amends administration (superusers only)"

urlpatterns = [
    path("", include("amends.core.urls")),
    path("refer/", include("amends.referrals.urls_application")),
    path("volunteer/", include("amends.practitioners.urls_volunteer")),
    path("events/", include("amends.events.urls_public")),
    # A person's sign-in email is managed by their organisation's administrator.
    path("staff/account/email/", core_views.page_not_found),
    path("staff/account/", include("allauth.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("staff/organisation/api-keys/", include("amends.api.urls")),
    path("staff/organisation/", include("amends.accounts.urls")),
    path("staff/practitioners/", include("amends.practitioners.urls")),
    path("staff/events/", include("amends.events.urls")),
    path("staff/hub/", include("amends.hub.urls")),
    path("staff/cases/", include("amends.cases.urls")),
    path("staff/", include("amends.referrals.urls")),
    path("admin/", admin.site.urls),
]

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
