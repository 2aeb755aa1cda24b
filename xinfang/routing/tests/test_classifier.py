from __future__ import annotations

import json
import shutil

import pytest

from xinfang.routing import classifier
from xinfang.routing.datasets import TEST_FILE, examples_from_rows, read_bundled, training_set


def test_manifest_records_data_hash_metrics_and_checksum(small_model_dir):
    manifest = classifier.manifests(small_model_dir)[0]
    assert manifest["data"]["hash"] == training_set(limit=900).digest()
    assert manifest["data"]["sources"] == {"public-train": 900}
    assert set(manifest["data"]["labels"]) == {
        "城乡建设",
        "劳动和社会保障",
        "教育文体",
        "商贸旅游",
        "环境保护",
        "卫生计生",
        "交通运输",
    }
    evaluation = manifest["evaluation"]
    assert evaluation["n"] == 300
    assert evaluation["dataset"] == TEST_FILE
    assert 0 < evaluation["macro_f1"] <= 1
    assert len(evaluation["per_class_f1"]) == 7
    assert manifest["passed"] is True  # pass mark 0 for the small model
    assert (small_model_dir / manifest["file"]).exists()
    assert manifest["sha256"] == classifier._sha256(small_model_dir / manifest["file"])


def test_small_model_ranks_every_category_with_probabilities(routing_settings):
    model = classifier.current_model()
    ranked = model.rank("小区楼顶漏水两年，房屋渗水发霉，物业一直不维修")
    assert [label for label, _ in ranked][0] == "城乡建设"
    assert sum(p for _, p in ranked) == pytest.approx(1.0)
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)


def test_small_model_is_far_better_than_chance_on_held_out_raw_text(routing_settings):
    model = classifier.current_model()
    examples = list(
        examples_from_rows(
            read_bundled("complaints-test-raw.csv.gz"),
            text_columns=["title", "body"],
            label_column="label",
        )
    )
    result = classifier.evaluate(model.predict, examples)
    assert result["n"] == len(examples) > 30
    assert result["accuracy"] > 0.6  # seven categories: chance is about 0.2


def test_site_uses_the_newest_model_that_passed(tmp_path, small_model_dir):
    source = classifier.manifests(small_model_dir)[0]
    shutil.copy(small_model_dir / source["file"], tmp_path / source["file"])
    older = {**source, "created_at": "2026-01-01T00:00:00+00:00", "version": "old"}
    newer_failed = {
        **source,
        "created_at": "2026-06-01T00:00:00+00:00",
        "version": "new",
        "passed": False,
    }
    (tmp_path / "routing-old.json").write_text(json.dumps(older))
    (tmp_path / "routing-new.json").write_text(json.dumps(newer_failed))
    assert classifier.newest_passing(tmp_path)["version"] == "old"
    newer_failed["passed"] = True
    (tmp_path / "routing-new.json").write_text(json.dumps(newer_failed))
    assert classifier.newest_passing(tmp_path)["version"] == "new"


