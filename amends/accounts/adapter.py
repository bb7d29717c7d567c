"""django-allauth adapters: no self sign-up (staff are invited), TOTP cannot be removed."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
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
