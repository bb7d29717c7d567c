from django.apps import AppConfig


class PractitionersConfig(AppConfig):
    name = "amends.practitioners"
    label = "practitioners"
    verbose_name = "Practitioners and volunteers"
