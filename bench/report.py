"""The benchmark's summary (medians, ratios, targets of issue 11) and its table on screen."""

from __future__ import annotations

from typing import Any

# Issue 11 targets (2-core machine, medians of the benchmark).
TARGETS = {
    "intake_vs_peer_create": ("intake throughput / peer ticket creation", ">=", 2.0),
    "intake_vs_ceiling": ("intake throughput / bare view in the same server", ">=", 0.5),
    "intake_p99_ms": ("intake p99 (ms)", "<", 100),
    "case_page_p99_ms": ("case page p99 (ms)", "<", 150),
    "handler_queue_p99_ms": ("handler queue p99 (ms)", "<", 150),
    "leader_dashboard_p99_ms": ("leader dashboard p99 (ms)", "<", 500),
    "worker_rss_max_mb": ("worker RSS (MB)", "<", 300),
}


def _get(d: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def _ratio(a: Any, b: Any) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, 2) if a / b >= 0.1 else round(a / b, 4)


def summarise(doc: dict[str, Any], sizes: list[int], backends: list[str]) -> dict[str, Any]:
    R = doc["results"]
    out: dict[str, Any] = {"ceiling_min_rps": _get(R, "ceiling_min", "median", "rps")}
    for n in sizes:
        peer = R.get(f"peer_N{n}") or {}
        pr = peer.get("results", {})
        p = {
            "create_rps": _get(pr, "a_api_create", "median", "rps"),
            "create_p50_ms": _get(pr, "a_api_create", "median", "p50_ms"),
            "create_p99_ms": _get(pr, "a_api_create", "median", "p99_ms"),
            "create_cpu_ms": _get(pr, "a_api_create", "median", "server_cpu_ms_per_req"),
            "ticket_list_json_p50_ms": _get(
                pr, f"b_pages_N{n}", "datatables_json", "median", "p50_ms"
            ),
            "ticket_list_json_p99_ms": _get(
                pr, f"b_pages_N{n}", "datatables_json", "median", "p99_ms"
            ),
            "ticket_list_page_p50_ms": _get(
                pr, f"b_pages_N{n}", "ticket_list_page", "median", "p50_ms"
            ),
            "dashboard_p50_ms": _get(pr, f"b_pages_N{n}", "dashboard", "median", "p50_ms"),
            "dashboard_p99_ms": _get(pr, f"b_pages_N{n}", "dashboard", "median", "p99_ms"),
            "bare_min_rps": _get(pr, "c_bare_min", "median", "rps"),
            "bare_site_rps": _get(pr, "c_bare_site", "median", "rps"),
        }
        out[f"peer_N{n}"] = p
        for b in backends:
            r = R.get(f"{b}_N{n}")
            if not r:
                continue
            pages = r.get("pages", {})
            s: dict[str, Any] = {
                "generate_cases_per_s": _get(
                    r, "prepare", "generate_cases", "cases_per_s_reported"
                ),
                "ceiling_site_rps": _get(r, "ceiling_site", "median", "rps"),
                "intake_rps": _get(r, "intake", "api", "median", "rps"),
                "intake_p50_ms": _get(r, "intake", "api", "median", "p50_ms"),
                "intake_p99_ms": _get(r, "intake", "api", "median", "p99_ms"),
                "intake_cpu_ms": _get(r, "intake", "api", "median", "server_cpu_ms_per_req"),
                "intake_no_lost_rows": _get(r, "intake", "every_201_is_a_row"),
                "export_rows": _get(r, "export", "rows_in_file"),
                "export_p50_ms": _get(r, "export", "p50_ms"),
                "export_rows_per_s": _get(r, "export", "rows_per_s_p50"),
                "worker_rss_max_mb": _get(r, "memory", "worker_rss_max_mb"),
                "worker_peak_rss_max_mb": _get(r, "memory", "worker_peak_rss_max_mb"),
            }
            for name in (
                "case_page",
                "handler_queue",
                "leader_dashboard",
                "search",
                "case_list_all",
            ):
                s[f"{name}_p50_ms"] = _get(pages, name, "median", "p50_ms")
                s[f"{name}_p99_ms"] = _get(pages, name, "median", "p99_ms")
            s["intake_vs_peer_create"] = _ratio(s["intake_rps"], p["create_rps"])
            s["intake_vs_ceiling"] = _ratio(s["intake_rps"], s["ceiling_site_rps"])
            s["intake_vs_ceiling_min"] = _ratio(s["intake_rps"], out["ceiling_min_rps"])
            # latency ratios: below 1 means we are faster
            s["queue_vs_peer_list_p50"] = _ratio(
                s["handler_queue_p50_ms"], p["ticket_list_json_p50_ms"]
            )
            s["dashboard_vs_peer_dashboard_p50"] = _ratio(
                s["leader_dashboard_p50_ms"], p["dashboard_p50_ms"]
            )
            s["targets"] = {
                key: _check(s.get(key), op, bound) for key, (_l, op, bound) in TARGETS.items()
            }
            out[f"{b}_N{n}"] = s
        for b in backends:
            h = R.get(f"hotline_{b}")
            if h:
                out[f"hotline_{b}_rows_per_s"] = (h.get("rows_per_s_csv"), h.get("rows_per_s_xlsx"))
    return out


