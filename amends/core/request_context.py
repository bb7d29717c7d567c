"""The id of the request being served, for audit events and logs."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("amends_request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()
