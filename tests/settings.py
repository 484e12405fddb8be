"""Test settings: the real settings module, with fixed test keys and a throwaway data folder.

Only what cannot come from the environment in a test run is set here; the database still comes from
VECINOS_DATABASE_URL, so the same suite runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("VECINOS_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
# Two keys: the newest first, an older one still readable (exercised by the rotation tests).
os.environ.setdefault(
    "VECINOS_FIELD_KEY",
    "dGVzdC1maWVsZC1rZXktbmV3ZXN0LTMyLWJ5dGVzISE=,dGVzdC1maWVsZC1rZXktb2xkZXItMzItYnl0ZXMhISE=",
)
if "VECINOS_DATA_DIR" not in os.environ:  # subprocesses inherit the parent's folder
    os.environ["VECINOS_DATA_DIR"] = tempfile.mkdtemp(prefix="vecinos-test-")
# Texts go to the pretend phones unless a test points them at a loopback provider.
os.environ.setdefault("VECINOS_PHONE_GATEWAYS", "simulator")

from vecinos.settings import *  # noqa: F403

# Hashing passwords with PBKDF2's full cost would make the suite minutes slower and tests nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the web server and the worker run as real subprocesses in some tests and
    # must see the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
