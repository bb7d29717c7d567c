from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "amends.referrals"
    label = "referrals"

    def ready(self) -> None:
        from amends.accounts.models import Role
        from amends.core.navigation import NavEntry, register

        register(NavEntry(label="Referrals", url_name="referrals:home", order=10))
        register(
            NavEntry(
                label="Victims' Code",
                url_name="referrals:victims_code_list",
                roles=frozenset(
                    {
                        Role.POLICE_OFFICER.value,
                        Role.YOUTH_JUSTICE_WORKER.value,
                        Role.POLICE_RJ_COORDINATOR.value,
                    }
                ),
                order=20,
            )
        )
        register(
            NavEntry(
                label="Code compliance",
                url_name="referrals:victims_code_compliance",
                roles=frozenset({Role.POLICE_RJ_COORDINATOR.value}),
                order=30,
            )
        )
        register(
            NavEntry(
                label="Import referrals",
                url_name="referrals:csv_import",
                roles=frozenset({Role.POLICE_RJ_COORDINATOR.value}),
                order=40,
            )
        )
