"""Settings come only from VECINOS_* variables, strictly; a real server refuses to start without
its keys; the demo makes its own once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.processes import REPO
from vecinos import env, keyfiles


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VECINOS_", "DJANGO_"))}
    base.update(DJANGO_SETTINGS_MODULE="vecinos.settings", VECINOS_DATA_DIR=str(tmp_path / "data"))
    base.update(extra)
    return base


def run(args: list[str], env_vars: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env_vars, capture_output=True, text=True, timeout=120
    )


SETUP = ["-c", "import django; django.setup(); print('ok')"]


@pytest.mark.parametrize("value", ["yes", "1", "maybe", "TRUE!"])
def test_a_loose_boolean_is_refused(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VECINOS_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        env.env_bool("VECINOS_TEST_FLAG", False, "test")


def test_true_and_false_spellings_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in (("true", True), ("On", True), ("false", False), ("OFF", False)):
        monkeypatch.setenv("VECINOS_TEST_FLAG", value)
        assert env.env_bool("VECINOS_TEST_FLAG", not expected, "test") is expected


def test_a_number_that_is_not_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VECINOS_TEST_NUMBER", "five")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.env_int("VECINOS_TEST_NUMBER", 5, "test")
    monkeypatch.setenv("VECINOS_TEST_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("VECINOS_TEST_NUMBER", 5, "test", minimum=1)


def test_a_secret_can_come_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("VECINOS_TEST_SECRET", raising=False)
    monkeypatch.setenv("VECINOS_TEST_SECRET_FILE", str(secret))
    assert env.env_secret("VECINOS_TEST_SECRET", "test") == "from-a-file"
    monkeypatch.setenv("VECINOS_TEST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        env.env_secret("VECINOS_TEST_SECRET", "test")


def test_a_real_server_refuses_to_start_without_its_keys(tmp_path: Path) -> None:
    result = run(SETUP, clean_env(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "VECINOS_SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "data").exists(), "no key may be invented outside the demo"

    only_secret = clean_env(tmp_path, VECINOS_SECRET_KEY="x" * 60)
    result = run(SETUP, only_secret)
    assert result.returncode != 0 and "VECINOS_FIELD_KEY is not set" in result.stderr

    bad_key = clean_env(tmp_path, VECINOS_SECRET_KEY="x" * 60, VECINOS_FIELD_KEY="c2hvcnQ=")
    result = run(SETUP, bad_key)
    assert result.returncode != 0 and "32 bytes" in result.stderr


def test_the_demo_makes_its_keys_once_and_keeps_them(tmp_path: Path) -> None:
    demo = clean_env(tmp_path, VECINOS_DEMO="true")
    assert run(SETUP, demo).stdout.strip() == "ok"
    data = tmp_path / "data"
    keys = {name: (data / name).read_text() for name in ("secret_key", "field_key")}
    for name in keys:
        assert oct((data / name).stat().st_mode & 0o777) == "0o600"
    assert run(SETUP, demo).returncode == 0
    assert {name: (data / name).read_text() for name in keys} == keys


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    production = clean_env(
        tmp_path,
        VECINOS_SECRET_KEY=keyfiles.new_secret_key(),
        VECINOS_FIELD_KEY=keyfiles.new_field_key(),
        VECINOS_PUBLIC_URL="https://vecinos.example.org",
        VECINOS_ALLOWED_HOSTS="vecinos.example.org",
    )
    result = run(["-m", "vecinos", "check", "--deploy", "--fail-level", "WARNING"], production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    assert "?: (" not in result.stdout + result.stderr


def test_check_deploy_warns_about_plain_http(tmp_path: Path) -> None:
    plain = clean_env(
        tmp_path,
        VECINOS_SECRET_KEY=keyfiles.new_secret_key(),
        VECINOS_FIELD_KEY=keyfiles.new_field_key(),
        VECINOS_PUBLIC_URL="http://vecinos.example.org",
    )
    result = run(["-m", "vecinos", "check", "--deploy", "--fail-level", "WARNING"], plain)
    assert result.returncode != 0
    assert "vecinos.W001" in result.stderr
