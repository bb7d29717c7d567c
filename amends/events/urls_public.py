from django.urls import path

from amends.events import views_public

app_name = "public_events"

urlpatterns = [
    path("", views_public.public_event_list, name="list"),
    path("<str:reference>.ics", views_public.public_event_ics, name="ics"),
]
