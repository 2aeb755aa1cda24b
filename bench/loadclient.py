"""A small HTTP load client and gunicorn supervisor (standard library only).

The same technique as the peer's harness (bench/peer/bench.py), so both sides are measured
alike: one TCP connection per request (gunicorn's sync workers close after each), threads as
concurrent clients, every loop bounded in time and in count, server CPU read from /proc, every
server stopped by its PID. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
_servers: list[Server] = []


# --- HTTP -------------------------------------------------------------------------------------
def raw_request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Connection: close",
        "User-Agent: xinfang-bench/1",
    ]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send(port: int, raw: bytes, timeout: float = 300.0) -> tuple[int, float, bytes]:
    """Send one request; return (status, seconds, whole response)."""
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


def body_of(resp: bytes) -> bytes:
    i = resp.find(b"\r\n\r\n")
    return resp[i + 4 :] if i >= 0 else b""


def header_values(resp: bytes, name: str) -> list[str]:
    head = resp.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    prefix = name.lower() + ":"
    return [
        line.split(":", 1)[1].strip()
        for line in head.split("\r\n")[1:]
        if line.lower().startswith(prefix)
    ]


def pct(sorted_vals: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_vals:
        return None
    k = max(1, math.ceil(q * len(sorted_vals)))
    return sorted_vals[k - 1]


def lat_summary(lat: list[float]) -> dict[str, Any]:
    s = sorted(lat)

    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 2)

    return {
        "n": len(s),
        "p50_ms": ms(pct(s, 0.50)),
        "p99_ms": ms(pct(s, 0.99)),
        "mean_ms": ms(statistics.fmean(s)) if s else None,
        "max_ms": ms(s[-1] if s else None),
    }


# --- gunicorn and /proc ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def proc_cpu_s(pid: int) -> float:
    try:
        parts = _stat(pid)
        return (int(parts[11]) + int(parts[12])) / CLK_TCK  # utime, stime
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


def children_of(pid: int) -> list[int]:
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if int(_stat(int(d))[1]) == pid:
                kids.append(int(d))
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return kids


def memory_mb(pid: int) -> dict[str, float]:
    """Resident set now (VmRSS) and its peak (VmHWM) of one process, in MB."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(line.split()[1]) / 1024, 1)
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


class Server:
    """gunicorn with N sync workers on 127.0.0.1; ready when `ready_path` answers 200."""

    def __init__(
        self,
        cmd_prefix: list[str],
        app: str,
        *,
        env: dict[str, str],
        chdir: Path,
        ready_path: str,
        workers: int = 2,
        log_path: Path | None = None,
        ready_headers: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.workers = workers
        self.log = open(log_path or os.devnull, "ab")  # noqa: SIM115 (closed in stop)
        cmd = [
            *cmd_prefix,
            "-m",
            "gunicorn",
            app,
            "--chdir",
            str(chdir),
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"{HOST}:{self.port}",
            "--timeout",
            "300",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=self.log)
        _servers.append(self)
        deadline = time.time() + 120
        raw = raw_request(self.port, "GET", ready_path, ready_headers)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited early ({self.proc.returncode}), see {log_path}"
                )
            try:
                st, _, _ = send(self.port, raw, timeout=30)
                if st == 200 and len(children_of(self.proc.pid)) >= workers:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                self.stop()
                raise RuntimeError("gunicorn did not become ready in 120 s")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        return children_of(self.proc.pid)

    def pids(self) -> list[int]:
        return [self.proc.pid, *self.worker_pids()]

    def cpu_s(self) -> float:
        return sum(proc_cpu_s(p) for p in self.pids())

    def memory(self) -> dict[str, Any]:
        workers = {str(p): memory_mb(p) for p in self.worker_pids()}
        return {
            "master": memory_mb(self.proc.pid),
            "workers": workers,
            "worker_rss_max_mb": max((m.get("VmRSS", 0) for m in workers.values()), default=0),
            "worker_peak_rss_max_mb": max((m.get("VmHWM", 0) for m in workers.values()), default=0),
        }

    def stop(self) -> None:
        if self.proc.poll() is None:
            workers = self.worker_pids()
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


def stop_all(*_: Any) -> None:
    for s in list(_servers):
        s.stop()


# --- load patterns -----------------------------------------------------------------------------
Step = tuple[bytes, int]  # a raw request and the status it must answer


