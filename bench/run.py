"""make bench / make bench-quick: Xinfang side by side with the peer and the framework ceiling.

    .venv/bin/python bench/run.py --sizes 100000 --backends sqlite,postgres [--quick-peer]

Usually started by scripts/bench.sh, which also starts the throwaway PostgreSQL cluster and
passes its URL in BENCH_PG_URL. For every size and backend: a fresh database (migrate,
seed_demo, generate_cases N, routing_index), the production profile under gunicorn with two
sync workers on 127.0.0.1, then every measurement bounded in time and count (docs/benchmark.md).
The peer django-helpdesk (bench/peer/) runs in the same run with the same N. One JSON document
goes to --out (default .bench/latest.json) and a table to the screen.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import json
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadclient as lc  # noqa: E402
from bench.report import summarise, table  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
DEMO_PASSWORD = "Tonghai-demo-2026"  # noqa: S105 (the published demo password, seed_demo)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(
    cmd: list[str], env: dict[str, str], *, timeout: float = 3600, capture: bool = True
) -> tuple[str, float]:
    """Run a command from the repository root; return (stdout, seconds)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env=env,
        timeout=timeout,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
        text=True,
        check=False,
    )
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc.stdout or "", took


def manage(env: dict[str, str], *args: str, timeout: float = 3600) -> tuple[str, float]:
    return run([PY, "manage.py", *args], env, timeout=timeout)


# --- one database --------------------------------------------------------------------------
class Target:
    """One database (backend x size) prepared for the server."""

    def __init__(self, args: argparse.Namespace, backend: str, n: int, work: Path) -> None:
        self.backend, self.n = backend, n
        self.dir = work / f"{backend}-{n}"
        self.dir.mkdir(parents=True, exist_ok=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "XINFANG_VAR_DIR"}
        }
        env.update(
            SECRET_KEY=args.secret_key,
            XINFANG_DATA_KEY=args.data_key,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            XINFANG_VAR_DIR=str(self.dir / "var"),
            XINFANG_ROUTING_MODEL_DIR=str(args.models),
            DJANGO_SETTINGS_MODULE="bench.settings",
            PYTHONUNBUFFERED="1",
            DEBUG="0",
        )
        if backend == "postgres":
            env["DATABASE_URL"] = create_pg_database(args.pg_url, f"bench_{n}")
        self.env = env
        # bench/profile_request.py --target <dir> reuses this database (throwaway keys)
        keep = (
            "SECRET_KEY",
            "XINFANG_DATA_KEY",
            "XINFANG_VAR_DIR",
            "XINFANG_ROUTING_MODEL_DIR",
            "DATABASE_URL",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
        )
        (self.dir / "env.json").write_text(json.dumps({k: env[k] for k in keep if k in env}))

    def prepare(self, args: argparse.Namespace) -> dict[str, Any]:
        out: dict[str, Any] = {}
        log(f"{self.backend} N={self.n}: migrate")
        _, out["migrate_s"] = manage(self.env, "migrate", "--noinput")
        dev = {**self.env, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "XINFANG_DEMO": "1"}
        log(f"{self.backend} N={self.n}: seed_demo (organisation and demo accounts)")
        _, out["seed_demo_s"] = manage(dev, "seed_demo")
        log(f"{self.backend} N={self.n}: generate_cases {self.n:,}")
        text, took = manage(self.env, "generate_cases", str(self.n))
        m = re.search(r"generated ([\d,]+) cases in ([\d.]+) s \(([\d,]+) cases/s\)", text)
        out["generate_cases"] = {
            "cases": self.n,
            "wall_s": round(took, 1),
            "reported": m.group(0) if m else text.strip(),
            "cases_per_s_reported": int(m.group(3).replace(",", "")) if m else None,
        }
        log(f"  {out['generate_cases']['reported']}")
        log(f"{self.backend} N={self.n}: routing index complete? (generate_cases writes it)")
        text, took = run([PY, "bench/prepare.py", "index"], self.env)
        out["routing_index"] = {"wall_s": round(took, 1), **json.loads(text)}
        log(f"  {out['routing_index']}")
        # Measure the steady state, not the tail of the bulk load: statistics, and the load's
        # dirty pages and WAL written out (else the first measurements share the disk with a
        # checkpoint of gigabytes, and every first change of a page after it is logged whole).
        text, took = run([PY, "-c", SETTLE_SQL], self.env)
        out["settle"] = {"wall_s": round(took, 1), "done": text.strip()}
        text, _ = manage(self.env, "api_token", "issue", "clerk", "--name", "benchmark")
        self.token = text.strip().splitlines()[-1]
        facts_file = self.dir / "facts.json"
        run([PY, "bench/prepare.py", "facts", "--out", str(facts_file)], self.env)
        self.facts = json.loads(facts_file.read_text(encoding="utf-8"))
        out["facts"] = {k: v for k, v in self.facts.items() if k not in {"intake_bodies"}}
        out["facts"]["case_ids"] = len(self.facts["case_ids"])
        return out

    def count(self) -> int:
        text, _ = run([PY, "bench/prepare.py", "count"], self.env)
        return int(json.loads(text)["cases"])

    def server(self, log_path: Path) -> lc.Server:
        return lc.Server(
            [PY],
            "config.wsgi:application",
            env=self.env,
            chdir=ROOT,
            ready_path="/bench/bare/",
            ready_headers={"X-Forwarded-Proto": "https"},
            log_path=log_path,
        )


