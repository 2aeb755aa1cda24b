"""Side-by-side performance baseline of the django-helpdesk peer.

Standard library only. Run it with the peer venv's python (it starts gunicorn
with that interpreter). All traffic goes to 127.0.0.1; every load loop is
bounded in time and count; each gunicorn it starts is stopped by PID.

    python bench.py --db 10000=/tmp/peer-bench/db-10000.sqlite3 \
                    --db 100000=/tmp/peer-bench/db-100000.sqlite3 \
                    --out results.json [--reps 3] [--quick]

Measures (medians over --reps repetitions, per-repetition values kept):
  a) api_create      POST helpdesk/api/tickets/ (token auth), 8 clients, 20 s
  b) pages           dashboard, ticket-list page, its datatables JSON,
                     50 sequential requests each, at every --db size
  c) ceiling         bare Django "ok" view, 8 clients, 10 s: without
                     middleware/apps (bare_min) and through the peer site's
                     full middleware stack (bare_site)
  d) sqlite_raw      executemany in one transaction; one row per transaction
                     with WAL + synchronous=NORMAL
  extra: api_list    GET helpdesk/api/tickets/ (page 1), a few requests
"""

import argparse
import datetime as dt
import http.cookiejar
import importlib.metadata
import itertools
import json
import math
import os
import platform
import random
import re
import resource
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
HOST = "127.0.0.1"  # the only address this script ever connects to
sys.path.insert(0, str(HERE))
import seed  # noqa: E402  (text generator and bench credentials; no Django at import)

CLK_TCK = os.sysconf("SC_CLK_TCK")
_servers = []  # live Server objects, stopped on exit


# --------------------------------------------------------------------------
# HTTP: one connection per request (gunicorn sync workers close after each)
# --------------------------------------------------------------------------
def raw_request(port, method, path, headers=None, body=b""):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}",
             "Connection: close", "User-Agent: peer-bench/1"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send(port, raw, timeout=300.0):
    """Send one request; return (status, seconds, response bytes)."""
    t0 = time.perf_counter()
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(raw)
        buf = bytearray()
        while True:
            chunk = s.recv(262144)
            if not chunk:
                break
            buf += chunk
    elapsed = time.perf_counter() - t0
    status = int(buf[9:12]) if len(buf) >= 12 and buf[:5] == b"HTTP/" else 0
    return status, elapsed, bytes(buf)


def body_of(resp):
    i = resp.find(b"\r\n\r\n")
    return resp[i + 4:] if i >= 0 else b""


def pct(sorted_vals, q):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_vals:
        return None
    k = max(1, math.ceil(q * len(sorted_vals)))
    return sorted_vals[k - 1]


def lat_summary(lat):
    s = sorted(lat)
    ms = lambda v: None if v is None else round(v * 1000, 2)  # noqa: E731
    return {"n": len(s), "p50_ms": ms(pct(s, 0.50)), "p99_ms": ms(pct(s, 0.99)),
            "mean_ms": ms(statistics.fmean(s)) if s else None, "max_ms": ms(s[-1] if s else None)}


# --------------------------------------------------------------------------
# gunicorn lifecycle and CPU accounting via /proc
# --------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / CLK_TCK  # utime, stime
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


def children_of(pid):
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(d))
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return kids


