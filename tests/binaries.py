"""Tests that need a program from the system skip without it on a laptop, and fail in CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def require_binary(name_or_path: str, install_hint: str = "") -> str:
    """Return the program's path; skip the test if it is missing, or fail under
    ``VECINOS_REQUIRE_ALL=1`` (set by CI), where a skipped test would hide a broken setup."""
    found = name_or_path if Path(name_or_path).is_file() else shutil.which(name_or_path)
    if found:
        return found
    message = f"{name_or_path} is not installed. {install_hint}".strip()
    if os.environ.get("VECINOS_REQUIRE_ALL") == "1":
        pytest.fail(message + " (VECINOS_REQUIRE_ALL=1 forbids skipping)")
    pytest.skip(message)
