from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "amends.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from amends.accounts.models import Role
        from amends.core.navigation import NavEntry, register

        register(
            NavEntry(
                label="API keys",
                url_name="api_keys:list",
                roles=frozenset({Role.ADMINISTRATOR.value}),
                order=95,
            )
        )
