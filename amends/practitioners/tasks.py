"""Background work for practitioners: tasks call amends.practitioners.compliance and hold no logic.

`practitioner_reminders_send` runs once a day (`amends practitioner-reminders`
from cron enqueues it); a worker runs it (`amends db_worker`).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from amends.practitioners import compliance


@task()
def practitioner_reminders_send(*, on: str = "") -> int:
    """Produce the day's reminders (`on` an ISO date, today by default); return how many."""
    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    return compliance.practitioner_reminders_send(on=day)
