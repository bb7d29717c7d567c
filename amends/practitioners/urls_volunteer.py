"""The public volunteer application, mounted at /volunteer/ (namespace `volunteer`)."""

from django.urls import URLPattern, path

from amends.practitioners import views_volunteer as views

app_name = "volunteer"

urlpatterns: list[URLPattern] = [
    path("", views.start, name="start"),
    path("check-answers/", views.check_answers, name="check_answers"),
    path("confirmation/", views.confirmation, name="confirmation"),
    path("start-again/", views.start_again, name="start_again"),
    path("answers-deleted/", views.start_again, {"timed_out": True}, name="timed_out"),
    # Step names only (never an answer): /volunteer/your-name/, /volunteer/first-referee/, ...
    path("<slug:step>/", views.step, name="step"),
]
