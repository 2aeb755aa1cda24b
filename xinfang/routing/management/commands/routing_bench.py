from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.models import Case, Petitioner
from xinfang.org.models import Role, User
from xinfang.routing import services
from xinfang.routing.classifier import current_model, percentile
from xinfang.routing.datasets import REPLIES_FILE, UNLABELLED_FILE, read_bundled


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "p50_ms": round(ordered[len(ordered) // 2], 2),
        "p95_ms": round(percentile(ordered, 95), 2),
        "max_ms": round(ordered[-1], 2),
    }


CPU: list[float] = []  # CPU time of each measured call, in the order measured


def _timed(fn: Callable[[], Any]) -> float:
    """Wall-clock ms; the CPU ms go to ``CPU`` (wall time rises when others share the machine;
    the database's own work in SQLite is in-process, so it counts as CPU here)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    fn()
    CPU.append((time.process_time() - cpu_started) * 1000)
    return (time.perf_counter() - started) * 1000


def _measure(fns: list[Callable[[], Any]]) -> dict[str, Any]:
    CPU.clear()
    wall = [_timed(fn) for fn in fns]
    cpu = sorted(CPU)
    return {
        **_summary(wall),
        "cpu_mean_ms": round(statistics.fmean(cpu), 2),
        "cpu_p95_ms": round(percentile(cpu, 95), 2),
    }


class Command(BaseCommand):
    help = (
        "Measure suggestion latency and the repeat/duplicate check latency on the current "
        "database (e.g. after generate_cases 1000000 and routing_index); prints one JSON line."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("-n", type=int, default=300, help="petitions per measurement")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])  # noqa: S311 (sampling test data, not secrets)
        n = options["n"]
        clerk = User.objects.filter(role=Role.CLERK, is_active=True).first()
        if clerk is None:
            raise CommandError("needs an active clerk account (seed_demo)")
        model = current_model()
        if model is None:
            raise CommandError("no routing model passed evaluation; run routing_train")
        # New texts: the unlabelled messages (generate_cases draws on the replies file, so these
        # are not in the database); copied texts: the replies messages (many copies each).
        fresh = rng.sample(read_bundled(UNLABELLED_FILE), n)
        copied = rng.sample(read_bundled(REPLIES_FILE), n)
        people = self._people(rng, n)
        services.suggest(title="预热", content="预热")  # jieba's dictionary, the model

        def suggest_one(row: dict[str, str]) -> None:
            services.suggest(title=row["title"], content=row["body"])

        def check_with_person(row: dict[str, str], person: Petitioner | None) -> None:
            services.similar_cases(
                user=clerk,
                title=row["title"],
                content=row["body"],
                petitioner_id_number=person.id_number if person else None,
                phone=person.phone if person else None,
                name=person.name if person else None,
                division=person.case.division if person else None,
            )

        def check_text(row: dict[str, str]) -> None:
            services.similar_cases(user=clerk, title=row["title"], content=row["body"])

        sys.stderr.write("measuring suggest()\n")
        suggest_ms = _measure([partial(suggest_one, row) for row in fresh])
        sys.stderr.write("measuring similar_cases() with new texts and a known person\n")
        person_ms = _measure(
            [
                partial(check_with_person, row, people[i] if people else None)
                for i, row in enumerate(fresh)
            ]
        )
        sys.stderr.write("measuring similar_cases() with texts that have many copies\n")
        copied_ms = _measure([partial(check_text, row) for row in copied])
        result = {
            "cases": Case.objects.count(),
            "model": model.version,
            "suggest": suggest_ms,
            "similar_cases_new_text_and_person": person_ms,
            "similar_cases_copied_text": copied_ms,
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _people(self, rng: random.Random, n: int) -> list[Petitioner]:
        """Random existing petitioners (their ID, phone, name and place are looked up)."""
        top = Petitioner.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        people: list[Petitioner] = []
        for _ in range(n if top else 0):
            person = (
                Petitioner.objects.select_related("case__division")
                .filter(pk__gte=rng.randint(1, top))
                .order_by("pk")
                .first()
            )
            if person is not None:
                people.append(person)
        return people
