"""GB 11643-1999 resident ID numbers and phone numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from xinfang.portal.validators import id_check_char, validate_id_number, validate_phone


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the standard's own example
        "11010519491231002x",  # lower-case x is accepted and normalised
        "53042319900101123X",  # check character from the ISO 7064 MOD 11-2 formula
        " 110105194912310 02X ",  # spaces are ignored
    ],
)
def test_valid_id_numbers(number):
    validate_id_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "check"),  # last character wrong
        ("11010519491231002", "format"),  # 17 characters
        ("1101051949123100XX", "format"),
        ("110105194913310024", "birth_date"),  # month 13
        ("110105189912310024", "birth_date"),  # born before 1900
        ("110105299912310024", "birth_date"),  # born in the future
    ],
)
def test_invalid_id_numbers(number, code):
    with pytest.raises(ValidationError) as info:
        validate_id_number(number)
    assert info.value.code == code


def test_check_character_table():
    # ISO 7064 MOD 11-2: the remainder 2 maps to X.
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"
    assert id_check_char("53042319900101123") == "X"


@pytest.mark.parametrize("phone", ["13912345678", "+86 139 1234 5678", "0877-3012345"])
def test_valid_phones(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "2391234567", "139123456789"])
def test_invalid_phones(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)
