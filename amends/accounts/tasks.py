"""Background work for accounts: tasks call services and hold no logic."""

from __future__ import annotations

from django_tasks import task

from amends.accounts import services
from amends.accounts.models import User


@task()
def invitation_send(*, user_id: int, inviter_id: int) -> None:
    users = User.objects.select_related("organisation").in_bulk([user_id, inviter_id])
    if user_id in users and inviter_id in users:
        services.user_invitation_send(user=users[user_id], inviter=users[inviter_id])
