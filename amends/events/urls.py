from django.urls import path

from amends.events import views, views_hours

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("hours/", views_hours.my_hours, name="hours"),
    path("hours/totals/", views_hours.hours_totals, name="hours_totals"),
    path("hours/totals.csv", views_hours.hours_totals_csv, name="hours_totals_csv"),
    path("hours/claims/", views_hours.expense_claims, name="claims"),
    path("hours/claims/<int:pk>/", views_hours.expense_claim_decide, name="claim_decide"),
    path("<str:reference>/", views.event_detail, name="detail"),
    path("<str:reference>/edit/", views.event_edit, name="edit"),
    path("<str:reference>/status/", views.event_transition, name="transition"),
    path("<str:reference>/register/", views.event_register, name="register"),
    path(
        "<str:reference>/registrations/<int:pk>/remove/",
        views.registration_remove,
        name="registration_remove",
    ),
    path("<str:reference>/attendance/", views.event_attendance, name="attendance"),
    path("<str:reference>/pupils/", views.event_school_attendance, name="school_attendance"),
    path("<str:reference>/attendance.csv", views.event_attendance_csv, name="attendance_csv"),
    path("<str:reference>/calendar.ics", views.event_ics, name="ics"),
]
