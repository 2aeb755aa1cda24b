"""Database side of the benchmark: facts the load client needs, read through the ORM.

    DJANGO_SETTINGS_MODULE=bench.settings python bench/prepare.py facts --out facts.json
    DJANGO_SETTINGS_MODULE=bench.settings python bench/prepare.py count

``facts`` writes the ids of real cases (case page), the handler's unit, the filter that selects
10,000 rows for the export, search words that find cases, and 2,000 intake bodies for the REST
API built from the bundled public petition texts. Nothing here is timed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEARCH_WORDS = ["工资", "噪音", "物业", "拆迁", "补偿"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文"
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(rng: random.Random) -> str:
    """A syntactically valid resident ID (GB 11643 check digit) of this county."""
    body = (
        f"530423{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        f"{rng.randint(0, 999):03d}"
    )
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def intake_bodies(n: int, *, seed: int) -> list[dict[str, object]]:
    from xinfang.cases.models import Category
    from xinfang.cases.synthetic import samples
    from xinfang.org.models import Division

    rng = random.Random(seed)
    texts = samples()
    categories = list(Category.objects.values_list("code", flat=True))
    divisions = list(
        Division.objects.filter(level__in=["township", "village"]).values_list("code", flat=True)
    )
    bodies = []
    for _ in range(n):
        sample = rng.choice(texts)
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        bodies.append(
            {
                "channel": rng.choice(["online", "letter", "visit", "phone", "hotline"]),
                "petition_type": rng.choices(["appeal", "suggestion"], weights=[85, 15])[0],
                "category": rng.choice(categories),
                "title": sample.title[:120],
                "content": sample.body[:4000],
                "division": rng.choice(divisions),
                "petitioners": [
                    {
                        "name": name,
                        "id_number": id_number(rng),
                        "phone": f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
                    }
                ],
            }
        )
    return bodies


def facts(args: argparse.Namespace) -> dict[str, object]:
    from django.db import connection
    from django.utils import timezone

    from xinfang.cases.filters import CaseFilterForm
    from xinfang.cases.models import Case
    from xinfang.cases.search import search
    from xinfang.cases.selectors import cases_visible_to
    from xinfang.org.models import User

    today = timezone.localdate()
    rng = random.Random(args.seed)
    handler = User.objects.get(username="handler")
    clerk = User.objects.get(username="clerk")
    visible = cases_visible_to(handler)
    handler_ids = list(visible.order_by("-id").values_list("id", flat=True)[:5000])
    case_ids = rng.sample(handler_ids, min(len(handler_ids), 200))
    in_handling = CaseFilterForm({"queue": "in_handling", "sort": "due"}).apply(
        visible, today=today
    )
    # The newest received_on that still selects at least EXPORT_ROWS cases for the clerk.
    dates = list(
        cases_visible_to(clerk)
        .order_by("-received_on", "-id")
        .values_list("received_on", flat=True)[args.export_rows - 1 : args.export_rows]
    )
    export_from = dates[0].isoformat() if dates else "2000-01-01"
    export_rows = cases_visible_to(clerk).filter(received_on__gte=export_from).count()
    words = {w: search(cases_visible_to(clerk), w).count() for w in SEARCH_WORDS}
    bodies = intake_bodies(args.bodies, seed=args.seed)
    return {
        "vendor": connection.vendor,
        "cases": Case.objects.count(),
        "case_ids": case_ids,
        "handler_unit": handler.unit.code if handler.unit else None,
        "handler_visible": visible.count(),
        "handler_in_handling": in_handling.count(),
        "export_from": export_from,
        "export_rows": export_rows,
        "search_words": {w: c for w, c in words.items() if c},
        "intake_bodies": bodies,
    }


def index(args: argparse.Namespace) -> dict[str, object]:
    """The routing index for the repeat check, made complete: ``generate_cases`` writes every
    case's fingerprint and every petitioner's key with the cases, so this normally finds
    nothing to do; it indexes whatever is missing, as ``manage.py routing_index`` does."""
    import time

    from xinfang.cases.models import Case
    from xinfang.routing.fingerprints import index_missing
    from xinfang.routing.models import CaseFingerprint

    started = time.perf_counter()
    cases, people = index_missing()
    took = time.perf_counter() - started
    return {
        "cases_fingerprinted_now": cases,
        "petitioners_keyed_now": people,
        "fingerprints": CaseFingerprint.objects.count(),
        "all_cases": Case.objects.count(),
        "seconds": round(took, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["facts", "count", "index"])
    ap.add_argument("--out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bodies", type=int, default=2000)
    ap.add_argument("--export-rows", type=int, default=10_000)
    args = ap.parse_args()
    import django

    django.setup()
    if args.what == "index":
        print(json.dumps(index(args)))
        return
    if args.what == "count":
        from xinfang.cases.models import Case

        print(json.dumps({"cases": Case.objects.count()}))
        return
    text = json.dumps(facts(args), ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
