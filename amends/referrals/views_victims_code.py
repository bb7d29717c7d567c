"""Staff pages of the Victims' Code: thin views over `victims_code` (selectors and services).

Every page is a 404 to anyone the sharing rules keep out: records through
`victims_code_record_get`, the lists and forms through the organisation checks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from amends.accounts.models import User
from amends.core.errors import DomainError, StaleVersion
from amends.referrals import victims_code
from amends.referrals.forms_victims_code import (
    ComplianceFilterForm,
    OffenderReferralForm,
    RecordFilterForm,
    VictimsCodeAnswerForm,
    VictimsCodeRecordForm,
    record_rows,
)
from amends.referrals.models import VictimAnswer


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _already_sent(request: HttpRequest, done: victims_code.AlreadySubmitted) -> HttpResponse:
    messages.info(request, done.message)
    if isinstance(done.saved, int):
        return redirect("referrals:victims_code_detail", pk=done.saved)
    if isinstance(done.saved, str):
        return redirect("referrals:detail", reference=done.saved)
    return redirect("referrals:victims_code_list")


@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisation = victims_code.reading_organisation(user=user)
    filter_form = RecordFilterForm(request.GET)
    filters = filter_form.filters()
    records = victims_code.victims_code_record_list(user=user, **filters)
    page = Paginator(records, settings.AMENDS_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    victims_code.victims_code_records_listed(actor=user, records=shown)
    return render(
        request,
        "referrals/victims_code/record_list.html",
        {
            "organisation": organisation,
            "page": page,
            "rows": [(record, victims_code.record_clock(record)) for record in shown],
            "filter_form": filter_form,
            "filtered": any(filters.values()),
            "sees_all": victims_code.sees_all_of_organisation(user),
            "can_record": victims_code.can_record(user=user),
        },
    )


@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisation = victims_code.recording_organisation(user=user)
    form = VictimsCodeRecordForm(_posted(request), actor=user, hubs=victims_code.victim_care_hubs())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = victims_code.victims_code_record_create(
                actor=user,
                victim=form.victim(),
                crime_reference=data["crime_reference"],
                offence_type=data["offence_type"],
                date_reported=data["date_reported"],
                date_told=data["date_told"],
                told_by=data["told_by"],
                told_how=data["told_how"],
                enhanced_rights=data["enhanced_rights"],
                offender_under_18=data["offender_under_18"],
                answer=data["answer"],
                hub=data.get("hub"),
                safe_contact=form.safe_contact(),
                form_token=data["form_token"],
            )
        except victims_code.AlreadySubmitted as done:
            return _already_sent(request, done)
        except DomainError as error:
            form.add_problems([(error.code, error.message)])
        else:
            if record.referral is not None:
                messages.success(
                    request,
                    f"Record saved. Referral {record.referral.reference} sent to "
                    f"{record.referral.hub.name}.",
                )
            else:
                messages.success(request, "Record saved.")
            return redirect("referrals:victims_code_detail", pk=record.pk)
    return render(
        request,
        "referrals/victims_code/record_form.html",
        {"form": form, "organisation": organisation},
    )


@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = victims_code.victims_code_record_get(user=user, pk=pk)
    victims_code.victims_code_record_viewed(actor=user, record=record)
    return render(
        request,
        "referrals/victims_code/record_detail.html",
        {
            "record": record,
            "clock": victims_code.record_clock(record),
            "can_answer": victims_code.may_change_answer(user=user, record=record),
            "referral_visible": victims_code.referral_visible(user=user, record=record),
            "sees_lists": victims_code.can_read_lists(user=user),
        },
    )


@require_http_methods(["GET", "POST"])
def record_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    record = victims_code.victims_code_record_get(user=user, pk=pk)
    if not victims_code.may_record_answers(user=user, record=record):
        return render(request, "core/errors/403.html", status=403)
    if request.method == "GET":
        if record.answer != VictimAnswer.UNDECIDED:
            messages.info(request, "The victim's answer is already recorded.")
            return redirect("referrals:victims_code_detail", pk=pk)
        victims_code.victims_code_record_viewed(actor=user, record=record)
    hubs = victims_code.victim_care_hubs()
    form = VictimsCodeAnswerForm(_posted(request), record=record, hubs=hubs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Contact details matter only to a referral: if the victim declined, they stay as they were.
        wants = data["answer"] == VictimAnswer.WANTS_REFERRAL
        try:
            record = victims_code.victims_code_record_answer(
                actor=user,
                record=record,
                expected_version=data["version"],
                answer=data["answer"],
                hub=data.get("hub"),
                phone=data.get("phone", "") if wants else None,
                email=data.get("email", "") if wants else None,
                safe_contact=form.safe_contact(),
            )
        except StaleVersion:
            return _answer_conflict(request, user=user, pk=pk, form=form)
        except DomainError as error:
            form.add_problems([(error.code, error.message)])
        else:
            if record.referral is not None:
                messages.success(
                    request,
                    f"Answer saved. Referral {record.referral.reference} sent to "
                    f"{record.referral.hub.name}.",
                )
            else:
                messages.success(request, "Answer saved.")
            return redirect("referrals:victims_code_detail", pk=pk)
    return render(
        request, "referrals/victims_code/record_answer.html", {"record": record, "form": form}
    )


def _answer_conflict(
    request: HttpRequest, *, user: User, pk: int, form: VictimsCodeAnswerForm
) -> HttpResponse:
    current = victims_code.victims_code_record_get(user=user, pk=pk)
    if current.answer == form.cleaned_data["answer"]:
        # The same answer sent twice (a double click, a resent form): it was saved once.
        messages.info(request, "This answer was already saved.")
        return redirect("referrals:victims_code_detail", pk=pk)
    rows = [
        (label, yours, saved)
        for (label, yours), (_, saved) in zip(form.rows(), record_rows(current), strict=True)
    ]
    return render(
        request,
        "referrals/victims_code/record_conflict.html",
        {"record": current, "rows": rows},
        status=409,
    )


@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisation = victims_code.compliance_organisation(user=user)
    chosen = "date_from" in request.GET or "date_to" in request.GET
    form = ComplianceFilterForm(request.GET if chosen else None)
    context: dict[str, Any] = {"organisation": organisation, "form": form, "figures": None}
    if not chosen or form.is_valid():
        date_from, date_to = form.period()
        context["figures"] = victims_code.victims_code_compliance(
            organisation=organisation, date_from=date_from, date_to=date_to
        )
        victims_code.victims_code_compliance_viewed(
            actor=user, organisation=organisation, date_from=date_from, date_to=date_to
        )
    return render(request, "referrals/victims_code/compliance.html", context)


@require_http_methods(["GET", "POST"])
def offender_referral_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisation = victims_code.recording_organisation(user=user)
    form = OffenderReferralForm(_posted(request), actor=user, hubs=victims_code.victim_care_hubs())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = victims_code.offender_referral_create(
                actor=user,
                hub=data["hub"],
                person=form.person(),
                agrees=data["agrees"],
                safe_contact=form.safe_contact(),
                offence_type=data["offence_type"],
                crime_reference=data["crime_reference"],
                date_reported=data["date_reported"],
                offence_date=data.get("offence_date"),
                victim_given_name=data.get("victim_given_name", ""),
                victim_family_name=data.get("victim_family_name", ""),
                form_token=data["form_token"],
            )
        except victims_code.AlreadySubmitted as done:
            return _already_sent(request, done)
        except DomainError as error:
            form.add_problems([(error.code, error.message)])
        else:
            messages.success(request, f"Referral {referral.reference} sent to {referral.hub.name}.")
            return redirect("referrals:detail", reference=referral.reference)
    return render(
        request,
        "referrals/victims_code/offender_referral_form.html",
        {"form": form, "organisation": organisation},
    )
