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
def messages_sweep() -> int:
    """Enqueue every pending message that is due again; nothing is lost if a worker died."""
    return messaging.messages_sweep()
