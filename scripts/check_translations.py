"""Fail when a string people read is not translated into every language.

Checks, for each catalog in src/vecinos/locale: (a) every msgid in the source is in it (messages are
re-extracted into a temporary copy), (b) no entry is empty or fuzzy, (c) msgfmt accepts it and the
committed .mo matches the .po. Run with DJANGO_SETTINGS_MODULE=tests.settings.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "src" / "vecinos"
LANGUAGES = ("es", "ko")
STRING = re.compile(r'^"(.*)"$')
DJANGO = (sys.executable, "-m", "django")


def entries(po: Path) -> list[dict[str, object]]:
    """Parse a .po file into entries with msgid, msgid_plural, msgstrs and flags."""
    found: list[dict[str, object]] = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, object] = {"flags": set(), "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                key = None
                continue
            if line.startswith("#,"):
                entry["flags"] = {f.strip() for f in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if match:
                key = match.group(1)
                text = match.group(2)[1:-1]
                if key.startswith("msgstr"):
                    entry["msgstr"].append(text)  # type: ignore[attr-defined]
                else:
                    entry[key] = text
            elif key and STRING.match(line):
                text = line[1:-1]
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += text  # type: ignore[index]
                else:
                    entry[key] = str(entry[key]) + text
        if "msgid" in entry:
            found.append(entry)
    return found


def source_msgids() -> set[str]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "vecinos"
        shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
        (copy / "locale").mkdir()
        subprocess.run(
            [*DJANGO, "makemessages", "-l", "en", "--no-location", "-i", "migrations/*"],
            cwd=copy,
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        po = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
        return {str(e["msgid"]) for e in entries(po) if e["msgid"]}


def main() -> int:
    problems: list[str] = []
    wanted = source_msgids()
    counts = []
    for language in LANGUAGES:
        po = APP / "locale" / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        catalog = [e for e in entries(po) if e["msgid"]]
        have = {str(e["msgid"]) for e in catalog}
        for msgid in sorted(wanted - have):
            problems.append(f"{po}: missing {msgid!r} (run makemessages and translate it)")
        done = 0
        for entry in catalog:
            msgid = entry["msgid"]
            if "fuzzy" in entry["flags"]:  # type: ignore[operator]
                problems.append(f"{po}: fuzzy {msgid!r}")
            elif not entry["msgstr"] or any(s == "" for s in entry["msgstr"]):  # type: ignore[attr-defined]
                problems.append(f"{po}: untranslated {msgid!r}")
            else:
                done += 1
        with tempfile.TemporaryDirectory() as tmp:
            compiled = Path(tmp) / "django.mo"
            result = subprocess.run(
                ["msgfmt", "--check", "-o", str(compiled), str(po)], capture_output=True, text=True
            )
            if result.returncode:
                problems.append(f"{po}: msgfmt failed: {result.stderr.strip()}")
            elif not mo.exists() or mo.read_bytes() != compiled.read_bytes():
                problems.append(f"{mo}: stale; run `vecinos compilemessages` and commit the .mo")
        counts.append(f"{language} {done}/{len(wanted)}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print("translations: " + ", ".join(counts))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
