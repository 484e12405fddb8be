"""Project invariants that lint can't express, each with the reason it exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

SRC = Path(__file__).resolve().parent.parent / "src" / "vecinos"
SENSITIVE_MODELS = ("Person", "Report", "Incident")


def python_files(pattern: str = "*.py") -> list[Path]:
    return [p for p in SRC.rglob(pattern) if "migrations" not in p.parts]


@pytest.mark.parametrize("path", sorted(SRC.rglob("views.py")), ids=lambda p: str(p.parent.name))
def test_views_fetch_sensitive_rows_only_through_access_helpers(path: Path) -> None:
    """A view that fetched a Person itself would skip the permission check and the audit entry."""
    text = path.read_text(encoding="utf-8")
    for model in SENSITIVE_MODELS:
        assert not re.search(rf"\b{model}\.objects\b", text), f"{path}: use access_*()"
        assert f"get_object_or_404({model}" not in text, f"{path}: use access_*()"


def test_no_print_in_the_application() -> None:
    """Output goes through logging or a command's self.stdout, never a stray print()."""
    offenders = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(f"{path}:{node.lineno}")
    assert not offenders


def test_translated_strings_are_never_built_with_fstrings() -> None:
    """_(f"...") would look up a msgid that no catalog can contain."""
    offenders = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in {"_", "gettext", "gettext_lazy"}
                and node.args
                and not isinstance(node.args[0], ast.Constant)
            ):
                offenders.append(f"{path}:{node.lineno}")
    assert not offenders


def _walk(patterns: list[URLPattern | URLResolver]) -> list[URLPattern]:
    found: list[URLPattern] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_walk(pattern.url_patterns))
        else:
            found.append(pattern)
    return found


PUBLIC_VIEWS = {"login", "logout_view", "set_language"}
# Pages whose address carries a secret token instead of a login (calendar apps cannot log in).
TOKEN_VIEWS = {"shifts:feed", "assembly:feed"}


def test_every_page_declares_who_may_see_it() -> None:
    """Each view goes through permissions.requires(), except the few a stranger must reach."""
    undeclared = []
    for pattern in _walk(get_resolver().url_patterns):
        view = pattern.callback
        name = getattr(view, "__name__", "")
        if pattern.name == "login" or name in PUBLIC_VIEWS:
            continue
        if getattr(view, "func", view).__module__.startswith("ninja."):
            # The JSON API: a token on every operation, a capability check in each endpoint;
            # tests/api/test_use_api.py walks its schema and checks each operation refuses.
            continue
        if f"{view.__module__.split('.')[1]}:{pattern.name}" in TOKEN_VIEWS:
            continue
        if view.__module__.endswith(".webhooks"):
            continue  # providers call these; each checks a signature, tested per gateway
        if not hasattr(view, "required_capability"):
            undeclared.append(pattern.name or name)
    assert not undeclared
