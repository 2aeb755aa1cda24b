"""Checks of what a citizen types in: resident ID numbers and phone numbers."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 11643-1999 (公民身份号码): 6-digit address code, 8-digit birth date, 3-digit order code,
# 1 check character computed with ISO 7064 MOD 11-2.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
# Mainland mobile numbers, or a landline with area code (0871-12345678).
PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalise_id_number(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_id_number(value: str) -> None:
    """An 18-character resident ID number with a real birth date and a correct check
    character (GB 11643-1999)."""
    number = normalise_id_number(value)
    if not ID_PATTERN.match(number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits, then a digit or X."), code="format"
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > timezone.localdate():
        raise ValidationError(
            _("The date of birth in this ID number (digits 7 to 14) is not a real date."),
            code="birth_date",
        )
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("This ID number is not valid: please check it digit by digit."), code="check"
        )


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_phone(value: str) -> None:
    if not PHONE_PATTERN.match(normalise_phone(value)):
        raise ValidationError(
            _("Enter an 11-digit mobile number, or a landline with its area code."),
            code="phone",
        )
