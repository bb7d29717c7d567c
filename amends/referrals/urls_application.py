"""The public online application, mounted at /refer/ (namespace `apply`)."""

from django.urls import path

from amends.referrals import views_application as views

app_name = "apply"

urlpatterns = [
    path("", views.start, name="start"),
    path("check-answers/", views.check_answers, name="check_answers"),
    path("confirmation/", views.confirmation, name="confirmation"),
    path("they-need-to-agree/", views.cannot_continue, name="cannot_continue"),
    path("answers-cleared/", views.cleared, name="cleared"),
    path("exit/", views.exit_page, name="exit"),
    # Step names only (never an answer): /refer/who/, /refer/date-of-birth/, ...
    path("<slug:step>/", views.step, name="step"),
]