def _check(value: Any, op: str, bound: float) -> dict[str, Any]:
    if value is None:
        return {"value": None, "met": None}
    met = value >= bound if op == ">=" else value < bound
    return {"value": value, "bound": f"{op} {bound}", "met": met}


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        if abs(v) < 0.1:
            return f"{v:.3g}"
        return f"{v:,.2f}" if abs(v) < 10 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


ROWS = [
    ("intake (REST API, with routing advice), 8 clients: req/s", "intake_rps", "create_rps"),
    (
        "intake p50 / p99 (ms)",
        ("intake_p50_ms", "intake_p99_ms"),
        ("create_p50_ms", "create_p99_ms"),
    ),
    ("intake server CPU per request (ms)", "intake_cpu_ms", "create_cpu_ms"),
    ("case page p50 / p99 (ms)", ("case_page_p50_ms", "case_page_p99_ms"), None),
    (
        "handler queue | peer ticket list JSON p50 / p99",
        ("handler_queue_p50_ms", "handler_queue_p99_ms"),
        ("ticket_list_json_p50_ms", "ticket_list_json_p99_ms"),
    ),
    (
        "leader dashboard | peer dashboard p50 / p99",
        ("leader_dashboard_p50_ms", "leader_dashboard_p99_ms"),
        ("dashboard_p50_ms", "dashboard_p99_ms"),
    ),
    ("full-text search p50 / p99 (ms)", ("search_p50_ms", "search_p99_ms"), None),
    (
        "all cases, newest first p50 / p99 (ms)",
        ("case_list_all_p50_ms", "case_list_all_p99_ms"),
        None,
    ),
    ("xlsx export: rows, p50 (ms)", ("export_rows", "export_p50_ms"), None),
    ("xlsx export rows/s", "export_rows_per_s", None),
    ("worker RSS now / peak (MB)", ("worker_rss_max_mb", "worker_peak_rss_max_mb"), None),
    ("bare view in the same server: req/s", "ceiling_site_rps", "bare_site_rps"),
    ("generate_cases: cases/s", "generate_cases_per_s", None),
    ("ratio intake / peer creation", "intake_vs_peer_create", None),
    ("ratio intake / bare view, same server", "intake_vs_ceiling", None),
    ("ratio intake / bare view, no middleware", "intake_vs_ceiling_min", None),
    ("ratio queue p50 / peer list p50 (<1 faster)", "queue_vs_peer_list_p50", None),
    ("ratio dashboard p50 / peer's (<1 faster)", "dashboard_vs_peer_dashboard_p50", None),
]


def _cell(d: dict[str, Any], key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, tuple):
        return " / ".join(_fmt(d.get(k)) for k in key)
    return _fmt(d.get(key))


def table(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    cols = sorted(k for k in s if (k.startswith(("sqlite_N", "postgres_N"))))
    peers = sorted(k for k in s if k.startswith("peer_N"))
    header = ["measure (medians)", *cols, *[f"{p} (SQLite)" for p in peers]]
    lines = []
    for label, ours, theirs in ROWS:
        row = [label, *[_cell(s[c], ours) for c in cols]]
        row += [_cell(s[p], theirs) for p in peers]
        lines.append(row)
    lines.append(
        [
            "bare view, no apps/middleware: req/s",
            *[_fmt(s.get("ceiling_min_rps"))] * len(cols),
            *[_fmt(s[p].get("bare_min_rps")) for p in peers],
        ]
    )
    for key in sorted(k for k in s if k.startswith("hotline_")):
        lines.append(
            [f"hotline import rows/s ({key.split('_')[1]})", *[""] * len(cols), *[""] * len(peers)]
        )
        idx = 1 + next((i for i, c in enumerate(cols) if c.startswith(key.split("_")[1])), 0)
        lines[-1][idx] = " / ".join(_fmt(v) for v in s[key])
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
    out = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    out += [" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in lines]
    out.append("")
    out.append("targets (issue 11):")
    for c in cols:
        for key, (label, op, bound) in TARGETS.items():
            t = s[c]["targets"][key]
            mark = "met" if t["met"] else ("MISSED" if t["met"] is False else "n/a")
            out.append(f"  {c:<16} {label:<52} {_fmt(t['value']):>8} {op} {bound}: {mark}")
    return "\n".join(out)
