"""Profile evidence for a missed target: one request type, in process, under cProfile.

    .venv/bin/python bench/profile_request.py --target /tmp/xinfang-bench.XXXX/sqlite-100000 \
        intake

Uses the database a benchmark run left in its scratch directory (env.json there), the
production profile, and Django's test client (no network, no gunicorn). Prints the wall time
per request, the SQL statements per request and the functions with the most cumulative time.
Writes to the database like the benchmark does (intake registers real cases).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "what",
        choices=["intake", "case_page", "handler_queue", "leader_dashboard", "search", "export"],
    )
    ap.add_argument("--target", required=True, help="a <backend>-<N> dir of a benchmark run")
    ap.add_argument("-n", type=int, default=30, help="requests profiled")
    ap.add_argument("--top", type=int, default=35)
    ap.add_argument("--sort", default="cumulative", help="pstats key, e.g. tottime")
    args = ap.parse_args()
    target = Path(args.target)
    os.environ.update(json.loads((target / "env.json").read_text()))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from xinfang.api.services import api_token_issue
    from xinfang.org.models import User

    settings.ALLOWED_HOSTS = ["*"]
    facts = json.loads((target / "facts.json").read_text(encoding="utf-8"))
    https = {"secure": True}
    who = {
        "intake": "clerk",
        "case_page": "handler",
        "handler_queue": "handler",
        "leader_dashboard": "leader",
        "search": "clerk",
        "export": "clerk",
    }[args.what]
    client = Client()
    client.force_login(User.objects.get(username=who))
    headers: dict[str, str] = {}
    if args.what == "intake":
        key = api_token_issue(
            actor=None, user=User.objects.get(username="clerk"), name="profile"
        ).key
        client = Client(enforce_csrf_checks=False)
        headers = {"Authorization": f"Bearer {key}"}
    bodies = facts["intake_bodies"]
    ids = facts["case_ids"]
    words = list(facts["search_words"]) or ["工资"]

    def one(i: int) -> int:
        if args.what == "intake":
            r = client.post(
                "/api/v1/cases/",
                data=json.dumps(bodies[i % len(bodies)]),
                content_type="application/json",
                headers=headers,
                **https,
            )
            return int(r.status_code)
        path = {
            "case_page": f"/cases/{ids[i % len(ids)]}/",
            "handler_queue": "/cases/?queue=in_handling&sort=due",
            "leader_dashboard": "/analytics/",
            "search": f"/cases/?q={words[i % len(words)]}",
            "export": f"/cases/export.xlsx?received_from={facts['export_from']}&sort=-received",
        }[args.what]
        return int(client.get(path, **https).status_code)

    status = one(0)  # warm caches, imports and the routing model
    expected = 201 if args.what == "intake" else 200
    if status != expected:
        sys.exit(f"{args.what}: HTTP {status}")
    queries: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - t, sql))

    with connection.execute_wrapper(timed):
        one(1)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for i in range(2, 2 + args.n):
        one(i)
    prof.disable()
    wall = (time.perf_counter() - t0) / args.n
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(
        f"{args.what}: {wall * 1000:.1f} ms per request in process ({args.n} requests), "
        f"{len(queries)} SQL statements in one request, slowest:"
    )
    for took, sql in sorted(queries, key=lambda q: -q[0])[:8]:
        print(f"  {took * 1000:7.1f} ms  {sql[:220]}")
    print(out.getvalue())


if __name__ == "__main__":
    main()