def test_a_model_file_that_does_not_match_its_manifest_is_refused(tmp_path, small_model_dir):
    manifest = classifier.manifests(small_model_dir)[0]
    target = tmp_path / manifest["file"]
    shutil.copy(small_model_dir / manifest["file"], target)
    with target.open("ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ValueError, match="does not match"):
        classifier.load_pipeline(manifest, tmp_path)  # the pipeline (training, conversion)


def test_no_model_and_no_auto_training_means_no_suggestions(settings, tmp_path):
    from xinfang.routing.services import suggest

    settings.XINFANG_ROUTING = {"MODEL_DIR": tmp_path, "AUTO_TRAIN": False}
    assert classifier.current_model() is None
    assert suggest(title="路灯不亮", content="村里路灯坏了半年") == []


@pytest.mark.django_db
def test_training_with_cases_adds_the_bureaus_handled_cases(users):
    from xinfang.cases.models import Category
    from xinfang.cases.services import case_accept, case_route
    from xinfang.cases.tests.factories import register
    from xinfang.org.models import Unit

    transport = Category.objects.get(code="transport")
    accepted = register(users, category=transport, title="公交站台被占", content="车站被摊贩占用")
    case_route(actor=users["clerk"], case=accepted, unit=Unit.objects.get(code="zjj"))
    accepted.refresh_from_db()
    case_accept(actor=users["handler"], case=accepted)
    register(users, title="未受理的案件", content="还在登记，不算")

    data = training_set(with_cases=True, limit=50)
    assert data.sources == {"public-train": 50, "cases": 1}
    assert data.examples[-1].label == "交通运输"
    assert "公交站台被占" in data.examples[-1].text
    assert data.digest() != training_set(limit=50).digest()


@pytest.fixture
def fresh_install(settings, tmp_path, monkeypatch):
    """No model on disk and automatic training on; the background training is the real one on
    a small even sample (300 rows), so that the test stays short."""
    settings.XINFANG_ROUTING = {"MODEL_DIR": tmp_path, "AUTO_TRAIN": True, "MIN_MACRO_F1": 0.0}
    real = classifier.train_and_save

    def small(**kwargs):
        return real(**kwargs, limit=300, evaluation_limit=60)

    monkeypatch.setattr(classifier, "train_and_save", small)
    monkeypatch.setattr(classifier, "_training", {})
    classifier._loaded.clear()
    yield tmp_path
    for thread in classifier._training.values():
        thread.join(timeout=120)
    classifier._loaded.clear()


def test_a_fresh_installation_trains_in_the_background_and_then_suggests(fresh_install):
    model, status = classifier.model_for_request(start_training=False)
    assert (model, status) == (None, classifier.UNAVAILABLE)  # an empty form starts nothing
    assert classifier._training == {}
    model, status = classifier.model_for_request()
    assert (model, status) == (None, classifier.TRAINING)
    assert classifier.model_for_request() == (None, classifier.TRAINING)  # one training only
    [thread] = classifier._training.values()
    thread.join(timeout=120)
    model, status = classifier.model_for_request()
    assert status == classifier.READY
    assert model is not None
    assert model.manifest["data"]["rows"] == 300
    assert classifier.newest_passing(fresh_install)["version"] == model.version


def test_a_background_training_that_fails_evaluation_is_not_repeated(fresh_install, settings):
    settings.XINFANG_ROUTING = {**settings.XINFANG_ROUTING, "MIN_MACRO_F1": 1.01}
    assert classifier.model_for_request() == (None, classifier.TRAINING)
    [thread] = classifier._training.values()
    thread.join(timeout=120)
    assert classifier.model_for_request() == (None, classifier.UNAVAILABLE)
    assert len(classifier._training) == 1  # not started again by the next request
    assert len(classifier.manifests(fresh_install)) == 1  # trained and recorded, not used
    assert classifier.newest_passing(fresh_install) is None


def test_compact_form_gives_the_pipelines_probabilities(small_model_dir):
    import numpy as np

    from xinfang.routing.compact import CompactClassifier
    from xinfang.routing.datasets import public_split
    from xinfang.routing.text import classifier_text

    manifest = classifier.manifests(small_model_dir)[0]
    assert manifest["compact_sha256"] == classifier._sha256(
        small_model_dir / manifest["compact_file"]
    )
    pipeline = classifier.load_pipeline(manifest, small_model_dir)
    compact = CompactClassifier.load(small_model_dir / manifest["compact_file"])
    texts = [classifier_text(e.text) for e in public_split(TEST_FILE)[:200]] + ["", "路灯"]
    expected = pipeline.predict_proba(texts)
    got = compact.predict_proba(texts)
    assert list(compact.classes_) == [str(c) for c in pipeline.classes_]
    assert np.abs(expected - got).max() < 1e-5
    assert (expected.argmax(axis=1) == got.argmax(axis=1)).all()


def test_a_model_without_compact_form_is_converted_on_load(tmp_path, small_model_dir):
    source = classifier.manifests(small_model_dir)[0]
    shutil.copy(small_model_dir / source["file"], tmp_path / source["file"])
    old = {k: v for k, v in source.items() if not k.startswith("compact_")}
    (tmp_path / "routing-x.json").write_text(json.dumps(old))
    model = classifier.load(old, tmp_path)
    text = "小区楼顶漏水两年，房屋渗水发霉，物业一直不维修"
    assert model.rank(text) == classifier.load(source, small_model_dir).rank(text)


def test_a_compact_file_that_does_not_match_its_manifest_is_refused(tmp_path, small_model_dir):
    source = classifier.manifests(small_model_dir)[0]
    shutil.copy(small_model_dir / source["compact_file"], tmp_path / source["compact_file"])
    with (tmp_path / source["compact_file"]).open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(ValueError, match="does not match"):
        classifier.load(source, tmp_path)


def test_serving_a_model_imports_neither_scikit_learn_nor_scipy(small_model_dir):
    # A web worker holds the compact form only (about 150 MB less per worker).
    import os
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup()\n"
        "from django.conf import settings\n"
        f"settings.XINFANG_ROUTING = {{'MODEL_DIR': {str(small_model_dir)!r}, "
        "'MIN_MACRO_F1': 0.0, 'AUTO_TRAIN': False}\n"
        "from xinfang.routing import classifier, fingerprints\n"
        "model, status = classifier.model_for_request()\n"
        "assert status == 'ready', status\n"
        "model.rank('路灯坏了'); fingerprints.band_keys('路灯 坏了 很久')\n"
        "print(sorted(m for m in ('sklearn', 'scipy', 'joblib', 'datasketch') "
        "if m in sys.modules))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
