from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "amends.accounts"
    label = "accounts"

    def ready(self) -> None:
        from amends.accounts.models import Role
        from amends.core.navigation import NavEntry, register

        register(
            NavEntry(
                label="People and roles",
                url_name="accounts:users",
                roles=frozenset({Role.ADMINISTRATOR.value}),
                order=90,
            )
        )
