"""The benchmark's arithmetic: percentiles, ratios and the verdict on each target."""

from __future__ import annotations

from bench.loadclient import lat_summary, median_of, pct
from bench.report import summarise, table


def test_nearest_rank_percentiles():
    values = [float(v) for v in range(1, 101)]
    assert pct(values, 0.50) == 50
    assert pct(values, 0.99) == 99
    assert pct([], 0.5) is None
    assert lat_summary([0.010, 0.020, 0.030])["p50_ms"] == 20.0
    assert median_of([{"rps": 1}, {"rps": 5}, {"rps": 3}], ("rps",)) == {"rps": 3}


def _doc(intake_rps: float, peer_rps: float, ceiling_rps: float) -> dict[str, object]:
    def med(**kw: float) -> dict[str, object]:
        return {"median": kw}

    ours = {
        "ceiling_site": med(rps=ceiling_rps),
        "intake": {"api": med(rps=intake_rps, p50_ms=20, p99_ms=90), "every_201_is_a_row": True},
        "pages": {
            "case_page": med(p50_ms=50, p99_ms=140),
            "handler_queue": med(p50_ms=40, p99_ms=200),
            "leader_dashboard": med(p50_ms=100, p99_ms=400),
        },
        "memory": {"worker_rss_max_mb": 250.0},
    }
    peer = {
        "results": {
            "a_api_create": med(rps=peer_rps),
            "b_pages_N100": {"datatables_json": med(p50_ms=80, p99_ms=90)},
        }
    }
    return {"results": {"ceiling_min": med(rps=3000), "sqlite_N100": ours, "peer_N100": peer}}


def test_ratios_and_targets():
    doc = _doc(intake_rps=200, peer_rps=80, ceiling_rps=1000)
    s = summarise(doc, [100], ["sqlite"])["sqlite_N100"]
    assert s["intake_vs_peer_create"] == 2.5
    assert s["intake_vs_ceiling"] == 0.2
    assert s["queue_vs_peer_list_p50"] == 0.5
    t = s["targets"]
    assert t["intake_vs_peer_create"]["met"] is True
    assert t["intake_vs_ceiling"]["met"] is False
    assert t["intake_p99_ms"]["met"] is True
    assert t["case_page_p99_ms"]["met"] is True
    assert t["handler_queue_p99_ms"]["met"] is False
    assert t["worker_rss_max_mb"]["met"] is True
    doc["summary"] = summarise(doc, [100], ["sqlite"])
    text = table(doc)
    assert "MISSED" in text
    assert "2.50" in text
