"""Background work for messages: tasks call amends.core.messaging and hold no logic.

A worker runs them: `amends db_worker` (django-tasks' database backend).
"""

from __future__ import annotations

from django_tasks import task

from amends.core import messaging


@task()
def message_send(*, message_id: int) -> str:
    """Send one queued message, or schedule its retry (see messaging.message_send)."""
    return messaging.message_send(message_id=message_id)


@task()
def messages_send(*, message_ids: list[int]) -> list[str]:
    """Send messages queued together; each is claimed, sent or retried on its own."""
    return [messaging.message_send(message_id=message_id) for message_id in message_ids]


@task()
def messages_sweep() -> int:
    """Enqueue every pending message that is due again; nothing is lost if a worker died."""
    return messaging.messages_sweep()
