from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "amends.referrals"
    label = "referrals"

    def ready(self) -> None:
        from amends.core.navigation import NavEntry, register

        register(NavEntry(label="Referrals", url_name="referrals:home", order=10))
