"""Indexes for repeat and duplicate detection, kept in step with the cases (fingerprints.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.cases.models import Case, Petitioner


class CaseFingerprint(models.Model):
    """MinHash LSH band keys of a case's text (重复/联名信访 detection).

    Two cases whose word-pair sets are similar share at least one band key with high
    probability (fingerprints.py gives the numbers); each band is an indexed column, so the
    candidates for a new petition are found with one indexed lookup per band, whatever the
    number of cases. A text too short to have word pairs has no keys (NULL)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    words = models.PositiveIntegerField(default=0)  # distinct words, for statistics
    b0 = models.BigIntegerField(null=True, db_index=True)
    b1 = models.BigIntegerField(null=True, db_index=True)
    b2 = models.BigIntegerField(null=True, db_index=True)
    b3 = models.BigIntegerField(null=True, db_index=True)
    b4 = models.BigIntegerField(null=True, db_index=True)
    b5 = models.BigIntegerField(null=True, db_index=True)
    b6 = models.BigIntegerField(null=True, db_index=True)
    b7 = models.BigIntegerField(null=True, db_index=True)
    b8 = models.BigIntegerField(null=True, db_index=True)
    b9 = models.BigIntegerField(null=True, db_index=True)
    b10 = models.BigIntegerField(null=True, db_index=True)
    b11 = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        verbose_name = _("case fingerprint")
        verbose_name_plural = _("case fingerprints")

    def __str__(self) -> str:
        return f"fingerprint of case {self.case_id}"


class PetitionerKey(models.Model):
    """A keyed digest of a petitioner's name and the case's place, so "same name in the same
    division" is an indexed lookup; the name itself is not stored here (PIPL)."""

    petitioner = models.OneToOneField(
        Petitioner, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)

    class Meta:
        # Equality look-ups only (no LIKE index on PostgreSQL, see xinfang.cases.models.Case).
        indexes = [models.Index(fields=["key"], name="petitionerkey_key_idx")]
        verbose_name = _("petitioner key")
        verbose_name_plural = _("petitioner keys")

    def __str__(self) -> str:
        return f"key of petitioner {self.petitioner_id}"
