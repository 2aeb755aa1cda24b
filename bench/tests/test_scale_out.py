"""Scale-out on loopback (issue 11 point 4, docs/deploy.md): two application servers and two
task workers on one PostgreSQL database.

Two gunicorn servers (production profile, one sync worker each, own ports) take petitions
through the REST API at the same time; two ``db_worker`` processes run the notification tasks
that every registration enqueues and several deadline sweeps enqueued at once. Then: no case
number repeats, every 201 is exactly one case (none lost, none extra), every petitioner got
exactly one registration message, and every deadline notification exists exactly once.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
SERVERS = 2
WORKERS = 2
CLIENTS_PER_SERVER = 4
CASES_PER_CLIENT = 12
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",  # the production profile
        SECRET_KEY=secrets.token_urlsafe(48),
        XINFANG_DATA_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        DATABASE_URL=_database_url(),
        ALLOWED_HOSTS="127.0.0.1",
        XINFANG_VAR_DIR=str(tmp),
        XINFANG_ROUTING_MODEL_DIR=str(tmp / "models"),
        PYTHONUNBUFFERED="1",
    )
    return env


def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Connection: close",
        f"Content-Length: {len(body)}",
        *[f"{k}: {v}" for k, v in headers.items()],
    ]
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        buf = bytearray()
        while chunk := s.recv(65536):
            buf += chunk
    status = int(buf[9:12]) if buf[:5] == b"HTTP/" else 0
    return status, bytes(buf.split(b"\r\n\r\n", 1)[-1])


def _wait_ready(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(
                    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    b"X-Forwarded-Proto: https\r\n\r\n"
                )
                if s.recv(64)[9:12] == b"200":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"server on {port} not ready: {log.read_text()[-3000:]}")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def _tasks_settled(timeout: float) -> Counter[str]:
    from django_tasks_db.models import DBTaskResult

    deadline = time.time() + timeout
    while True:
        states = Counter(DBTaskResult.objects.values_list("status", flat=True))
        if not (states["READY"] or states["RUNNING"]) or time.time() > deadline:
            return states
        time.sleep(0.5)


def test_two_servers_and_two_workers_on_one_database(users, tmp_path):  # noqa: PLR0915
    from xinfang.api.services import api_token_issue
    from xinfang.cases.models import Case, Category
    from xinfang.core.models import Notification
    from xinfang.notify.models import Event, Message
    from xinfang.org.models import Division, Role, User

    key = api_token_issue(actor=None, user=users["clerk"], name="scale-out").key
    category = Category.objects.order_by("code").first().code
    division = Division.objects.filter(level="township").order_by("code").first().code
    today = timezone.localdate()
    env = _env(tmp_path)
    py = str(ROOT / ".venv" / "bin" / "python")
    py = py if Path(py).exists() else sys.executable
    procs: list[subprocess.Popen[bytes]] = []
    ports = []
    try:
        for i in range(SERVERS):
            port = _free_port()
            log = tmp_path / f"server{i}.log"
            procs.append(
                subprocess.Popen(
                    [
                        py,
                        "-m",
                        "gunicorn",
                        "config.wsgi:application",
                        "--chdir",
                        str(ROOT),
                        "--workers",
                        "1",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--timeout",
                        "120",
                    ],
                    env=env,
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
            ports.append((port, procs[-1], log))
        for i in range(WORKERS):
            log = tmp_path / f"worker{i}.log"
            procs.append(
                subprocess.Popen(
                    [
                        py,
                        "manage.py",
                        "db_worker",
                        "--queue-name",
                        "*",
                        "--no-reload",
                        "--interval",
                        "0.2",
                        "--worker-id",
                        f"bench-worker-{i}",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        for port, proc, log in ports:
            _wait_ready(port, proc, log)

        # 1. Intake on both servers at once. Half the petitions arrived 40 days ago (the
        # 15-day routing limit has passed: overdue), half today.
        answers: list[tuple[int, int, dict[str, object]]] = []
        lock = threading.Lock()
        headers = {
            "Authorization": f"Bearer {key}",
            "X-Forwarded-Proto": "https",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

        def client(server: int, c: int) -> None:
            port = ports[server][0]
            for k in range(CASES_PER_CLIENT):
                old = k % 2 == 0
                body = {
                    "channel": "letter",
                    "petition_type": "appeal",
                    "category": category,
                    "title": f"并发登记测试 {server}-{c}-{k}",
                    "content": "小区供水长期不稳定。",
                    "division": division,
                    "received_on": str(today - timedelta(days=40 if old else 0)),
                    "petitioners": [
                        {"name": f"测试{server}{c}{k}", "phone": f"139{server}{c:02d}{k:05d}"}
                    ],
                }
                status, raw = _post(
                    port, "/api/v1/cases/", json.dumps(body, ensure_ascii=False).encode(), headers
                )
                data = json.loads(raw) if raw.startswith(b"{") else {"raw": raw[:300]}
                with lock:
                    answers.append((server, status, data))

        threads = [
            threading.Thread(target=client, args=(s, c))
            for s in range(SERVERS)
            for c in range(CLIENTS_PER_SERVER)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sent = SERVERS * CLIENTS_PER_SERVER * CASES_PER_CLIENT
        bad = [(s, st, d) for s, st, d in answers if st != 201]
        assert not bad, bad[:3]
        assert len(answers) == sent
        assert {s for s, _, _ in answers} == set(range(SERVERS))  # both servers took work

        # 2. No case number repeats, none is lost, none is extra.
        numbers = [str(d["number"]) for _, _, d in answers]
        assert len(set(numbers)) == sent
        rows = dict(Case.objects.values_list("number", "pk"))
        assert len(rows) == sent
        assert set(rows) == set(numbers)
        assert {int(str(d["id"])) for _, _, d in answers} == set(rows.values())

        # 3. The deadline sweep enqueued four times at once, run by both workers.
        from xinfang.cases.tasks import deadline_sweep

        with override_settings(TASKS=DB_TASKS):
            for _ in range(4):
                deadline_sweep.enqueue()
        states = _tasks_settled(timeout=240)
        assert set(states) == {"SUCCESSFUL"}, states

        from django_tasks_db.models import DBTaskResult

        sweeps = DBTaskResult.objects.filter(task_path="xinfang.cases.tasks.deadline_sweep")
        assert sweeps.count() == 4
        ran_on = {
            w for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for w in ids
        }
        assert len(ran_on) == WORKERS, ran_on  # both workers took tasks

        # 4. Each deadline notification exactly once: one per flagged case and recipient.
        clerks = User.objects.filter(role=Role.CLERK, is_active=True).count()
        flagged = Case.objects.exclude(due_flag="")
        overdue = Case.objects.filter(received_on=today - timedelta(days=40))
        assert set(overdue.values_list("due_flag", flat=True)) == {"overdue"}
        notes = list(
            Notification.objects.filter(kind__startswith="deadline.").values_list(
                "user_id", "url", "kind"
            )
        )
        assert len(notes) == len(set(notes)), Counter(notes).most_common(3)
        assert len(notes) == flagged.count() * clerks
        assert sum(1 for _, _, kind in notes if kind == "deadline.overdue") == (
            overdue.count() * clerks
        )

        # 5. Each petitioner told of the registration exactly once (SMS), across both workers.
        per_case = Counter(
            Message.objects.filter(event=Event.REGISTERED).values_list("case_id", flat=True)
        )
        assert set(per_case) == set(rows.values())
        assert set(per_case.values()) == {1}
    finally:
        _stop(procs)
