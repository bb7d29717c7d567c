"""The shape of an API key: `amends_<prefix>_<secret>`, kept only as its SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

KEY_PATTERN = re.compile(r"^amends_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")


def key_generate() -> tuple[str, str]:
    """A new key and its prefix: 12 hex characters to find it, 256 random bits to prove it."""
    prefix = secrets.token_hex(6)
    return f"amends_{prefix}_{secrets.token_urlsafe(32)}", prefix


def key_hash(key: str) -> str:
    # Keys are long and random, so a fast hash is enough (no password stretching).
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    match = KEY_PATTERN.match(key)
    return match["prefix"] if match else None


def key_matches(key: str, hashed_key: str) -> bool:
    return hmac.compare_digest(key_hash(key), hashed_key)
