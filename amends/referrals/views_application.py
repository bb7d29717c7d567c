"""The public online application, /refer/: one GOV.UK question page per step.

Thin views over `amends.referrals.application`. Every page is sent with
`Cache-Control: no-store`, so that the browser keeps no copy of an answer and
Back asks the server again (which shows the answer from the session, or, once
the application was sent, cleared or timed out, not at all).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from amends.core.errors import DomainError
from amends.referrals import application as app
from amends.referrals import forms_application as f

EXIT_TO = "https://www.bbc.co.uk/weather"
SECTION_TITLES = {
    app.ABOUT_YOU: _("About you"),
    app.WHAT_HAPPENED: _("What happened"),
    app.PERSON_HARMED: _("The person harmed"),
    app.CONTACT: _("Contacting them safely"),
    app.ACCESS: _("Help to take part"),
    app.NEEDS: _("Support now"),
}


def _step_url(step: app.Step) -> str:
    return reverse("apply:step", kwargs={"step": step.name})


def _where_next(walk: app.Walk) -> HttpResponseRedirect:
    """The first step still to answer, the stop page, or check your answers."""
    if walk.blocked_by is not None:
        return redirect("apply:cannot_continue")
    if walk.current is not None:
        return redirect(_step_url(walk.current))
    return redirect("apply:check_answers")


def _load(request: HttpRequest) -> app.Application | HttpResponseRedirect | None:
    try:
        return app.application_load(request.session)
    except app.ApplicationExpired:
        return redirect("apply:cleared")


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/apply/start.html")


@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, step: str) -> HttpResponse:
    current = app.step_named(step)
    if current is None:
        raise Http404("No such question.")
    loaded = _load(request)
    if isinstance(loaded, HttpResponseRedirect):
        return loaded
    if loaded is None:
        if current is not app.FIRST_STEP:
            return redirect("apply:start")
        loaded = app.application_start(request.session)
    application = loaded
    walk = app.application_walk(application)
    if current not in walk.reachable:
        return _where_next(walk)

    if request.method == "POST":
        form = current.form_class(data=request.POST, earlier=walk.earlier)
        if form.is_valid():
            app.application_answer_record(request.session, application, current, form)
            walk = app.application_walk(application)
            following = walk.following(current)
            if walk.blocked_by is None and following is not None and not application.reached_check:
                return redirect(_step_url(following))
            return _where_next(walk)
    else:
        stored = application.answers.get(current.name)
        if stored is not None and current is walk.current:
            # An answer that no longer fits the ones before it: show why.
            form = current.form_class(data=stored, earlier=walk.earlier)
            form.is_valid()
        else:
            form = current.form_class(initial=stored, earlier=walk.earlier)
        app.application_save(request.session, application)

    previous = walk.previous(current)
    if application.reached_check and walk.complete:
        back_url = reverse("apply:check_answers")
    elif previous is not None:
        back_url = _step_url(previous)
    else:
        back_url = reverse("apply:start")
    return render(
        request,
        form.page_template,
        {"form": form, "back_url": back_url, "step": current},
    )


@never_cache
@require_GET
def cannot_continue(request: HttpRequest) -> HttpResponse:
    loaded = _load(request)
    if isinstance(loaded, HttpResponseRedirect):
        return loaded
    if loaded is None:
        return redirect("apply:start")
    walk = app.application_walk(loaded)
    if walk.blocked_by is None:
        return _where_next(walk)
    app.application_save(request.session, loaded)
    return render(
        request,
        "referrals/apply/cannot_continue.html",
        {"change_url": _step_url(walk.blocked_by)},
    )


def _sections(walk: app.Walk) -> list[dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for step_, form in walk.answered:
        rows = form.summary()
        if not rows:
            continue
        title = str(SECTION_TITLES.get(step_.section, ""))
        if step_.section == app.PERSON_HARMED and walk.earlier.for_self:
            title = gettext("Your details")
        if step_.section == app.CONTACT and walk.earlier.for_self:
            title = gettext("Contacting you safely")
        section = sections.setdefault(step_.section, {"title": title, "rows": []})
        section["rows"] += [{"row": row, "url": _step_url(step_)} for row in rows]
    return list(sections.values())


@never_cache
@require_http_methods(["GET", "POST"])
def check_answers(request: HttpRequest) -> HttpResponse:
    loaded = _load(request)
    if isinstance(loaded, HttpResponseRedirect):
        return loaded
    if loaded is None:
        # Sent already (a second click arriving late): show what the first one made.
        if request.method == "POST" and app.confirmation_reference(request.session):
            return redirect("apply:confirmation")
        return redirect("apply:start")
    application = loaded
    walk = app.application_walk(application)
    if not walk.complete:
        return _where_next(walk)

    if request.method == "POST":
        if f.SubmitForm(request.POST).is_bot:
            # The trap field was filled. Nothing is made, and we say so plainly rather than
            # pretend it was sent: if a person's password manager or tool ever filled it,
            # they must not wait for a call that will never come. The answers are kept.
            app.application_save(request.session, application)
            return render(request, "referrals/apply/not_sent.html", status=400)
        if not app.submission_allowed(request, application.submission_key):
            app.application_save(request.session, application)
            return render(request, "referrals/apply/too_many.html", status=429)
        try:
            answers = app.application_answers(application, walk)
            referral = app.application_submit(
                answers=answers,
                submission_key=application.submission_key,
                counted_as=app.submission_rate_key(request),
            )
        except DomainError:
            return _where_next(walk)
        app.application_sent(request.session, referral)
        return redirect("apply:confirmation")

    application.reached_check = True
    app.application_save(request.session, application)
    return render(
        request,
        "referrals/apply/check_answers.html",
        {"sections": _sections(walk), "for_self": walk.earlier.for_self},
    )


@never_cache
@require_GET
def confirmation(request: HttpRequest) -> HttpResponse:
    reference = app.confirmation_reference(request.session)
    if not reference:
        return redirect("apply:start")
    return render(request, "referrals/apply/confirmation.html", {"reference": reference})


@never_cache
@require_GET
def cleared(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/apply/cleared.html")


@never_cache
@require_GET
def exit_page(request: HttpRequest) -> HttpResponse:
    """Exit this page: forget the application, then go to a neutral site."""
    app.application_exit(request)
    response = HttpResponseRedirect(EXIT_TO)
    response["Referrer-Policy"] = "no-referrer"
    return response
