from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "amends.people"
    label = "people"
