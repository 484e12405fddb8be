"""The README's table lists every VECINOS_* variable the settings read, with the same default."""

from __future__ import annotations

import re
from pathlib import Path

from vecinos.env import REGISTRY

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(VECINOS_\w+)` \| (.*?) \| (.*) \|$")


def readme_rows() -> dict[str, str]:
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_variable_the_settings_read_is_in_the_readme_table() -> None:
    documented = readme_rows()
    assert sorted(documented) == sorted(REGISTRY), "regenerate with scripts/env_table.py"


def test_the_readme_shows_each_variables_default() -> None:
    documented = readme_rows()
    for name, var in REGISTRY.items():
        if name in {"VECINOS_DATA_DIR", "VECINOS_ALLOWED_HOSTS"}:
            continue  # the test run sets these; the table shows the plain defaults
        expected = f"`{var.default}`" if var.default else "(none)"
        assert documented[name] == expected, name


def test_the_readme_quick_start_is_exactly_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick_start, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test.sh" in ci
