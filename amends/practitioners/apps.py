from django.apps import AppConfig


class PractitionersConfig(AppConfig):
    name = "amends.practitioners"
    label = "practitioners"
    verbose_name = "Practitioners and volunteers"

    def ready(self) -> None:
        from amends.accounts.models import Role
        from amends.core.navigation import NavEntry, register

        coordinators = frozenset(
            {Role.PROVIDER_COORDINATOR.value, Role.VOLUNTEER_COORDINATOR.value}
        )
        register(
            NavEntry(
                label="Volunteers and practitioners",
                url_name="practitioners:list",
                roles=frozenset(
                    {Role.VOLUNTEER_COORDINATOR.value, Role.PROVIDER_COORDINATOR.value}
                ),
                order=50,
            )
        )
        register(
            NavEntry(
                label="My practice record",
                url_name="practitioners:mine",
                roles=frozenset({Role.FACILITATOR.value}),
                order=55,
            )
        )
        register(
            NavEntry(
                label="Allocation",
                url_name="practitioners:allocation",
                roles=coordinators,
                order=60,
            )
        )
        register(
            NavEntry(
                label="Compliance",
                url_name="practitioners:compliance",
                roles=coordinators,
                order=65,
            )
        )
