"""Test helpers for messages: a local GOV.UK Notify stand-in and an in-process task worker."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
# The shape of a real Notify key: <name>-<service id>-<secret>.
API_KEY = f"amends_test-{SERVICE_ID}-{SECRET}"


@dataclass
class NotifyRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int


@dataclass
class NotifyStub:
    """A tiny HTTP server on 127.0.0.1 answering like Notify's /v2/notifications API.

    `status` is what it answers next (201, or e.g. 500 to play a provider that
    is down); every request is kept in `requests`.
    """

    status: int = 201
    requests: list[NotifyRequest] = field(default_factory=list)
    base_url: str = ""

    def sent(self) -> list[NotifyRequest]:
        return [r for r in self.requests if r.status == 201]

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}")
        status = self.status
        self.requests.append(
            NotifyRequest(
                method=handler.command,
                path=handler.path,
                headers={k.lower(): v for k, v in handler.headers.items()},
                body=body,
                status=status,
            )
        )
        if status == 201:
            payload: dict[str, Any] = {
                "id": str(uuid.uuid4()),
                "reference": body.get("reference"),
                "content": {"body": "…", "from_email": "amends@notifications.service.gov.uk"},
                "uri": f"{self.base_url}/v2/notifications/x",
                "template": {"id": body.get("template_id"), "version": 1, "uri": ""},
            }
        else:
            payload = {
                "status_code": status,
                "errors": [{"error": "Exception", "message": "Internal server error"}],
            }
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


@contextmanager
def notify_stub() -> Iterator[NotifyStub]:
    stub = NotifyStub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            stub.answer(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_db_tasks(backend_name: str = "default") -> list[DBTaskResult]:
    """Run every ready task in the database queue, in this process, as `db_worker --batch` does.

    The package's own Worker runs each task; only its loop is ours, because
    the real one closes "old" database connections, which inside a test's
    transaction would end it. (The PostgreSQL-only tests run `db_worker` itself.)
    """
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name=backend_name,
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = []
    while True:
        with exclusive_transaction():
            result = DBTaskResult.objects.ready().filter(backend_name=backend_name).get_locked()
            if result is None:
                break
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran.append(result)
    return ran
