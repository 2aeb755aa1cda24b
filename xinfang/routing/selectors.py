"""Clusters of near-identical open petitions from several petitioners (集体/联名/串联信访).

Open cases that share a MinHash band (fingerprints.py) and whose word Jaccard similarity is at
least ``NEAR_DUPLICATE_JACCARD`` are joined into one cluster (union-find); a cluster is shown
when it has at least two cases from at least two different petitioners. Supervisors see them
to coordinate one answer (信访工作条例 art. 19: several people with a common matter; DOMAIN.md
§4: repeatedly petitioned matters get supervision)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from xinfang.cases.models import Case, Petitioner
from xinfang.cases.selectors import ACTIVE_STATUSES, cases_visible_to

from .conf import routing_setting
from .fingerprints import BAND_FIELDS
from .models import CaseFingerprint
from .text import jaccard, word_set

if TYPE_CHECKING:
    from xinfang.org.models import User


@dataclass(frozen=True)
class DuplicateCluster:
    cases: list[Case]  # newest first
    petitioners: int  # distinct people (ID number, phone, else name)
    min_similarity: float  # the weakest verified link that joined the cluster

    @property
    def size(self) -> int:
        return len(self.cases)

    @property
    def latest(self) -> date:
        return max(c.received_on for c in self.cases)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def open_cases_visible_to(user: User) -> QuerySet[Case]:
    return cases_visible_to(user).filter(status__in=ACTIVE_STATUSES)


def _buckets(scope: QuerySet[Case]) -> list[list[int]]:
    """Groups of open cases that share a band key, one indexed GROUP BY per band."""
    ids = scope.values("pk")
    buckets: list[list[int]] = []
    for field in BAND_FIELDS:
        shared = (
            CaseFingerprint.objects.filter(case_id__in=ids, **{f"{field}__isnull": False})
            .values(field)
            .annotate(n=Count("case_id"))
            .filter(n__gt=1)
            .values(field)
        )
        members: dict[int, list[int]] = defaultdict(list)
        rows = CaseFingerprint.objects.filter(
            case_id__in=ids, **{f"{field}__in": shared}
        ).values_list(field, "case_id")
        for key, case_id in rows:
            members[key].append(case_id)
        buckets.extend(sorted(m) for m in members.values())
    return buckets


def _petitioner_count(case_ids: list[int]) -> dict[int, set[str]]:
    people: dict[int, set[str]] = defaultdict(set)
    rows = Petitioner.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "id_number_digest", "phone_digest", "name"
    )
    for case_id, id_digest, phone_digest, name in rows:
        people[case_id].add(id_digest or phone_digest or f"name:{name}")
    return people


def duplicate_clusters(
    user: User, *, min_cases: int = 2, min_petitioners: int = 2, limit: int = 50
) -> list[DuplicateCluster]:
    """Clusters of near-identical open cases the user may see, largest and newest first."""
    threshold = float(routing_setting("NEAR_DUPLICATE_JACCARD"))
    scope = open_cases_visible_to(user)
    buckets = _buckets(scope)
    involved = sorted({pk for bucket in buckets for pk in bucket})
    if not involved:
        return []
    words: dict[int, frozenset[str]] = {}
    for start in range(0, len(involved), 2000):
        chunk = involved[start : start + 2000]
        for pk, text in Case.objects.filter(pk__in=chunk).values_list("pk", "search_text"):
            words[pk] = word_set(text)
    groups = _UnionFind()
    weakest: dict[tuple[int, int], float] = {}
    for bucket in buckets:
        head = bucket[0]
        for other in bucket[1:]:
            if (head, other) in weakest:
                continue
            similarity = jaccard(words.get(head, frozenset()), words.get(other, frozenset()))
            weakest[(head, other)] = similarity
            if similarity >= threshold:
                groups.union(head, other)
    members: dict[int, list[int]] = defaultdict(list)
    for pk in involved:
        members[groups.find(pk)].append(pk)
    candidates = [m for m in members.values() if len(m) >= min_cases]
    if not candidates:
        return []
    people = _petitioner_count([pk for m in candidates for pk in m])
    weakest_link: dict[int, float] = {}
    for (a, _b), similarity in weakest.items():
        if similarity >= threshold:
            root = groups.find(a)
            weakest_link[root] = min(similarity, weakest_link.get(root, 1.0))
    kept: list[tuple[list[int], int, float]] = []
    for member_ids in candidates:
        distinct = set().union(*(people.get(pk, set()) for pk in member_ids))
        if len(distinct) >= min_petitioners:
            root = groups.find(member_ids[0])
            kept.append((member_ids, len(distinct), weakest_link.get(root, 0.0)))
    loaded = scope.in_bulk([pk for ids, _, _ in kept for pk in ids])
    clusters = [
        DuplicateCluster(
            cases=sorted(
                (loaded[pk] for pk in ids if pk in loaded),
                key=lambda c: (c.received_on, c.pk),
                reverse=True,
            ),
            petitioners=count,
            min_similarity=round(similarity, 3),
        )
        for ids, count, similarity in kept
    ]
    clusters = [c for c in clusters if c.size >= min_cases]
    clusters.sort(key=lambda c: (c.size, c.latest), reverse=True)
    return clusters[:limit]
