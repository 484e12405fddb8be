"""Field encryption and keyed hashes.

Values are sealed with AES-256-GCM (authenticated: a tampered value fails to open rather than
decrypting to garbage). The token names the key that sealed it, so after a new key is put first in
``VECINOS_FIELD_KEY`` old values stay readable until ``vecinos rotate-keys`` re-seals them.

Encrypted values cannot be searched, so each searchable field has a keyed hash beside it
(HMAC-SHA256 under a key derived from the field key). Without the key, the hash of a phone number
cannot be computed from a list of phone numbers, which a plain hash would allow.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

TOKEN_PREFIX = "g1"  # noqa: S105  # a format tag, not a secret
NONCE_BYTES = 12


class UndecryptableError(Exception):
    """A stored value that no configured key opens: a key was removed before rotation finished,
    or the value was altered."""


@lru_cache(maxsize=8)
def _keyring(keys: tuple[bytes, ...]) -> tuple[tuple[str, AESGCM, bytes], ...]:
    ring = []
    for key in keys:
        key_id = hashlib.sha256(b"vecinos key id\0" + key).hexdigest()[:8]
        hash_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"vecinos keyed hash v1"
        ).derive(key)
        ring.append((key_id, AESGCM(key), hash_key))
    return tuple(ring)


def keyring() -> tuple[tuple[str, AESGCM, bytes], ...]:
    """(key id, cipher, hash key) for every configured key, newest first."""
    return _keyring(tuple(settings.VECINOS_FIELD_KEYS))


def current_key_id() -> str:
    return keyring()[0][0]


def encrypt(plaintext: str) -> str:
    key_id, cipher, _hash_key = keyring()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plaintext.encode("utf-8"), key_id.encode("ascii"))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{TOKEN_PREFIX}.{key_id}.{body}"


def token_key_id(token: str) -> str:
    """The id of the key that sealed ``token``."""
    try:
        prefix, key_id, _body = token.split(".", 2)
    except ValueError:
        raise UndecryptableError("not an encrypted value") from None
    if prefix != TOKEN_PREFIX:
        raise UndecryptableError("unknown encryption format")
    return key_id


def decrypt(token: str) -> str:
    key_id = token_key_id(token)
    body = token.split(".", 2)[2]
    for candidate_id, cipher, _hash_key in keyring():
        if candidate_id != key_id:
            continue
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            opened = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode("ascii"))
        except (InvalidTag, binascii.Error, ValueError):
            raise UndecryptableError("the value was altered or is damaged") from None
        return opened.decode("utf-8")
    raise UndecryptableError(f"no configured key has id {key_id}; was it removed too early?")


def keyed_hash(value: str, purpose: str) -> str:
    """Hash of ``value`` under the newest key. ``purpose`` separates kinds of values (phone,
    e-mail) so equal strings of different kinds never collide."""
    return _hash_with(keyring()[0][2], value, purpose)


def keyed_hashes(value: str, purpose: str) -> list[str]:
    """Hashes of ``value`` under every configured key, for lookups that must also find rows not
    yet re-hashed by ``rotate-keys``."""
    return [_hash_with(hash_key, value, purpose) for _id, _cipher, hash_key in keyring()]


def _hash_with(hash_key: bytes, value: str, purpose: str) -> str:
    message = purpose.encode("utf-8") + b"\0" + value.encode("utf-8")
    return hmac.new(hash_key, message, hashlib.sha256).hexdigest()
