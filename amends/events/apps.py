from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "amends.events"
    label = "events"
    verbose_name = "Events and training"

    def ready(self) -> None:
        from amends.accounts.models import Role
        from amends.core.navigation import NavEntry, register
        from amends.events.workflow import EVENT_MANAGERS

        register(
            NavEntry(
                label="Events and training", url_name="events:list", roles=EVENT_MANAGERS, order=70
            )
        )
        register(
            NavEntry(
                label="Volunteer hours",
                url_name="events:hours_totals",
                roles=frozenset({Role.VOLUNTEER_COORDINATOR.value}),
                order=72,
            )
        )
        register(
            NavEntry(
                label="My hours",
                url_name="events:hours",
                roles=frozenset({Role.FACILITATOR.value}),
                order=74,
            )
        )
