"""Fault injection: kill -9 of the worker, the import and the server in the middle of their work.

Each test builds a scratch database of the suite's engine (a SQLite file, or a fresh database
on the PostgreSQL server the suite runs against), runs the real processes (``db_worker``,
``import_hotline``, gunicorn) against it, kills them with SIGKILL at a moment when they are
demonstrably half-way, restarts the work and checks the data: nothing half-written, nothing lost,
nothing done twice.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.security]


class Scratch:
    """A migrated, seeded database of the suite's engine, used only through subprocesses."""

    def __init__(self, tmp_path: Path) -> None:
        db = settings.DATABASES["default"]
        self.engine = "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgres"
        self.tmp = tmp_path
        if self.engine == "sqlite":
            self.path = tmp_path / "faults.sqlite3"
            url = f"sqlite:///{self.path}"
        else:
            self.name = f"xinfang_faults_{secrets.token_hex(4)}"
            self.pg = {
                "host": db["HOST"],
                "port": db["PORT"],
                "user": db["USER"],
                "password": db["PASSWORD"],
            }
            self._pg_admin(f'CREATE DATABASE "{self.name}"')
            password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
            url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{self.name}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": url,
            "XINFANG_TEST_MEDIA_ROOT": str(tmp_path / "media"),
            "XINFANG_TEST_TASKS": "database",
            "PYTHONUNBUFFERED": "1",
        }
        self.manage("migrate", "-v0")
        self.manage("seed_demo")

    def _pg_admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.pg) as conn:
            conn.execute(sql)

    def drop(self) -> None:
        if self.engine == "postgres":
            self._pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def manage(self, *args: str, timeout: int = 300) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603
            list(args),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def scalar(self, sql: str) -> Any:
        """One value, read directly (no Django start-up, so it can poll)."""
        if self.engine == "sqlite":
            import sqlite3

            with sqlite3.connect(self.path, timeout=30) as conn:
                return conn.execute(sql).fetchone()[0]
        import psycopg

        with psycopg.connect(dbname=self.name, autocommit=True, **self.pg) as conn:
            row = conn.execute(sql).fetchone()
            assert row is not None
            return row[0]

    def execute(self, sql: str) -> None:
        if self.engine == "sqlite":
            import sqlite3

            with sqlite3.connect(self.path, timeout=30) as conn:
                conn.execute(sql)
            return
        import psycopg

        with psycopg.connect(dbname=self.name, autocommit=True, **self.pg) as conn:
            conn.execute(sql)

    def python(self, code: str) -> Any:
        """Run Django code in a fresh process; it prints one JSON value."""
        out = self.manage("shell", "-c", code)
        return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Scratch]:
    db = Scratch(tmp_path)
    try:
        yield db
    finally:
        db.drop()


