from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

PROTECTED_PREFIXES = ("/staff/", "/admin/")
ACCOUNT_PREFIX = "/staff/account/"
MFA_SESSION_KEY = "amends_has_totp"


class StaffAccessMiddleware:
    """Staff pages need a signed-in user who has set up an authenticator app.

    A signed-out visitor goes to sign in; a signed-in user without TOTP goes to
    set it up (enrolment at first sign-in) and can reach nothing else but the
    account pages until they have.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(PROTECTED_PREFIXES) and not path.startswith(ACCOUNT_PREFIX):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.session.get(MFA_SESSION_KEY):
                if not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists():
                    return redirect("mfa_activate_totp")
                request.session[MFA_SESSION_KEY] = True
        return self.get_response(request)
