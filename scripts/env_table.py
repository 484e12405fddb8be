"""Print the README's table of VECINOS_* variables from the settings' own declarations.

The README's table is checked against the same list by tests/core/test_document_settings.py;
`python scripts/env_table.py --update-readme` rewrites it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def rows() -> list[str]:
    import django

    django.setup()
    from vecinos.env import REGISTRY

    out = ["| Variable | Default | What it is for |", "| --- | --- | --- |"]
    for var in sorted(REGISTRY.values(), key=lambda v: v.name):
        default = f"`{var.default}`" if var.default else "(none)"
        out.append(f"| `{var.name}` | {default} | {var.help} |")
    return out


def update_readme() -> None:
    """Replace the table in README.md (from its header row to the next blank line)."""
    readme = Path(__file__).resolve().parent.parent / "README.md"
    lines = readme.read_text(encoding="utf-8").split("\n")
    start = lines.index("| Variable | Default | What it is for |")
    end = lines.index("", start)
    lines[start:end] = rows()
    readme.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--update-readme"]:
        update_readme()
    else:
        print("\n".join(rows()))
