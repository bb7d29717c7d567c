"""Background work for the hub: tasks call amends.hub.digest and hold no logic.

`hub_reminders_send` runs once a day (`amends hub-reminders` from cron enqueues
it); a worker runs it (`amends db_worker`).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from amends.hub import digest


@task()
def hub_reminders_send(*, on: str = "") -> int:
    """Produce the day's clock digests (`on` an ISO date, today by default); return how many."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return digest.hub_reminders_send(on=day)
