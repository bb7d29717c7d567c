"""The public volunteer application, /volunteer/: one GOV.UK question page per step.

Thin views over `amends.practitioners.application`. Every page is sent with
`Cache-Control: no-store`, so that the browser keeps no copy of an answer and
Back asks the server again.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from amends.core.errors import DomainError
from amends.practitioners import application as app
from amends.practitioners import forms_volunteer as f

SECTION_TITLES = {
    app.ABOUT_YOU: _("About you"),
    app.VOLUNTEERING: _("Volunteering"),
    app.EXPERIENCE: _("Your experience and why you want to volunteer"),
    app.REFERENCES: _("References"),
    app.EQUALITY: _("Equality monitoring"),
}
TIMEOUT_MINUTES = app.TIMEOUT_SECONDS // 60


def _step_url(step: app.Step) -> str:
    return reverse("volunteer:step", kwargs={"step": step.name})


def _where_next(walk: app.Walk) -> HttpResponseRedirect:
    """The first step still to answer, or check your answers."""
    if walk.current is not None:
        return redirect(_step_url(walk.current))
    return redirect("volunteer:check_answers")


def _load(request: HttpRequest) -> app.Application | HttpResponseRedirect | None:
    try:
        return app.application_load(request.session)
    except app.ApplicationExpired:
        return redirect("volunteer:timed_out")


def _lost(request: HttpRequest) -> HttpResponseRedirect:
    """No application in this session: the confirmation if it was sent, else start again."""
    if app.confirmation_reference(request.session):
        return redirect("volunteer:confirmation")
    return redirect("volunteer:start_again")


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "practitioners/volunteer/start.html",
        {"first_step_url": _step_url(app.FIRST_STEP), "timeout_minutes": TIMEOUT_MINUTES},
    )


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
            return _lost(request)
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
            if following is not None and not application.reached_check:
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
        back_url = reverse("volunteer:check_answers")
    elif previous is not None:
        back_url = _step_url(previous)
    else:
        back_url = reverse("volunteer:start")
    return render(
        request,
        form.page_template,
        {"form": form, "back_url": back_url, "step": current},
    )


def _sections(walk: app.Walk) -> list[dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for step_, form in walk.answered:
        rows = form.summary()
        if not rows:
            continue
        title = str(SECTION_TITLES.get(step_.section, ""))
        section = sections.setdefault(
            step_.section, {"title": title, "rows": [], "equality": step_.section == app.EQUALITY}
        )
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
        return _lost(request)
    application = loaded
    walk = app.application_walk(application)
    if not walk.complete:
        return _where_next(walk)

    if request.method == "POST":
        kept = {"timeout_minutes": TIMEOUT_MINUTES}
        if f.SubmitForm(request.POST).is_bot:
            # The trap field was filled. Nothing is made, and we say so plainly rather than
            # pretend it was sent. The answers are kept.
            app.application_save(request.session, application)
            return render(request, "practitioners/volunteer/not_sent.html", kept, status=400)
        if not app.submission_allowed(request, application.submission_key):
            app.application_save(request.session, application)
            return render(request, "practitioners/volunteer/too_many.html", kept, status=429)
        try:
            answers = app.application_answers(application, walk)
            practitioner = app.volunteer_application_submit(
                answers=answers,
                submission_key=application.submission_key,
                counted_as=app.submission_rate_key(request),
            )
        except DomainError:
            # No provider to send it to: keep the answers, say it was not sent.
            app.application_save(request.session, application)
            return render(request, "practitioners/volunteer/not_sent.html", kept, status=503)
        app.application_sent(request.session, practitioner)
        return redirect("volunteer:confirmation")

    application.reached_check = True
    app.application_save(request.session, application)
    return render(
        request,
        "practitioners/volunteer/check_answers.html",
        {"sections": _sections(walk), "back_url": _step_url(app.STEPS[-1])},
    )


@never_cache
@require_GET
def confirmation(request: HttpRequest) -> HttpResponse:
    reference = app.confirmation_reference(request.session)
    if not reference:
        return redirect("volunteer:start")
    return render(request, "practitioners/volunteer/confirmation.html", {"reference": reference})


@never_cache
@require_GET
def start_again(request: HttpRequest, timed_out: bool = False) -> HttpResponse:
    return render(
        request,
        "practitioners/volunteer/start_again.html",
        {
            "timed_out": timed_out,
            "timeout_minutes": TIMEOUT_MINUTES,
            "first_step_url": _step_url(app.FIRST_STEP),
        },
    )
