from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "amends.cases"
    label = "cases"
    verbose_name = "RJ provider cases"

    def ready(self) -> None:
        from amends.accounts.models import Role
        from amends.cases import receivers
        from amends.cases.sections import referral_hand_off_section
        from amends.core.navigation import NavEntry, register
        from amends.core.sections import PageSection
        from amends.core.sections import register as register_section
        from amends.referrals.signals import (
            referral_handed_off,
            referral_withdrawn_after_hand_off,
        )

        # The hand-off makes the provider's case in its own transaction.
        referral_handed_off.connect(receivers.offer_case, dispatch_uid="cases.offer_case")
        referral_withdrawn_after_hand_off.connect(
            receivers.close_case, dispatch_uid="cases.close_case"
        )
        register_section(
            PageSection(
                page="referrals:detail",
                name="cases-hand-off",
                render=referral_hand_off_section,
                order=60,
            )
        )
        register(
            NavEntry(
                label="Intake",
                url_name="cases:queue",
                roles=frozenset({Role.PROVIDER_COORDINATOR.value}),
                order=15,
            )
        )
