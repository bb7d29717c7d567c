from django.urls import path

from amends.core import views

app_name = "core"

urlpatterns = [
    path("", views.page("core/home.html"), name="home"),
    path("accessibility/", views.page("core/accessibility.html"), name="accessibility"),
    path("privacy/", views.page("core/privacy.html"), name="privacy"),
    path("cookies/", views.page("core/cookies.html"), name="cookies"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("bench/hello", views.bench_hello, name="bench_hello"),
]