def _kill_when(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], *, timeout: float = 180
) -> None:
    """SIGKILL the process as soon as ``ready()`` holds; fail if it ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the process finished before it could be killed half-way")
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            return
        time.sleep(0.05)
    process.kill()
    pytest.fail("the process never reached the point where it is killed")


def _worker(db: Scratch) -> subprocess.Popen[bytes]:
    return db.start(
        sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"
    )


def _drain_queue(db: Scratch) -> None:
    db.manage("db_worker", "--batch", "--no-startup-delay", timeout=600)


ROWS = 12_000


def _import_state(db: Scratch, job_id: int) -> dict[str, Any]:
    """What the database holds for one import job: the counters committed with the rows."""
    return db.python(
        "import json; from xinfang.hotline.models import HotlineOrder, ImportJob; "
        f"j = ImportJob.objects.get(pk={job_id}); o = HotlineOrder.objects.filter(import_job=j); "
        "print(json.dumps({'orders': o.count(), "
        "'distinct': o.values('order_number').distinct().count(), "
        "'imported': j.imported, 'duplicates': j.duplicates, 'rejected': j.rejected, "
        "'rows_done': j.rows_done, 'with_case': o.filter(case__isnull=False).count(), "
        "'status_registered': o.filter(status='registered').count(), "
        "'registered': j.registered, 'to_register': j.to_register, 'state': j.state}))"
    )


def _start_import(db: Scratch, rows: int, prefix: str, *, register: bool) -> int:
    csv_file = db.tmp / f"{prefix}.csv"
    db.manage("generate_hotline_file", str(csv_file), "--rows", str(rows), "--prefix", prefix)
    job_id = db.python(
        "import json; from django.core.files import File; "
        "from xinfang.hotline.services import import_create; "
        "from xinfang.hotline.tasks import run_import; "
        "from xinfang.org.models import User; "
        f"fh = open({str(csv_file)!r}, 'rb'); "
        "job = import_create(actor=User.objects.get(username='clerk'), upload=File(fh), "
        f"name='{prefix}.csv', register_cases={register}); run_import.enqueue(job.pk); "
        "print(json.dumps(job.pk))"
    )
    assert isinstance(job_id, int)
    return job_id


def _resume_after_a_stale_heartbeat(db: Scratch) -> None:
    """The clock moves on 3 minutes (the heartbeat goes stale); the periodic job resumes."""
    db.execute(
        "UPDATE hotline_importjob SET heartbeat_at = heartbeat_at - interval '3 minutes'"
        if db.engine == "postgres"
        else "UPDATE hotline_importjob SET heartbeat_at = datetime(heartbeat_at, '-3 minutes')"
    )
    resumed = db.python(
        "import json; from xinfang.hotline.tasks import resume_stale_imports; "
        "print(json.dumps(resume_stale_imports.call()))"
    )
    assert resumed == {"resumed": 1}


def test_kill_9_of_the_worker_while_it_reads_hotline_rows(scratch):
    """Killed half-way through the rows: the committed batches are whole, the rest absent;
    the periodic resume finishes the job; every order of the file is there exactly once."""
    db = scratch
    job = _start_import(db, ROWS, "RA", register=False)
    _kill_when(
        _worker(db),
        lambda: 0 < db.scalar("SELECT rows_done FROM hotline_importjob") < ROWS * 0.8,
    )
    state = _import_state(db, job)
    assert state["state"] == "importing"
    assert 0 < state["rows_done"] < ROWS
    assert state["orders"] == state["distinct"] == state["imported"]
    # rows_done is the checkpoint: the spreadsheet row number of the last committed row (the
    # header is row 1)
    assert state["imported"] + state["duplicates"] + state["rejected"] == state["rows_done"] - 1

    _resume_after_a_stale_heartbeat(db)
    _drain_queue(db)
    state = _import_state(db, job)
    assert state["state"] == "done"
    assert state["orders"] == state["distinct"] == state["imported"] == ROWS
    assert state["duplicates"] == state["rejected"] == 0


def test_kill_9_of_the_worker_while_it_registers_hotline_cases(scratch):
    """Killed while turning orders into cases: an order and its case commit together; the
    resumed run registers the rest; every order has exactly one case."""
    db = scratch
    rows = 400
    job = _start_import(db, rows, "RB", register=True)
    _kill_when(
        _worker(db),
        lambda: db.scalar("SELECT COUNT(*) FROM cases_case") >= 20,
        timeout=300,
    )
    state = _import_state(db, job)
    assert state["state"] == "registering"
    assert state["orders"] == state["distinct"] == state["imported"] == rows
    # the job's counter is recounted from the orders every 100 cases, so it may lag
    assert state["with_case"] == state["status_registered"] >= state["registered"]
    assert db.scalar("SELECT COUNT(*) FROM cases_case") == state["with_case"] < rows

    _resume_after_a_stale_heartbeat(db)
    _drain_queue(db)
    state = _import_state(db, job)
    assert state["state"] == "done"
    assert state["orders"] == state["distinct"] == rows
    # every order is either a case or refused with its reason (e.g. a matter already open)
    refused = db.scalar("SELECT COUNT(*) FROM hotline_hotlineorder WHERE status = 'failed'")
    want = rows - refused
    assert state["with_case"] == state["status_registered"] == state["registered"] == want
    assert state["to_register"] == rows
    assert want > rows // 2
    assert db.scalar("SELECT COUNT(*) FROM cases_case") == want
    assert db.scalar("SELECT COUNT(DISTINCT number) FROM cases_case") == want


def test_kill_9_of_the_worker_during_a_deadline_sweep_sends_each_notice_once(scratch):
    """A sweep that flags thousands of cases overdue is killed half-way; the next sweep
    finishes the work; every handler is told about every overdue case exactly once."""
    db = scratch
    db.manage("generate_cases", "3000", "--seed", "3")
    far = "2031-06-02"  # every active case with a deadline is overdue by then
    enqueue = (
        "import json; from xinfang.cases.tasks import deadline_sweep; "
        f"deadline_sweep.enqueue({far!r}); print(json.dumps(1))"
    )
    flagged = db.scalar("SELECT COUNT(*) FROM cases_case WHERE due_flag='overdue'")
    db.python(enqueue)
    _kill_when(
        _worker(db),
        lambda: (
            db.scalar("SELECT COUNT(*) FROM cases_case WHERE due_flag='overdue'") > flagged + 50
        ),
        timeout=300,
    )
    half = db.scalar("SELECT COUNT(*) FROM cases_case WHERE due_flag='overdue'")
    db.python(enqueue)
    _drain_queue(db)
    result = db.python(
        "import json; from django.db.models import Count; "
        "from xinfang.cases.models import Case; from xinfang.core.models import Notification; "
        "from xinfang.cases.sweep import _recipients; from django.urls import reverse; "
        "overdue = list(Case.objects.filter(due_flag='overdue').select_related('handling_unit')); "
        "want = {(u.pk, reverse('cases:detail', args=[c.pk])) for c in overdue "
        "for u in _recipients(c)}; "
        "got = list(Notification.objects.filter(kind='deadline.overdue')"
        ".values_list('user_id', 'url')); "
        "print(json.dumps({'cases': len(overdue), 'want': len(want), 'got': len(got), "
        "'distinct': len(set(got)), 'same': set(got) == want}))"
    )
    assert 0 < half < result["cases"]  # the kill really came half-way
    assert result["got"] == result["distinct"] == result["want"] > 0
    assert result["same"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server(db: Scratch, port: int) -> subprocess.Popen[bytes]:
    process = db.start(
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--env",
        "DJANGO_SETTINGS_MODULE=config.settings.test",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/open311/v2/discovery.json"):  # noqa: S310
                return process
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    process.kill()
    pytest.fail("the server did not start")


def test_kill_9_of_the_server_during_intake_loses_no_acknowledged_case(scratch):
    """Client systems post petitions (Open311) from 4 threads while the whole server (master
    and workers) is killed; every request answered 201 is a case, exactly once, after a
    restart; requests cut off get an error and can simply be sent again."""
    db = scratch
    key = db.manage("issue_api_key", "fault test", "--scope", "open311").strip()
    port = _free_port()
    server = _server(db, port)
    acknowledged: list[str] = []
    failed = 0
    stop = threading.Event()
    lock = threading.Lock()

    def client(n: int) -> None:
        nonlocal failed
        i = 0
        while not stop.is_set():
            i += 1
            body = urllib.parse.urlencode(
                {
                    "api_key": key,
                    "service_code": "urban-rural",
                    "address_string": "秀山街道某路口",
                    "description": f"路灯不亮，第{n}-{i}次反映，夜间出行不便。",
                    "first_name": "三",
                    "last_name": "张",
                    "phone": f"138{n:04d}{i:04d}",
                    "attribute[division]": "530423001",
                }
            ).encode()
            try:
                with urllib.request.urlopen(  # noqa: S310
                    f"http://127.0.0.1:{port}/open311/v2/requests.json", body, timeout=10
                ) as response:
                    answer = json.loads(response.read())
                    assert response.status == 201
                with lock:
                    acknowledged.append(answer[0]["service_request_id"])
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                with lock:
                    failed += 1
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 120
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        # master and workers at once, as a power cut or the OOM killer would
        subprocess.run(["pkill", "-9", "-f", f"127.0.0.1:{port}"], check=False)  # noqa: S603, S607
        server.wait(timeout=30)
        time.sleep(1.0)  # clients now fail: nothing listens
        server = _server(db, port)  # a restart; the clients carry on
        time.sleep(3.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        subprocess.run(["pkill", "-9", "-f", f"127.0.0.1:{port}"], check=False)  # noqa: S603, S607
    assert failed > 0  # the outage was real
    assert len(acknowledged) == len(set(acknowledged)) >= 40
    stored = db.python(
        "import json; from xinfang.open311.models import ServiceRequest; "
        "print(json.dumps(sorted(str(t) for t in ServiceRequest.objects.values_list("
        "'case__number', flat=True))))"
    )
    missing = set(acknowledged) - set(stored)
    assert not missing, f"acknowledged but lost: {sorted(missing)[:5]}"
    numbers = db.scalar("SELECT COUNT(DISTINCT number) FROM cases_case")
    assert numbers == db.scalar("SELECT COUNT(*) FROM cases_case") >= len(acknowledged)
