from django.urls import URLPattern, path

from amends.hub import (
    views_agencies,
    views_contact,
    views_devices,
    views_onward,
    views_queue,
    views_support,
)

app_name = "hub"

urlpatterns: list[URLPattern] = []

# The queue on working-day clocks, and the caseworkers' load (hub/queue.py).
urlpatterns += [
    path("", views_queue.queue_list, name="queue"),
    path("caseworkers/", views_queue.caseworker_loads, name="caseworkers"),
]

# Support: needs, safety devices, the agency directory, onward referrals (and the agency's view).
urlpatterns += [
    path("referrals/<str:reference>/needs/", views_support.needs_assessment, name="needs"),
    path(
        "referrals/<str:reference>/devices/issue/",
        views_support.device_issue,
        name="device_issue",
    ),
    path("device-issues/<int:pk>/end/", views_support.device_issue_end, name="device_issue_end"),
    path("devices/", views_devices.device_list, name="devices"),
    path("devices/new/", views_devices.device_add, name="device_add"),
    path("devices/<int:pk>/", views_devices.device_detail, name="device_detail"),
    path("devices/<int:pk>/status/", views_devices.device_transition, name="device_transition"),
    path("agencies/", views_agencies.agency_list, name="agencies"),
    path("agencies/new/", views_agencies.agency_add, name="agency_add"),
    path("agencies/<int:pk>/", views_agencies.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views_agencies.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/archive/", views_agencies.agency_archive, name="agency_archive"),
    path("agencies/<int:pk>/delete/", views_agencies.agency_delete, name="agency_delete"),
    path("referrals/<str:reference>/onward/new/", views_onward.onward_new, name="onward_new"),
    path("onward-referrals/", views_onward.onward_list, name="onward_list"),
    path("onward-referrals/<str:reference>/", views_onward.onward_detail, name="onward_detail"),
    path(
        "onward-referrals/<str:reference>/answer/",
        views_onward.onward_answer,
        name="onward_answer",
    ),
]

# Contact attempts of a referral, with the person's safe contact beside the form.
urlpatterns += [
    path("referrals/<str:reference>/contact/", views_contact.contact_attempts, name="contact"),
]
