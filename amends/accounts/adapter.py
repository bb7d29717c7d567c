"""django-allauth adapters: no self sign-up (staff are invited), TOTP cannot be removed."""

from __future__ import annotations

import datetime
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return "/staff/"

    def format_email_subject(self, subject: str) -> str:
        return f"[Amends] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context.setdefault("service_name", "Amends")
        super().send_mail(template_prefix, email, context)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """No second password prompt for first enrolment straight after signing in.

        allauth asks for the password again before any change to MFA. A user who
        has no authenticator yet was just sent to set one up by the sign-in
        itself, so a password sign-in within the reauthentication window counts.
        """
        required = bool(super().is_reauthentication_required(app=app, **kwargs))
        request = context.request
        if not required or app != "allauth.mfa" or request is None:
            return required
        user = request.user
        if not user.is_authenticated:
            return required
        window = account_settings.REAUTHENTICATION_TIMEOUT
        signed_in_at = [
            float(record["at"])
            for record in get_authentication_records(request, user)
            if record.get("method") == "password" and time.time() - record.get("at", 0) < window
        ]
        if not signed_in_at:
            return required
        # Only authenticators made in this very session (the enrolment itself) may follow.
        since = datetime.datetime.fromtimestamp(max(signed_in_at), tz=datetime.UTC)
        return bool(Authenticator.objects.filter(user=user, created_at__lt=since).exists())

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys the failed sign-in limit on host name and email. The service
        # answers on every name in ALLOWED_HOSTS, and each name would get its own ten
        # tries, so the key is the email alone: whether or not it has an account.
        login = credentials.get("email") or credentials.get("username") or ""
        return f"login:{str(login).strip().lower()}"


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Every staff user must keep an authenticator app; recovery codes may be regenerated.
        return bool(authenticator.type != Authenticator.Type.TOTP)

    def get_totp_issuer(self) -> str:
        return "Amends"
