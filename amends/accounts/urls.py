from django.urls import path

from amends.accounts import views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="users"),
]
