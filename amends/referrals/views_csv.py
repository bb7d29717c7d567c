"""The police RJ coordinator's CSV upload: a thin view over `csv_import`.

Anyone else gets a 404, as for every page outside their scope.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from amends.accounts.models import User
from amends.referrals import csv_import
from amends.referrals.forms_csv import ReferralCsvUploadForm
from amends.referrals.models import OffenceType


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
def referral_csv_upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisation = csv_import.importing_organisation(user=user)
    form = ReferralCsvUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            summary = csv_import.referrals_import_csv(
                actor=user, organisation=organisation, file=form.cleaned_data["file"]
            )
        except csv_import.CsvFileRefused as refused:
            form.add_error("file", refused.message)
        else:
            return render(
                request,
                "referrals/csv/results.html",
                {"organisation": organisation, "summary": summary},
            )
    return render(
        request,
        "referrals/csv/upload.html",
        {
            "organisation": organisation,
            "form": form,
            "columns": csv_import.COLUMNS,
            "max_bytes": settings.CSV_IMPORT_MAX_BYTES,
            "offence_types": OffenceType.choices,
            "first_data_row": 2,
        },
    )
