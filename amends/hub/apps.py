from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "amends.hub"
    label = "hub"
    verbose_name = "Victim care hub"

    def ready(self) -> None:
        self._register_queue()
        self._register_support()
        self._register_contact()

    def _register_contact(self) -> None:
        """Contact attempts: the person's safe contact on the referral page, with a link."""
        from amends.core.sections import PageSection
        from amends.core.sections import register as register_section
        from amends.hub.sections_contact import referral_contact_section

        register_section(
            PageSection(
                page="referrals:detail",
                name="hub-contact",
                render=referral_contact_section,
                order=10,
            )
        )

    def _register_queue(self) -> None:
        """The queue (caseworkers and managers) and each caseworker's load (managers)."""
        from amends.accounts.models import Role
        from amends.core.navigation import NavEntry, register

        hub_staff = frozenset({Role.HUB_CASEWORKER.value, Role.HUB_MANAGER.value})
        register(NavEntry(label="Queue", url_name="hub:queue", roles=hub_staff, order=5))
        register(
            NavEntry(
                label="Caseworkers",
                url_name="hub:caseworkers",
                roles=frozenset({Role.HUB_MANAGER.value}),
                order=65,
            )
        )

    def _register_support(self) -> None:
        """Needs, devices, the agency directory and onward referrals (and the agency's view)."""
        from amends.accounts.models import Role
        from amends.core.navigation import NavEntry, register
        from amends.core.sections import PageSection
        from amends.core.sections import register as register_section
        from amends.hub.sections import referral_support_section

        register_section(
            PageSection(
                page="referrals:detail",
                name="hub-support",
                render=referral_support_section,
                order=50,
            )
        )
        hub_staff = frozenset({Role.HUB_CASEWORKER.value, Role.HUB_MANAGER.value})
        register(
            NavEntry(label="Safety devices", url_name="hub:devices", roles=hub_staff, order=70)
        )
        register(
            NavEntry(label="Agency directory", url_name="hub:agencies", roles=hub_staff, order=75)
        )
        register(
            NavEntry(
                label="Onward referrals",
                url_name="hub:onward_list",
                roles=frozenset({Role.AGENCY_CASEWORKER.value, *hub_staff}),
                order=80,
            )
        )
