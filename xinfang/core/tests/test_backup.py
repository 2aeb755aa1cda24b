"""Backup in this database, restore into a fresh one in another process, compare every row
and every file."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from xinfang.cases import services as s
from xinfang.cases.attachments import attachment_add
from xinfang.cases.tests.factories import register
from xinfang.core.backup import _models
from xinfang.org.models import Unit

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.security, pytest.mark.django_db(transaction=True)]


def _dump_here() -> dict[str, object]:
    from django.apps import apps
    from django.core import serializers

    return json.loads(
        json.dumps(
            {
                m._meta.label_lower: json.loads(
                    serializers.serialize(
                        "json", apps.get_model(m._meta.label_lower)._base_manager.order_by("pk")
                    )
                )
                for m in _models()
            },
            sort_keys=True,
        )
    )


def _dump(env: dict[str, str]) -> dict[str, object]:
    """Every row of every backed-up model, as JSON, from the database ``env`` points at."""
    labels = [m._meta.label_lower for m in _models()]
    code = (
        "import json,sys; from django.apps import apps; from django.core import serializers; "
        "labels=json.loads(sys.argv[1]); "
        "print(json.dumps({l: json.loads(serializers.serialize('json', "
        "apps.get_model(l)._base_manager.order_by('pk'))) for l in labels}, sort_keys=True))"
    )
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); exec({code!r})",
            json.dumps(labels),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_backup_restore_round_trip_compares_every_row_and_file(users, tmp_path):
    case = s.case_route(
        actor=users["clerk"], case=register(users), unit=Unit.objects.get(code="zjj")
    )
    data = b"%PDF-1.4 letter"
    attachment_add(
        actor=users["clerk"], case=case, name="信.pdf", stream=io.BytesIO(data), size=len(data)
    )
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    fresh_db = tmp_path / "restored.sqlite3"
    fresh_media = tmp_path / "media"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{fresh_db}",
        "XINFANG_TEST_MEDIA_ROOT": str(fresh_media),
    }
    for args in (["migrate", "-v0"], ["restore", str(archive)], ["verify_audit"]):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    original, restored = _dump_here(), _dump(env)
    assert original == restored
    rows = sum(len(v) for v in original.values())
    assert rows > 100
    media = Path(settings.MEDIA_ROOT)
    files = [p for p in media.rglob("*") if p.is_file()]
    assert len(files) >= 2  # the attachment and the transfer letter
    for path in files:
        copy = fresh_media / path.relative_to(media)
        assert (
            hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()
        )


def test_restore_refuses_a_database_that_is_not_empty(users, tmp_path):
    register(users)
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="empty"):
        call_command("restore", str(archive), stdout=io.StringIO())
