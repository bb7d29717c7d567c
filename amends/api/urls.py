from django.urls import path

from amends.api import views

app_name = "api_keys"

urlpatterns = [
    path("", views.api_key_list, name="list"),
    path("<int:pk>/revoke/", views.api_key_revoke, name="revoke"),
]
