from django.urls import path

from amends.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.staff_home, name="home"),
    path("referrals/<str:reference>/", views.referral_detail, name="detail"),
    path("referrals/<str:reference>/edit/", views.referral_edit, name="edit"),
    path("referrals/<str:reference>/status/", views.referral_transition, name="transition"),
    path("referrals/<str:reference>/allocate/", views.referral_allocate, name="allocate"),
]
