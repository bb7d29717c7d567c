"""The one error type of the domain, and its kinds."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused what was asked. The message is for people."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class TransitionRefused(DomainError):
    """A workflow transition was refused; nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="transition_refused")


class StaleVersion(DomainError):
    """The record changed since the form was loaded: saving would overwrite it."""

    def __init__(
        self, message: str = "Someone else changed this record while you were editing it."
    ) -> None:
        super().__init__(message, code="conflict")