SETTLE_SQL = """
import django; django.setup()
from django.db import connection
with connection.cursor() as cur:
    if connection.vendor == "postgresql":
        cur.execute("VACUUM ANALYZE")
        cur.execute("CHECKPOINT")  # needs a superuser or pg_checkpoint: the harness's cluster
        print("VACUUM ANALYZE, CHECKPOINT")
    else:
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print("wal_checkpoint(TRUNCATE)")
"""


def create_pg_database(base_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name


# --- measurements ----------------------------------------------------------------------------
def phase_ceiling(args: argparse.Namespace, srv: lc.Server, path: str) -> dict[str, Any]:
    raw = lc.raw_request(srv.port, "GET", path, {"X-Forwarded-Proto": "https"})
    for _ in range(50):
        lc.send(srv.port, raw)
    reps = [
        lc.concurrent_load(
            srv,
            lambda n: [(raw, 200)],
            clients=args.clients,
            seconds=args.ceiling_s,
            max_iterations=500_000,
        )
        for _ in range(args.reps)
    ]
    return {
        "clients": args.clients,
        "seconds": args.ceiling_s,
        "median": lc.median_of(reps),
        "reps": reps,
    }


def phase_intake(args: argparse.Namespace, target: Target, srv: lc.Server) -> dict[str, Any]:
    """Registration through the REST API with a token, 8 clients. The answer of
    POST /api/v1/cases/ carries the intake advice (routing suggestions and the repeat check,
    xinfang/api/intake.py), so one request is the whole intake."""
    port = srv.port
    api_headers = {
        "Authorization": f"Bearer {target.token}",
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "X-Forwarded-Proto": "https",
    }
    posts = [
        lc.raw_request(
            port, "POST", "/api/v1/cases/", api_headers, json.dumps(b, ensure_ascii=False).encode()
        )
        for b in target.facts["intake_bodies"]
    ]
    st, _, resp = lc.send(port, posts[0])
    if st != 201:
        raise RuntimeError(f"intake failed: {st} {lc.body_of(resp)[:400]!r}")
    first = json.loads(lc.body_of(resp))
    advice = first.get("intake") or {}
    warm = 1 + sum(lc.send(port, p)[0] == 201 for p in posts[1:6])
    before = target.count()
    reps = [
        lc.concurrent_load(
            srv,
            lambda n: [(posts[n % len(posts)], 201)],
            clients=args.clients,
            seconds=args.intake_s,
            max_iterations=100_000,
            check=lambda i, r: b'"intake"' in r,
        )
        for _ in range(args.reps)
    ]
    after = target.count()
    created = sum(r["ok"] for r in reps)
    failed = sum(sum(r["non_2xx"].values()) + sum(r["errors"].values()) for r in reps)
    return {
        "clients": args.clients,
        "seconds": args.intake_s,
        "api": {"median": lc.median_of(reps), "reps": reps},
        "cases_before": before,
        "cases_after": after,
        "created_201": created,
        "failed_requests": failed,
        # a request cut off by the time bound may still commit: then after - before > created
        "every_201_is_a_row": after - before >= created and after - before <= created + failed,
        "warmup_created": warm,
        "sample_response_keys": sorted(first),
        "sample_intake_advice": {
            "keys": sorted(advice),
            "routing_model": advice.get("routing_model"),
            "suggestions": len(advice.get("suggestions") or []),
            "earlier_cases": len(advice.get("earlier_cases") or []),
        },
    }


def phase_pages(
    args: argparse.Namespace, target: Target, srv: lc.Server, sessions: dict[str, lc.Session]
) -> dict[str, Any]:
    port = srv.port
    f = target.facts
    ids = f["case_ids"]
    words = list(f["search_words"]) or ["工资"]

    def get(who: str, path: str) -> bytes:
        return lc.raw_request(port, "GET", path, sessions[who].headers())

    case_raws = [get("handler", f"/cases/{pk}/") for pk in ids]
    search_raws = [get("clerk", "/cases/?" + urlencode({"q": w})) for w in words]
    endpoints = {
        "case_page": (lambda i: case_raws[i % len(case_raws)], b"<html"),
        "handler_queue": (
            lambda i: get("handler", "/cases/?queue=in_handling&sort=due"),
            b"<html",
        ),
        "leader_dashboard": (lambda i: get("leader", "/analytics/"), b"<html"),
        "search": (lambda i: search_raws[i % len(search_raws)], b"<html"),
        "case_list_all": (lambda i: get("clerk", "/cases/"), b"<html"),
    }
    for make, _ in endpoints.values():  # warm both workers
        for i in range(args.warmup):
            lc.send(port, make(i))
    out: dict[str, Any] = {k: {"reps": []} for k in endpoints}
    for _rep in range(args.page_reps or args.reps):  # interleaved: drift hits all alike
        for name, (make, marker) in endpoints.items():
            res, last = lc.sequential(
                srv,
                make,
                expect=200,
                count=args.page_requests,
                seconds=args.page_cap_s,
                check=lambda r, m=marker: m in r[:20000].lower(),  # type: ignore[misc]
            )
            if last is not None:
                res["response_bytes"] = len(lc.body_of(last))
            out[name]["reps"].append(res)
    for name in out:
        out[name]["median"] = lc.median_of(
            out[name]["reps"], ("p50_ms", "p99_ms", "server_cpu_ms_per_req")
        )
        out[name]["requests_per_rep"] = args.page_requests
    out["_context"] = {
        "case_page": "handler, one of 200 cases of the handler's unit in turn",
        "handler_queue": f"handler, queue in_handling ({f['handler_in_handling']} of "
        f"{f['handler_visible']} cases of the unit), 30 per page",
        "leader_dashboard": "leader, /analytics/ (county-wide indicators)",
        "search": f"clerk, full-text search, words {f['search_words']}",
        "case_list_all": f"clerk, all {f['cases']} cases, newest first, 30 per page",
    }
    return out


def phase_export(
    args: argparse.Namespace, target: Target, srv: lc.Server, clerk: lc.Session
) -> dict[str, Any]:
    path = "/cases/export.xlsx?" + urlencode(
        {"received_from": target.facts["export_from"], "sort": "-received"}
    )
    raw = lc.raw_request(srv.port, "GET", path, clerk.headers())
    res, last = lc.sequential(
        srv,
        lambda i: raw,
        expect=200,
        count=args.export_requests,
        seconds=args.export_cap_s,
        check=lambda r: b"spreadsheetml" in r[:2000],
    )
    rows = None
    if last is not None:
        body = lc.body_of(last)
        res["response_bytes"] = len(body)
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
            rows = z.read(sheet).count(b"<row") - 2  # minus the title and the header
    res["rows_in_file"] = rows
    res["rows_expected"] = target.facts["export_rows"]
    res["rows_per_s_p50"] = round(rows / (res["p50_ms"] / 1000)) if rows and res["p50_ms"] else None
    return res


def measure_target(args: argparse.Namespace, target: Target) -> dict[str, Any]:
    result: dict[str, Any] = {"prepare": target.prepare(args)}
    log(f"{target.backend} N={target.n}: gunicorn, 2 sync workers")
    srv = target.server(target.dir / "gunicorn.log")
    try:
        sessions = {}
        for who in ("clerk", "handler", "leader"):
            s = lc.Session(srv.port)
            s.login(who, DEMO_PASSWORD)
            sessions[who] = s
        result["memory_after_start"] = srv.memory()
        log("  bare view through the full middleware (ceiling in the same server)")
        result["ceiling_site"] = phase_ceiling(args, srv, "/bench/bare/")
        log(f"  ceiling {result['ceiling_site']['median']}")
        log("  intake through the REST API (8 clients)")
        result["intake"] = phase_intake(args, target, srv)
        log(f"  intake {result['intake']['api']['median']}")
        log(f"  intake advice in the answer: {result['intake']['sample_intake_advice']}")
        log("  pages (one client, sequential)")
        result["pages"] = phase_pages(args, target, srv, sessions)
        for k, v in result["pages"].items():
            if not k.startswith("_"):
                log(f"  {k} {v['median']}")
        log("  xlsx export")
        result["export"] = phase_export(args, target, srv, sessions["clerk"])
        log(
            f"  export p50 {result['export']['p50_ms']} ms, {result['export']['rows_in_file']} rows"
        )
        result["memory"] = srv.memory()
        log(f"  worker RSS max {result['memory']['worker_rss_max_mb']} MB")
    finally:
        srv.stop()
    return result


def phase_ceiling_min(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_bare"}
    env.pop("DATABASE_URL", None)
    srv = lc.Server(
        [PY],
        "config.wsgi:application",
        env=env,
        chdir=ROOT,
        ready_path="/bench/bare/",
        log_path=work / "gunicorn-bare.log",
    )
    try:
        return phase_ceiling(args, srv, "/bench/bare/")
    finally:
        srv.stop()


def hotline_import(args: argparse.Namespace, backend: str, work: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ROWS"] = str(args.hotline_rows)
    if backend == "postgres":
        env["DATABASE_URL"] = create_pg_database(args.pg_url, "bench_hotline")
    text, took = run(["bash", "scripts/bench-hotline-import.sh"], env, timeout=3600)
    (work / f"hotline-{backend}.log").write_text(text, encoding="utf-8")
    found = re.findall(r"--- (import \w+|again).*?\n.*?\(([\d,]+) rows/s", text, re.S)
    runs = [{"run": what, "rows_per_s": int(rate.replace(",", ""))} for what, rate in found]
    first = {r["run"].split()[-1]: r["rows_per_s"] for r in runs if r["run"].startswith("import")}
    return {
        "rows": args.hotline_rows,
        "wall_s": round(took, 1),
        "runs": runs,
        "rows_per_s_csv": first.get("csv"),
        "rows_per_s_xlsx": first.get("xlsx"),
        "output_tail": text.strip().splitlines()[-8:],
    }


def run_peer(args: argparse.Namespace, n: int, work: Path) -> dict[str, Any]:
    out = work / f"peer-{n}.json"
    env = {
        **os.environ,
        "PEER_SIZES": str(n),
        "PEER_RESULT": str(out),
        "PEER_WORK": str(work / "peer"),
    }
    cmd = [
        "bash",
        "bench/peer/run.sh",
        "--reps",
        str(args.reps),
        "--clients",
        str(args.clients),
        "--create-s",
        str(args.intake_s),
        "--ceiling-s",
        str(args.ceiling_s),
        "--page-requests",
        str(args.page_requests),
        "--page-reps",
        str(args.page_reps),
        "--page-cap-s",
        str(args.page_cap_s),
        "--warmup",
        str(args.warmup),
        "--sqlite-s",
        "0",
        "--api-list-requests",
        "0",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
    if proc.returncode != 0:
        return {"error": f"peer harness failed ({proc.returncode})"}
    data = json.loads(out.read_text(encoding="utf-8"))
    data["wall_s"] = round(time.perf_counter() - t0, 1)
    return data


def versions() -> dict[str, Any]:
    import importlib.metadata as md
    import sqlite3

    v: dict[str, Any] = {}
    for pkg in ("Django", "djangorestframework", "gunicorn", "psycopg", "openpyxl"):
        try:
            v[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            v[pkg] = None
    v["python"] = platform.python_version()
    v["sqlite"] = sqlite3.sqlite_version
    try:
        v["git"] = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        v["git"] = None
    return v


def main() -> None:
    ap = argparse.ArgumentParser(description="Xinfang benchmark")
    ap.add_argument("--sizes", default="100000", help="comma-separated case counts")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--out", default=str(ROOT / ".bench" / "latest.json"))
    ap.add_argument("--work", default=None, help="scratch dir (default: a new one in /tmp)")
    ap.add_argument("--models", default=str(ROOT / ".bench" / "models"))
    ap.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", ""))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--intake-s", type=float, default=10)
    ap.add_argument("--ceiling-s", type=float, default=6)
    ap.add_argument("--page-requests", type=int, default=30)
    ap.add_argument("--page-reps", type=int, default=0, help="page repetitions (0: --reps)")
    ap.add_argument("--page-cap-s", type=float, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--export-requests", type=int, default=3)
    ap.add_argument("--export-cap-s", type=float, default=120)
    ap.add_argument("--hotline-rows", type=int, default=20_000)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--no-hotline", action="store_true")
    ap.add_argument("--label", default="bench")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    backends = [b for b in args.backends.split(",") if b]
    if "postgres" in backends and not args.pg_url:
        sys.exit("postgres needs --pg-url or BENCH_PG_URL (scripts/bench.sh starts a cluster)")
    args.secret_key = secrets.token_urlsafe(48)
    args.data_key = base64.b64encode(secrets.token_bytes(32)).decode()
    args.models = Path(args.models)
    work = (
        Path(args.work)
        if args.work
        else Path(
            subprocess.run(
                ["mktemp", "-d", "/tmp/xinfang-bench.XXXXXX"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    )
    work.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: (lc.stop_all(), sys.exit(143)))
    started = dt.datetime.now().astimezone()
    t_start = time.perf_counter()
    doc: dict[str, Any] = {
        "meta": {
            "label": args.label,
            "started": started.isoformat(timespec="seconds"),
            "versions": versions(),
            "machine": {
                "cores": os.cpu_count(),
                "kernel": platform.release(),
                "loadavg_at_start": os.getloadavg(),
            },
            "server": "gunicorn --workers 2 --worker-class sync, 127.0.0.1, production profile "
            "(config.settings.prod via bench.settings), X-Forwarded-Proto: https as behind nginx",
            "client": "stdlib threads, one TCP connection per request, same cores as the server",
            "params": {
                k: str(v) if isinstance(v, Path) else v
                for k, v in vars(args).items()
                if k not in {"secret_key", "data_key", "pg_url"}
            },
            "work": str(work),
        },
        "results": {},
    }
    R = doc["results"]
    try:
        if not (args.models.exists() and any(args.models.glob("*.json"))):
            log("routing model: training once (cached in .bench/models)")
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.dev",
                "XINFANG_VAR_DIR": str(work / "train"),
                "DEBUG": "0",
                "XINFANG_ROUTING_MODEL_DIR": str(args.models),
            }
            env.pop("DATABASE_URL", None)
            _, took = manage(env, "routing_train")
            R["routing_model_trained_s"] = round(took, 1)
        log("framework ceiling: bare Django view, no apps, no middleware")
        R["ceiling_min"] = phase_ceiling_min(args, work)
        log(f"  {R['ceiling_min']['median']}")
        for n in sizes:
            if not args.no_peer:
                log(f"peer django-helpdesk at N={n:,} (bench/peer/run.sh)")
                R[f"peer_N{n}"] = run_peer(args, n, work)
            for backend in backends:
                target = Target(args, backend, n, work)
                R[f"{backend}_N{n}"] = measure_target(args, target)
                json_dump(doc, args)  # partial results survive an interruption
        if not args.no_hotline:
            for backend in backends:
                log(f"hotline import, {args.hotline_rows:,} rows, {backend}")
                R[f"hotline_{backend}"] = hotline_import(args, backend, work)
    finally:
        lc.stop_all()
    doc["meta"]["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    doc["meta"]["machine"]["loadavg_at_end"] = os.getloadavg()
    doc["meta"]["wall_s"] = round(time.perf_counter() - t_start, 1)
    doc["summary"] = summarise(doc, sizes, backends)
    json_dump(doc, args)
    print(table(doc))
    log(f"written: {args.out}")


def json_dump(doc: dict[str, Any], args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