class Server:
    def __init__(self, settings, db=None, workers=2, log_path=None):
        self.port = free_port()
        env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings, PYTHONUNBUFFERED="1")
        if db:
            env["PEER_DB"] = str(db)
        self.log = open(log_path or os.devnull, "ab")
        cmd = [sys.executable, "-m", "gunicorn", "peersite.wsgi:application",
               "--chdir", str(SITE), "--workers", str(workers), "--worker-class", "sync",
               "--bind", f"{HOST}:{self.port}", "--timeout", "300", "--backlog", "2048",
               "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=self.log)
        _servers.append(self)
        self.settings, self.db, self.workers = settings, db, workers
        deadline = time.time() + 90
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited early ({self.proc.returncode})")
            try:
                st, _, _ = send(self.port, raw_request(self.port, "GET", "/bare/"), timeout=10)
                if st == 200 and len(children_of(self.proc.pid)) >= workers:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("gunicorn did not become ready in 90 s")
            time.sleep(0.2)

    def pids(self):
        return [self.proc.pid] + children_of(self.proc.pid)

    def cpu_s(self):
        return sum(proc_cpu_s(p) for p in self.pids())

    def stop(self):
        if self.proc.poll() is None:
            workers = children_of(self.proc.pid)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            for w in workers:  # gunicorn reaps its workers; make sure, by PID
                try:
                    os.kill(w, 0)
                    os.kill(w, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.log.close()
        if self in _servers:
            _servers.remove(self)


def stop_all(*_):
    for s in list(_servers):
        s.stop()


# --------------------------------------------------------------------------
# load patterns
# --------------------------------------------------------------------------
def concurrent_load(server, make_raw, expect, clients, seconds, max_requests):
    """`clients` threads send back-to-back requests until `seconds` or
    `max_requests` is reached. Returns throughput, latency and CPU figures."""
    ticket = itertools.count()
    lock = threading.Lock()
    lat, bad, errors = [], Counter(), Counter()
    deadline = time.perf_counter() + seconds

    def worker(i):
        my_lat = []
        while time.perf_counter() < deadline:
            n = next(ticket)
            if n >= max_requests:
                break
            try:
                st, el, _ = send(server.port, make_raw(n), timeout=60)
            except OSError as e:
                with lock:
                    errors[type(e).__name__] += 1
                time.sleep(0.01)
                continue
            if st == expect:
                my_lat.append(el)
            else:
                with lock:
                    bad[st] += 1
        with lock:
            lat.extend(my_lat)

    ru0, cpu0, t0 = resource.getrusage(resource.RUSAGE_SELF), server.cpu_s(), time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ru1, cpu1 = resource.getrusage(resource.RUSAGE_SELF), server.cpu_s()
    ok = len(lat)
    out = {"ok": ok, "wall_s": round(wall, 2), "rps": round(ok / wall, 1) if wall else None,
           **{k: v for k, v in lat_summary(lat).items() if k != "n"},
           "non_2xx": dict(bad), "errors": dict(errors),
           "server_cpu_ms_per_req": round((cpu1 - cpu0) * 1000 / ok, 2) if ok else None,
           "client_cpu_s": round((ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime), 2)}
    return out


def sequential(server, raw, expect, count, seconds, check=None):
    """One client, `count` requests back to back, capped at `seconds`."""
    lat, bad = [], Counter()
    cpu0 = server.cpu_s()
    t_end = time.perf_counter() + seconds
    last = None
    for _ in range(count):
        if time.perf_counter() > t_end:
            break
        st, el, resp = send(server.port, raw)
        if st == expect and (check is None or check(resp)):
            lat.append(el)
            last = resp
        else:
            bad[st] += 1
    cpu1 = server.cpu_s()
    out = {**lat_summary(lat), "non_ok": dict(bad),
           "server_cpu_ms_per_req": round((cpu1 - cpu0) * 1000 / len(lat), 2) if lat else None}
    return out, last


def median_of(reps, keys=("rps", "p50_ms", "p99_ms", "server_cpu_ms_per_req")):
    med = {}
    for k in keys:
        vals = [r[k] for r in reps if r.get(k) is not None]
        med[k] = round(statistics.median(vals), 2) if vals else None
    return med


# --------------------------------------------------------------------------
# session login (urllib + cookie jar, no proxies)
# --------------------------------------------------------------------------
def login(port):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPCookieProcessor(jar))
    url = f"http://{HOST}:{port}/helpdesk/login/"
    html = opener.open(url, timeout=60).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"username": seed.BENCH_USER, "password": seed.BENCH_PASSWORD,
                                   "csrfmiddlewaretoken": csrf, "next": "/helpdesk/dashboard/"})
    opener.open(urllib.request.Request(url, data=data.encode(), headers={"Referer": url}),
                timeout=120).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError("login failed: no sessionid cookie")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# --------------------------------------------------------------------------
