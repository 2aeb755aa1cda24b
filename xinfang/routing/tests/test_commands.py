from __future__ import annotations

import csv
import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command

from xinfang.routing.datasets import bundled_path


def run(*args: str, **kwargs: object) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def test_routing_eval_prints_one_json_line_for_any_csv(routing_settings, tmp_path):
    path = tmp_path / "sample.csv"
    with gzip.open(bundled_path("complaints-test-raw.csv.gz"), "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:20]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["title", "body", "category"])
        writer.writeheader()
        for row in rows:
            writer.writerow({"title": row["title"], "body": row["body"], "category": row["label"]})
    output = run(
        "routing_eval",
        "--csv",
        str(path),
        "--text-columns",
        "title,body",
        "--label-column",
        "category",
    )
    lines = output.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["n"] == 20
    assert {"accuracy", "macro_f1", "per_class_f1", "mean_latency_ms", "model"} <= set(result)
    assert 0 <= result["accuracy"] <= 1
    assert result["mean_latency_ms"] > 0


def test_routing_eval_refuses_missing_columns(routing_settings, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,text\n1,路灯坏了\n", encoding="utf-8")
    with pytest.raises(CommandError, match="label"):
        run("routing_eval", "--csv", str(path))


def test_duplicate_detector_evaluation_on_the_labelled_pairs():
    result = json.loads(run("routing_eval", "--duplicates"))
    assert result["pairs"] == 450
    assert result["same_matter_pairs"] == 164
    near = result["near_duplicate"]
    assert near["threshold"] == 0.3
    assert near["precision"] >= 0.9
    assert near["recall"] >= 0.8
    assert result["held_out"]["scored_on_odd_rows"]["f1"] >= 0.85


def test_routing_train_writes_a_versioned_model(tmp_path):
    output = run(
        "routing_train",
        "--output-dir",
        str(tmp_path),
        "--limit",
        "300",
        "--evaluation-limit",
        "100",
        "--min-macro-f1",
        "0",
    )
    summary = json.loads(output.strip().splitlines()[-1])
    assert summary["passed"] is True
    assert summary["rows"] == 300
    assert summary["n"] == 100
    assert (tmp_path / f"routing-{summary['version']}.joblib").exists()
    assert (tmp_path / f"routing-{summary['version']}.json").exists()
    again = run("routing_train", "--output-dir", str(tmp_path), "--if-missing")
    assert "nothing to do" in again


def test_a_model_below_the_pass_mark_is_not_used(tmp_path):
    from xinfang.routing.classifier import newest_passing

    with pytest.raises(CommandError, match="did not pass"):
        run(
            "routing_train",
            "--output-dir",
            str(tmp_path),
            "--limit",
            "100",
            "--evaluation-limit",
            "100",
            "--min-macro-f1",
            "0.99",
        )
    assert newest_passing(tmp_path) is None
