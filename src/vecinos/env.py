"""Strict readers for ``VECINOS_*`` environment variables.

Every variable the project reads is declared through one of these helpers, so the README's table
can be checked against :data:`REGISTRY`, and a loose value ("yes", "1 ") fails at start-up with
``ImproperlyConfigured`` instead of being silently ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "VECINOS_"


@dataclass(frozen=True)
class EnvVar:
    name: str
    default: str
    help: str


REGISTRY: dict[str, EnvVar] = {}

_TRUE = {"true", "on"}
_FALSE = {"false", "off"}


def _declare(name: str, default: object, help: str) -> str | None:
    if not name.startswith(PREFIX):
        raise ValueError(f"{name} must start with {PREFIX}")
    REGISTRY[name] = EnvVar(name, "" if default is None else str(default), help)
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str, help: str) -> str:
    value = _declare(name, default, help)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool, help: str) -> bool:
    value = _declare(name, "true" if default else "false", help)
    if value is None or value == "":
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, help: str, minimum: int = 0) -> int:
    value = _declare(name, default, help)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}")
    return number


def env_list(name: str, default: list[str], help: str) -> list[str]:
    value = _declare(name, ",".join(default), help)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, help: str) -> str | None:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE`` (for Docker/systemd
    credentials). Returns None when neither is set; the caller decides whether that is fatal."""
    value = _declare(name, None, help)
    file_name = f"{name}_FILE"
    REGISTRY[file_name] = EnvVar(file_name, "", f"Path of a file holding {name}.")
    path = os.environ.get(file_name, "").strip()
    if value:
        return value
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{file_name}: cannot read {path}: {exc}") from None
    return None
