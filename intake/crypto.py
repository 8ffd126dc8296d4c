"""Authenticated encryption with a rotatable key ring, and keyed hashing for contact continuity."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class KeyRing:
    """Fernet keys, newest first: new data uses the newest; any key in the ring can still read."""

    def __init__(self, keys: tuple[str, ...] | list[str]) -> None:
        if not keys:
            raise ValueError("the key ring needs at least one key")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, text: str) -> bytes:
        """Encrypt text for storage."""
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """Decrypt stored text; raises InvalidToken when no key in the ring fits."""
        return self._fernet.decrypt(bytes(token)).decode("utf-8")

    def encrypt_json(self, value: Any) -> bytes:
        """Encrypt a JSON-able value."""
        return self.encrypt(json.dumps(value, separators=(",", ":")))

    def decrypt_json(self, token: bytes) -> Any:
        """Decrypt a JSON value stored with encrypt_json."""
        return json.loads(self.decrypt(token))

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the newest key, keeping the content."""
        return self._fernet.rotate(bytes(token))


def contact_key(hash_key: str, channel_identity: str) -> str:
    """HMAC-SHA256 of a phone number or chat session: continuity without keeping the identity."""
    return hmac.new(hash_key.encode(), channel_identity.encode(), hashlib.sha256).hexdigest()


__all__ = ["InvalidToken", "KeyRing", "contact_key"]
