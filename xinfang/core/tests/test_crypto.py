from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from xinfang.core import crypto
from xinfang.core.crypto import DecryptionError, blind_index, decrypt, encrypt

pytestmark = pytest.mark.security


@pytest.fixture(autouse=True)
def _fresh_keys():
    crypto._master_key.cache_clear()
    crypto._derived.cache_clear()
    yield
    crypto._master_key.cache_clear()
    crypto._derived.cache_clear()


@pytest.mark.parametrize("cipher", ["aes", "sm4"])
def test_round_trip_and_random_nonces(cipher):
    with override_settings(XINFANG_DATA_CIPHER=cipher):
        a, b = encrypt("530423199001011234"), encrypt("530423199001011234")
        assert a.startswith(f"enc1:{cipher}:")
        assert a != b
        assert "530423" not in a
        assert decrypt(a) == decrypt(b) == "530423199001011234"


def test_values_written_by_either_cipher_stay_readable():
    with override_settings(XINFANG_DATA_CIPHER="sm4"):
        old = encrypt("13800001111")
    assert decrypt(old) == "13800001111"


@pytest.mark.parametrize("cipher", ["aes", "sm4"])
def test_altered_ciphertext_is_refused(cipher):
    with override_settings(XINFANG_DATA_CIPHER=cipher):
        token = encrypt("13800001111")
        prefix, name, payload = token.split(":", 2)
        flipped = payload[:-6] + ("A" if payload[-6] != "A" else "B") + payload[-5:]
        with pytest.raises(DecryptionError):
            decrypt(f"{prefix}:{name}:{flipped}")


def test_another_key_cannot_read():
    token = encrypt("13800001111")
    with override_settings(XINFANG_DATA_KEY="A" * 43 + "="):
        crypto._master_key.cache_clear()
        crypto._derived.cache_clear()
        with pytest.raises(DecryptionError):
            decrypt(token)


def test_blind_index_is_keyed_and_normalised():
    assert blind_index("53042319900101123x") == blind_index(" 53042319900101123X")
    assert blind_index("13800001111") != blind_index("13800001112")
    assert len(blind_index("13800001111")) == 64
    assert blind_index("") == ""


@pytest.mark.django_db
def test_petitioner_numbers_are_encrypted_in_the_database(users):
    from xinfang.cases.models import Petitioner
    from xinfang.cases.selectors import earlier_cases
    from xinfang.cases.tests.factories import register

    case = register(users)
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM cases_petitioner")
        raw_id, raw_phone = cur.fetchone()
    assert raw_id.startswith("enc1:")
    assert "530423199001011234" not in raw_id
    assert "13800001111" not in raw_phone
    person = Petitioner.objects.get()
    assert person.id_number == "530423199001011234"
    assert person.phone == "13800001111"
    found = earlier_cases(users["clerk"], phone="138 0000 1111")
    assert [c for c, why in found] == [case]
    assert earlier_cases(users["clerk"], id_number="530423199001011234")[0][1] == "same_person"