# phases
# --------------------------------------------------------------------------
def phase_ceiling(args, server, label):
    raw = raw_request(server.port, "GET", "/bare/")
    for _ in range(50):
        send(server.port, raw)
    reps = [concurrent_load(server, lambda n: raw, 200, args.clients, args.ceiling_s, 500_000)
            for _ in range(args.reps)]
    print(f"  {label}: " + json.dumps(median_of(reps)), file=sys.stderr)
    return {"clients": args.clients, "seconds": args.ceiling_s, "median": median_of(reps), "reps": reps}


def phase_pages(args, server, n_label):
    cookie = login(server.port)
    hdr = {"Cookie": cookie}
    dash = raw_request(server.port, "GET", "/helpdesk/dashboard/", hdr)
    lst = raw_request(server.port, "GET", "/helpdesk/tickets/", hdr)
    st, _, resp = send(server.port, lst)
    m = re.search(rb"datatables_ticket_list/([A-Za-z0-9+/=]+)", resp)
    if st != 200 or not m:
        raise RuntimeError(f"ticket list page failed ({st})")
    q = m.group(1).decode()
    # What the page's DataTables script asks for on first load (serverSide,
    # order: [] -> server default: the saved query's sort, created asc).
    dt_default = raw_request(server.port, "GET", f"/helpdesk/datatables_ticket_list/{q}"
                             "?draw=1&start=0&length=25&search%5Bvalue%5D=&search%5Bregex%5D=false", hdr)
    # A handler clicking the "created" header for newest first.
    dt_newest = raw_request(server.port, "GET", f"/helpdesk/datatables_ticket_list/{q}"
                            "?draw=2&start=0&length=25&order%5B0%5D%5Bcolumn%5D=5&order%5B0%5D%5Bdir%5D=desc"
                            "&search%5Bvalue%5D=&search%5Bregex%5D=false", hdr)
    endpoints = {
        "dashboard": (dash, lambda r: b"<html" in r[:4000] or b"<!DOCTYPE" in r[:4000].upper()),
        "ticket_list_page": (lst, lambda r: b"ticketTable" in r),
        "datatables_json": (dt_default, lambda r: b'"recordsTotal"' in r),
        "datatables_json_newest_first": (dt_newest, lambda r: b'"recordsTotal"' in r),
    }
    for raw, _ in endpoints.values():  # warm both workers
        for _ in range(args.warmup):
            send(server.port, raw)
    out = {k: {"reps": []} for k in endpoints}
    for rep in range(args.page_reps or args.reps):  # interleave endpoints so drift hits all alike
        for name, (raw, check) in endpoints.items():
            res, last = sequential(server, raw, 200, args.page_requests, args.page_cap_s, check)
            if name.startswith("datatables") and last is not None:
                d = json.loads(body_of(last))
                res["recordsTotal"] = d.get("recordsTotal")
                res["rows_returned"] = len(d.get("data", []))
            if last is not None:
                res["response_bytes"] = len(body_of(last))
            out[name]["reps"].append(res)
    for name in out:
        out[name]["median"] = median_of(out[name]["reps"], ("p50_ms", "p99_ms", "server_cpu_ms_per_req"))
        out[name]["requests_per_rep"] = args.page_requests
        print(f"  N={n_label} {name}: " + json.dumps(out[name]["median"]), file=sys.stderr)
    return out


def phase_api_list(args, server, n_label):
    raw = raw_request(server.port, "GET", "/helpdesk/api/tickets/",
                      {"Authorization": f"Token {seed.BENCH_TOKEN}", "Accept": "application/json"})
    send(server.port, raw)  # warm-up (also validates)
    res, last = sequential(server, raw, 200, args.api_list_requests, args.api_list_cap_s,
                           lambda r: b'"results"' in r)
    if last is not None:
        res["count_field"] = json.loads(body_of(last)).get("count")
    print(f"  N={n_label} api_list: " + json.dumps({k: res[k] for k in ("n", "p50_ms", "p99_ms")}),
          file=sys.stderr)
    return res


