"""Person records. One record per person, linked to every referral they appear in."""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from django.db.models import F
from django.db.models.functions import Lower, Trim
from simple_history.models import HistoricalRecords


def normalise_phone(phone: str) -> str:
    """Digits only, +44 or 0044 written as 0: '+44 (0)7700 900123' → '07700900123'."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0044", "44"):
        if digits.startswith(prefix) and len(digits) > len(prefix) + 9:
            digits = "0" + digits[len(prefix) :].removeprefix("0")
            break
    return digits


class Person(models.Model):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Digits only (UK numbers as 0…), for finding the same person twice.
    phone_normalised = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    preferred_language = models.CharField(max_length=60, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["email"]),
            # Finding the same person twice (people/matching.py): name ignoring case and
            # surrounding spaces, with the date of birth.
            models.Index(
                Lower(Trim("family_name")),
                Lower(Trim("given_name")),
                F("date_of_birth"),
                name="people_person_match_name_dob",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        self.phone_normalised = normalise_phone(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ("phone" in update_fields or "email" in update_fields):
            kwargs["update_fields"] = {*update_fields, "phone_normalised", "email"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()
