"""Load test (issue 12, point 7): N concurrent clients for T seconds against intake and the
work queues, on loopback only; zero errors and zero lost cases, counted before and after.

    .venv/bin/python scripts/load_test.py [--clients 50] [--seconds 120] [--cases 2000]

It builds a scratch database (SQLite in a temporary folder, or a fresh database on the
PostgreSQL server named by DATABASE_URL), starts gunicorn as in production (2 workers,
4 threads each) on 127.0.0.1, and runs the clients: a third of them are client systems posting
petitions through Open311 (the public intake), the others are handlers and clerks reading their
queues and opening cases. Prints one JSON document; exits 1 on any error or lost case.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Tonghai-demo-2026"  # noqa: S105 - the public demo accounts of seed_demo
READERS = ["handler", "handler2", "clerk", "supervisor", "unithead"]
QUEUES = ["", "?queue=in_handling", "?queue=due_soon", "?queue=overdue", "?queue=to_accept"]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def scratch_database(tmp: Path) -> tuple[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'load.sqlite3'}", lambda: None
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = f"xinfang_load_{secrets.token_hex(4)}"
    admin = {
        "host": parsed.hostname,
        "port": parsed.port or 5432,
        "user": parsed.username,
        "password": parsed.password or "",
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return parsed._replace(path=f"/{name}").geturl(), drop


def count_cases(env: dict[str, str]) -> int:
    out = manage(
        env, "shell", "-c", "from xinfang.cases.models import Case; print(Case.objects.count())"
    )
    return int(out.strip().splitlines()[-1])


def stored_numbers(env: dict[str, str]) -> set[str]:
    out = manage(
        env,
        "shell",
        "-c",
        "import json; from xinfang.cases.models import Case; "
        "print(json.dumps(list(Case.objects.values_list('number', flat=True))))",
    )
    return set(json.loads(out.strip().splitlines()[-1]))


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {"intake": [], "queue": [], "case": []}
        self.errors: list[str] = []
        self.acknowledged: list[str] = []

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency[kind].append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


def login(base: str, username: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=60).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise RuntimeError("no CSRF token on the login page")
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)}
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base}/accounts/login/", body, headers={"Referer": f"{base}/accounts/login/"}
    )
    answer = opener.open(request, timeout=60)
    if "/accounts/login/" in answer.geturl():
        raise RuntimeError(f"login of {username} failed")
    return opener


def intake_client(n: int, base: str, key: str, stop: threading.Event, stats: Stats) -> None:
    i = 0
    while not stop.is_set():
        i += 1
        body = urllib.parse.urlencode(
            {
                "api_key": key,
                "service_code": "urban-rural",
                "address_string": "秀山街道文庙路口",
                "description": f"路灯连续多日不亮（负载测试 {n}-{i}），夜间出行不便，请尽快维修。",
                "first_name": "三",
                "last_name": "张",
                "phone": f"139{n:04d}{i:04d}",
                "attribute[division]": "530423001",
            }
        ).encode()
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(  # noqa: S310
                f"{base}/open311/v2/requests.json", body, timeout=60
            ) as response:
                answer = json.loads(response.read())
            stats.record("intake", time.perf_counter() - started)
            with stats.lock:
                stats.acknowledged.append(answer[0]["service_request_id"])
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            stats.error(f"intake: {exc!r}")


def reader_client(n: int, base: str, stop: threading.Event, stats: Stats) -> None:
    try:
        opener = login(base, READERS[n % len(READERS)])
    except Exception as exc:  # noqa: BLE001
        stats.error(f"login: {exc!r}")
        return
    i = 0
    while not stop.is_set():
        i += 1
        started = time.perf_counter()
        try:
            page = opener.open(f"{base}/cases/{QUEUES[i % len(QUEUES)]}", timeout=60).read()
            stats.record("queue", time.perf_counter() - started)
            ids = re.findall(rb'href="/cases/(\d+)/"', page)
            if ids:
                started = time.perf_counter()
                opener.open(f"{base}/cases/{ids[i % len(ids)].decode()}/", timeout=60).read()
                stats.record("case", time.perf_counter() - started)
        except Exception as exc:  # noqa: BLE001
            stats.error(f"read: {exc!r}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--cases", type=int, default=2000, help="cases generated beforehand")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="xinfang-load-"))
    url, drop = scratch_database(tmp)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "XINFANG_TEST_MEDIA_ROOT": str(tmp / "media"),
        "XINFANG_TEST_TASKS": "database",
    }
    server = None
    try:
        manage(env, "migrate", "-v0")
        manage(env, "seed_demo")
        manage(env, "generate_cases", str(args.cases))
        key = manage(env, "issue_api_key", "load test", "--scope", "open311").strip()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--threads",
             "4", "--bind", f"127.0.0.1:{port}", "--timeout", "120"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/open311/v2/discovery.json", timeout=5)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        before = count_cases(env)
        stats = Stats()
        stop = threading.Event()
        writers = max(1, args.clients // 3)
        threads = [
            threading.Thread(target=intake_client, args=(n, base, key, stop, stats))
            for n in range(writers)
        ] + [
            threading.Thread(target=reader_client, args=(n, base, stop, stats))
            for n in range(args.clients - writers)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        after = count_cases(env)
        numbers = stored_numbers(env)
        lost = [n for n in stats.acknowledged if n not in numbers]
        served = sum(len(v) for v in stats.latency.values())
        report = {
            "database": "postgresql" if url.startswith("postgres") else "sqlite",
            "clients": args.clients,
            "intake_clients": writers,
            "seconds": round(elapsed, 1),
            "requests_served": served,
            "requests_per_second": round(served / elapsed, 1),
            "errors": len(stats.errors),
            "error_samples": stats.errors[:5],
            "cases_before": before,
            "cases_after": after,
            "acknowledged_intake": len(stats.acknowledged),
            "lost_cases": len(lost),
            "duplicate_acknowledgements": len(stats.acknowledged) - len(set(stats.acknowledged)),
            "latency_ms": {
                kind: {
                    "n": len(v),
                    "p50": round(1000 * statistics.median(v), 1) if v else None,
                    "p99": round(1000 * percentile(v, 0.99), 1),
                }
                for kind, v in stats.latency.items()
            },
        }
        print(json.dumps(report, ensure_ascii=False, indent=1))
        ok = (
            not stats.errors
            and not lost
            and after - before == len(stats.acknowledged)
            and report["duplicate_acknowledgements"] == 0
        )
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()  # gunicorn stops its workers on SIGTERM
            server.wait(timeout=60)
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
