from django.urls import path

from amends.referrals import views, views_csv, views_matching, views_victims_code

app_name = "referrals"

urlpatterns = [
    path("", views.staff_home, name="home"),
    path("referrals/<str:reference>/", views.referral_detail, name="detail"),
    path("import/", views_csv.referral_csv_upload, name="csv_import"),
    path("victims-code/", views_victims_code.record_list, name="victims_code_list"),
    path("victims-code/new/", views_victims_code.record_new, name="victims_code_new"),
    path(
        "compliance/victims-code/",
        views_victims_code.compliance,
        name="victims_code_compliance",
    ),
    path("victims-code/<int:pk>/", views_victims_code.record_detail, name="victims_code_detail"),
    path(
        "victims-code/<int:pk>/answer/",
        views_victims_code.record_answer,
        name="victims_code_answer",
    ),
    path(
        "refer/person-responsible/",
        views_victims_code.offender_referral_new,
        name="offender_referral_new",
    ),
    path("referrals/<str:reference>/edit/", views.referral_edit, name="edit"),
    path("referrals/<str:reference>/status/", views.referral_transition, name="transition"),
    path("referrals/<str:reference>/allocate/", views.referral_allocate, name="allocate"),
    path(
        "referrals/<str:reference>/link-person/",
        views_matching.referral_person_link,
        name="link_person",
    ),
]