def concurrent_load(
    server: Server,
    make_steps: Callable[[int], list[Step]],
    *,
    clients: int,
    seconds: float,
    max_iterations: int,
    check: Callable[[int, bytes], bool] | None = None,
) -> dict[str, Any]:
    """`clients` threads run iterations back to back until `seconds` or `max_iterations`.

    An iteration is one or more requests in order (e.g. routing suggestion, then the
    registration); it counts as done when every step answered its expected status. Returns
    throughput (iterations/s), latency of whole iterations and server CPU per iteration."""
    ticket = itertools.count()
    lock = threading.Lock()
    lat: list[float] = []
    bad: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        mine = []
        while time.perf_counter() < deadline:
            n = next(ticket)
            if n >= max_iterations:
                break
            total, ok = 0.0, True
            for i, (raw, expect) in enumerate(make_steps(n)):
                try:
                    st, el, resp = send(server.port, raw, timeout=120)
                except OSError as e:
                    with lock:
                        errors[type(e).__name__] += 1
                    ok = False
                    time.sleep(0.01)
                    break
                total += el
                if st != expect or (check is not None and not check(i, resp)):
                    with lock:
                        bad[f"step{i}:{st}"] += 1
                    ok = False
                    break
            if ok:
                mine.append(total)
        with lock:
            lat.extend(mine)

    ru0, cpu0, t0 = resource.getrusage(resource.RUSAGE_SELF), server.cpu_s(), time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ru1, cpu1 = resource.getrusage(resource.RUSAGE_SELF), server.cpu_s()
    ok = len(lat)
    summary = lat_summary(lat)
    return {
        "ok": ok,
        "wall_s": round(wall, 2),
        "rps": round(ok / wall, 1) if wall else None,
        **{k: v for k, v in summary.items() if k != "n"},
        "non_2xx": dict(bad),
        "errors": dict(errors),
        "server_cpu_ms_per_req": round((cpu1 - cpu0) * 1000 / ok, 2) if ok else None,
        "client_cpu_s": round((ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime), 2),
    }


def sequential(
    server: Server,
    make_raw: Callable[[int], bytes],
    *,
    expect: int,
    count: int,
    seconds: float,
    check: Callable[[bytes], bool] | None = None,
) -> tuple[dict[str, Any], bytes | None]:
    """One client, `count` requests back to back, capped at `seconds`."""
    lat: list[float] = []
    bad: Counter[int] = Counter()
    cpu0 = server.cpu_s()
    t_end = time.perf_counter() + seconds
    last = None
    for i in range(count):
        if time.perf_counter() > t_end:
            break
        st, el, resp = send(server.port, make_raw(i))
        if st == expect and (check is None or check(resp)):
            lat.append(el)
            last = resp
        else:
            bad[st] += 1
    cpu1 = server.cpu_s()
    out = {
        **lat_summary(lat),
        "non_ok": dict(bad),
        "server_cpu_ms_per_req": round((cpu1 - cpu0) * 1000 / len(lat), 2) if lat else None,
    }
    return out, last


def median_of(
    reps: list[dict[str, Any]],
    keys: Sequence[str] = ("rps", "p50_ms", "p99_ms", "server_cpu_ms_per_req"),
) -> dict[str, Any]:
    med = {}
    for k in keys:
        vals = [r[k] for r in reps if r.get(k) is not None]
        med[k] = round(statistics.median(vals), 2) if vals else None
    return med


# --- a signed-in browser -----------------------------------------------------------------------
class Session:
    """Cookies of one signed-in user; requests look as if nginx forwarded them over HTTPS."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**h, **(extra or {})}

    def _keep(self, resp: bytes) -> None:
        for value in header_values(resp, "Set-Cookie"):
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def request(self, method: str, path: str, body: bytes = b"", **extra: str) -> bytes:
        st, _, resp = send(
            self.port, raw_request(self.port, method, path, self.headers(extra), body)
        )
        self._keep(resp)
        return resp

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def origin(self) -> str:
        return f"https://{HOST}:{self.port}"

    def login(self, username: str, password: str) -> None:
        from urllib.parse import urlencode

        page = self.request("GET", "/accounts/login/")
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not m:
            raise RuntimeError(f"no login form: {page[:300]!r}")
        form = urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": m.group(1).decode(),
            }
        ).encode()
        resp = self.request(
            "POST",
            "/accounts/login/",
            form,
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin(),
                "Referer": self.origin() + "/accounts/login/",
            },
        )
        if "sessionid" not in self.cookies or resp[9:12] != b"302":
            raise RuntimeError(f"login of {username} failed: {resp[:200]!r}")
        self.request("GET", "/")  # the csrftoken cookie of the signed-in session
