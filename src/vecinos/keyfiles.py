"""Keys the demo generates into its data folder.

Only demo mode uses these files; outside demo mode a missing key stops start-up, because a server
that invents its own encryption key on a fresh disk would silently make old data unreadable.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path


def new_field_key() -> str:
    """A fresh 256-bit key for encrypted fields, as URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def read_or_create(path: Path, make: object) -> str:
    """Return the key stored at ``path``, writing ``make()`` there (mode 0600) the first time."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value: str = make()  # type: ignore[operator]  # a zero-argument key generator
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value