def phase_api_create(args, server, db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        queue_ids = [r[0] for r in c.execute("SELECT id FROM helpdesk_queue ORDER BY id")]
        before = c.execute("SELECT COUNT(*) FROM helpdesk_ticket").fetchone()[0]
    rng = random.Random(7)
    now = dt.datetime.now()
    bodies = []
    for i in range(2000):
        qi = rng.randrange(len(queue_ids))
        title, desc = seed.make_text(rng, seed.slots(rng, qi % len(seed.ISSUES), now))
        bodies.append(json.dumps({"queue": queue_ids[qi], "title": title, "description": desc,
                                  "submitter_email": f"citizen{rng.randint(1, 50000)}@example.com",
                                  "priority": rng.choice([2, 3, 3, 3, 4])}, ensure_ascii=False).encode())
    hdr = {"Authorization": f"Token {seed.BENCH_TOKEN}", "Content-Type": "application/json; charset=utf-8",
           "Accept": "application/json"}
    raws = [raw_request(server.port, "POST", "/helpdesk/api/tickets/", hdr, b) for b in bodies]
    st, _, resp = send(server.port, raws[0])
    if st != 201:
        raise RuntimeError(f"API create failed: {st} {body_of(resp)[:300]!r}")
    created_id = json.loads(body_of(resp))["id"]
    warm_ok = 1 + sum(send(server.port, r)[0] == 201 for r in raws[1:6])
    reps = [concurrent_load(server, lambda n: raws[n % len(raws)], 201, args.clients,
                            args.create_s, 100_000) for _ in range(args.reps)]
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        after = c.execute("SELECT COUNT(*) FROM helpdesk_ticket").fetchone()[0]
        fu = c.execute("SELECT COUNT(*) FROM helpdesk_followup WHERE ticket_id=?", (created_id,)).fetchone()[0]
    ok_total = sum(r["ok"] for r in reps) + warm_ok
    print("  api_create: " + json.dumps(median_of(reps)), file=sys.stderr)
    return {"clients": args.clients, "seconds": args.create_s, "median": median_of(reps), "reps": reps,
            "tickets_before": before, "tickets_after": after, "ok_responses_incl_warmup": ok_total,
            "rows_match_201_responses": (after - before) == ok_total,
            "followups_written_per_created_ticket": fu}


def phase_sqlite(args, workdir):
    ddl = ('CREATE TABLE t ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "title" varchar(200) NOT NULL,'
           ' "created" datetime NOT NULL, "submitter_email" varchar(254) NULL, "status" integer NOT NULL,'
           ' "on_hold" bool NOT NULL, "description" text NULL, "resolution" text NULL,'
           ' "priority" integer NOT NULL, "due_date" datetime NULL, "last_escalation" datetime NULL,'
           ' "assigned_to_id" integer NULL, "queue_id" integer NOT NULL, "secret_key" varchar(36) NOT NULL,'
           ' "kbitem_id" integer NULL, "modified" datetime NOT NULL, "merged_to_id" integer NULL)')
    idx = [f'CREATE INDEX t_{c} ON t ("{c}")' for c in ("assigned_to_id", "queue_id", "kbitem_id", "merged_to_id")]
    rng = random.Random(11)
    now = dt.datetime.now()
    rows = []
    for i in range(5000):
        qi = rng.randrange(10)
        title, desc = seed.make_text(rng, seed.slots(rng, qi, now))
        ts = (now - dt.timedelta(days=rng.uniform(0, 730))).isoformat(" ")
        rows.append((title, ts, f"citizen{i}@example.com", 1, 0, desc, None, 3, ts, None,
                     rng.choice([None, 1, 2]), qi + 1, f"{rng.getrandbits(128):032x}", None, ts, None))
    cols = ("title, created, submitter_email, status, on_hold, description, resolution, priority,"
            " due_date, last_escalation, assigned_to_id, queue_id, secret_key, kbitem_id, modified, merged_to_id")
    sql = f"INSERT INTO t ({cols}) VALUES ({','.join('?' * 16)})"
    path = workdir / "raw-sqlite-bench.sqlite3"

    def fresh():
        for sfx in ("", "-wal", "-shm"):
            Path(str(path) + sfx).unlink(missing_ok=True)
        c = sqlite3.connect(path, isolation_level=None)
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
        c.execute(ddl)
        for s in idx:
            c.execute(s)
        return c

    bulk, single = [], []
    for _ in range(args.reps):
        c = fresh()
        n, t0 = 0, time.perf_counter()
        c.execute("BEGIN")
        while n < args.sqlite_bulk_rows and time.perf_counter() - t0 < args.sqlite_s:
            c.executemany(sql, rows)
            n += len(rows)
        c.execute("COMMIT")
        el = time.perf_counter() - t0
        bulk.append({"rows": n, "seconds": round(el, 3), "rows_per_s": round(n / el)})
        c.close()

        c = fresh()
        n, t0 = 0, time.perf_counter()
        while n < args.sqlite_single_rows and time.perf_counter() - t0 < args.sqlite_s:
            c.execute("BEGIN")
            c.execute(sql, rows[n % len(rows)])
            c.execute("COMMIT")
            n += 1
        el = time.perf_counter() - t0
        single.append({"rows": n, "seconds": round(el, 3), "rows_per_s": round(n / el)})
        c.close()
    for sfx in ("", "-wal", "-shm"):
        Path(str(path) + sfx).unlink(missing_ok=True)
    avg_bytes = statistics.fmean(len(r[0].encode()) + len(r[5].encode()) + 120 for r in rows)
    res = {
        "row": "helpdesk_ticket columns + its 4 FK indexes, ~%d bytes UTF-8" % avg_bytes,
        "pragmas": "journal_mode=WAL, synchronous=NORMAL",
        "executemany_one_txn": {"median_rows_per_s": statistics.median(r["rows_per_s"] for r in bulk), "reps": bulk},
        "one_row_per_txn": {"median_rows_per_s": statistics.median(r["rows_per_s"] for r in single), "reps": single},
    }
    print("  sqlite: " + json.dumps({k: res[k]["median_rows_per_s"] for k in
                                     ("executemany_one_txn", "one_row_per_txn")}), file=sys.stderr)
    return res


def api_facts(server, db):
    """Facts about the peer checked on the running instance, not assumed."""
    hdr = {"Authorization": f"Token {seed.BENCH_TOKEN}", "Accept": "application/json"}
    st, _, resp = send(server.port, raw_request(server.port, "GET", "/helpdesk/api/", hdr))
    endpoints = sorted(json.loads(body_of(resp))) if st == 200 else f"HTTP {st}"
    probes = {path: send(server.port, raw_request(server.port, "GET", path, hdr))[0]
              for path in ("/helpdesk/api/queues/", "/helpdesk/api/schema/", "/helpdesk/api/openapi/")}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        idx = [r[0] for r in c.execute("SELECT sql FROM sqlite_master WHERE type='index' "
                                        "AND tbl_name='helpdesk_ticket' AND sql IS NOT NULL")]
    return {"api_root_endpoints": endpoints, "probe_status": probes, "helpdesk_ticket_indexes": idx}


def versions():
    v = {}
    for pkg in ("django-helpdesk", "Django", "djangorestframework", "gunicorn"):
        try:
            v[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            v[pkg] = None
    v["python"] = platform.python_version()
    v["sqlite"] = sqlite3.sqlite_version
    return v


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "loadavg_at_start": os.getloadavg()}


def main():
    ap = argparse.ArgumentParser(description="django-helpdesk peer baseline")
    ap.add_argument("--db", action="append", required=True, metavar="N=PATH",
                    help="seeded database with N tickets (repeat for each size)")
    ap.add_argument("--out", help="write the JSON here as well as to stdout")
    ap.add_argument("--workdir", default="/tmp/peer-bench")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--create-s", type=float, default=20)
    ap.add_argument("--ceiling-s", type=float, default=10)
    ap.add_argument("--page-requests", type=int, default=50)
    ap.add_argument("--page-reps", type=int, default=0, help="repetitions of b) (default: --reps)")
    ap.add_argument("--page-cap-s", type=float, default=60)
    ap.add_argument("--warmup", type=int, default=4)
    ap.add_argument("--api-list-requests", type=int, default=3)
    ap.add_argument("--api-list-cap-s", type=float, default=60)
    ap.add_argument("--sqlite-s", type=float, default=15)
    ap.add_argument("--sqlite-bulk-rows", type=int, default=300_000)
    ap.add_argument("--sqlite-single-rows", type=int, default=200_000)
    ap.add_argument("--attach", action="append", default=[], metavar="NAME=FILE",
                    help="embed a JSON file (e.g. seed.py output) under 'attached'")
    ap.add_argument("--quick", action="store_true", help="smoke test: 1 rep, short runs")
    args = ap.parse_args()
    if args.quick:
        args.reps, args.create_s, args.ceiling_s, args.page_requests = 1, 3, 3, 5
        args.api_list_requests, args.sqlite_s = 1, 2
    dbs = []
    for spec in args.db:
        n, _, p = spec.partition("=")
        dbs.append((int(n), Path(p)))
    dbs.sort()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: (stop_all(), sys.exit(143)))

    started = dt.datetime.now().astimezone()
    result = {"meta": {"peer": "django-helpdesk", "started": started.isoformat(timespec="seconds"),
                       "versions": versions(), "machine": machine(),
                       "server": "gunicorn --workers 2 --worker-class sync, 127.0.0.1, DEBUG=False",
                       "client": f"stdlib threads, one TCP connection per request (sync workers close), "
                                 f"same 2 cores as the server",
                       "params": {k: v for k, v in vars(args).items() if k not in ("db", "out", "attach")}},
              "results": {}}
    result["attached"] = {}
    for spec in args.attach:
        name, _, path = spec.partition("=")
        result["attached"][name] = json.loads(Path(path).read_text(encoding="utf-8"))
    R = result["results"]
    log = workdir / "gunicorn.log"
    try:
        if args.sqlite_s > 0:  # --sqlite-s 0 skips it (make bench measures it once itself)
            print("d) raw sqlite", file=sys.stderr)
            R["d_sqlite_raw"] = phase_sqlite(args, workdir)

        print("c) framework ceiling", file=sys.stderr)
        srv = Server("peersite.settings_bare", log_path=log)
        try:
            R["c_bare_min"] = phase_ceiling(args, srv, "bare_min (no apps, no middleware)")
        finally:
            srv.stop()

        for i, (n, db) in enumerate(dbs):
            print(f"b) pages at N={n}", file=sys.stderr)
            srv = Server("peersite.settings", db=db, log_path=log)
            try:
                R[f"b_pages_N{n}"] = phase_pages(args, srv, n)
                if args.api_list_requests > 0:  # O(N) per request: 0 skips it
                    R[f"x_api_list_N{n}"] = phase_api_list(args, srv, n)
                if i == 0:
                    result["meta"]["peer_facts"] = api_facts(srv, db)
                    R["c_bare_site"] = phase_ceiling(args, srv, "bare_site (peer middleware stack)")
                    print(f"a) API ticket creation at N={n}", file=sys.stderr)
                    R["a_api_create"] = phase_api_create(args, srv, db)
                    R["a_api_create"]["db_tickets_at_start"] = n
            finally:
                srv.stop()
    finally:
        stop_all()

    summary = {
        "a_api_create_rps": R["a_api_create"]["median"]["rps"],
        "a_api_create_p50_ms": R["a_api_create"]["median"]["p50_ms"],
        "a_api_create_p99_ms": R["a_api_create"]["median"]["p99_ms"],
        "a_api_create_server_cpu_ms_per_req": R["a_api_create"]["median"]["server_cpu_ms_per_req"],
    }
    for n, _ in dbs:
        for name, v in R[f"b_pages_N{n}"].items():
            summary[f"b_{name}_N{n}_p50_ms"] = v["median"]["p50_ms"]
            summary[f"b_{name}_N{n}_p99_ms"] = v["median"]["p99_ms"]
        if f"x_api_list_N{n}" in R:
            summary[f"x_api_list_N{n}_p50_ms"] = R[f"x_api_list_N{n}"]["p50_ms"]
    summary["c_bare_min_rps"] = R["c_bare_min"]["median"]["rps"]
    summary["c_bare_site_rps"] = R["c_bare_site"]["median"]["rps"]
    if "d_sqlite_raw" in R:
        summary["d_sqlite_executemany_one_txn_rows_per_s"] = R["d_sqlite_raw"]["executemany_one_txn"]["median_rows_per_s"]
        summary["d_sqlite_one_row_per_txn_wal_normal_rows_per_s"] = R["d_sqlite_raw"]["one_row_per_txn"]["median_rows_per_s"]
    result["summary"] = summary
    result["meta"]["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
