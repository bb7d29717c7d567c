from django.urls import path

from amends.cases import views, views_hand_off

app_name = "cases"

urlpatterns = [
    path("", views.case_queue, name="queue"),
    # The hub caseworker's side: consent to share and the hand-off of a referral.
    path("hand-off/<str:reference>/", views_hand_off.hand_off, name="hand_off"),
    path(
        "hand-off/<str:reference>/consent/",
        views_hand_off.hand_off_consent,
        name="hand_off_consent",
    ),
    path(
        "hand-off/<str:reference>/confirm/",
        views_hand_off.hand_off_confirm,
        name="hand_off_confirm",
    ),
    # The provider's side.
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/accept/", views.case_accept, name="accept"),
    path("<str:reference>/return/", views.case_return, name="return"),
]
