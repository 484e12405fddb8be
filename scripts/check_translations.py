"""Fail when a string people read is not translated into every language.

For each catalog in src/vecinos/locale it checks that:

(a) every message in the source is in it: the messages are re-extracted with makemessages from a
    temporary copy of src/vecinos, so the committed catalogs are never touched;
(b) no entry is fuzzy or has an empty translation (every plural form included), and the header
    names the language, UTF-8 and the expected plural rule;
(c) msgfmt --check accepts it, and the committed .mo is exactly what msgfmt makes of the .po.

Run with DJANGO_SETTINGS_MODULE=tests.settings (as scripts/test.sh does). Prints one summary line,
e.g. "translations: es 217/217, ko 217/217", and exits 1 after listing the problems on stderr.

To bring the catalogs up to date after strings change (from the repository root):

    cd src/vecinos && export DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=../..
    ../../.venv/bin/python -m django makemessages -l es -l ko --no-location -i 'migrations/*'
    # translate the new and fuzzy entries, then:
    ../../.venv/bin/python -m django compilemessages -l es -l ko
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "src" / "vecinos"
LOCALE = APP / "locale"
# The plural rule each catalog must declare (what Django and most translation tools expect).
PLURAL_FORMS = {
    "es": "nplurals=2; plural=(n != 1);",
    "ko": "nplurals=1; plural=0;",
}
NPLURALS = {"es": 2, "ko": 1}
HOW = "the docstring of scripts/check_translations.py"
# The options the catalogs are made with (see above): no file locations, no migrations.
MAKEMESSAGES = ("makemessages", "--no-location", "--ignore", "migrations/*")

KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
CONTINUATION = re.compile(r'^"(.*)"\s*$')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
ESCAPE = re.compile(r"\\(.)")

Key = tuple[str | None, str]  # (msgctxt, msgid)


@dataclass
class Entry:
    """One message of a .po file."""

    line: int
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> Key:
        return (self.msgctxt, self.msgid or "")

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def unescape(text: str) -> str:
    return ESCAPE.sub(lambda m: ESCAPES.get(m.group(1), m.group(0)), text)


def describe(key: Key) -> str:
    context, msgid = key
    return f"{msgid!r} (context {context!r})" if context is not None else repr(msgid)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, obsolete ones (#~) included and marked as such."""
    entries: list[Entry] = []
    current: Entry | None = None
    field_name = ""  # the keyword the last string belongs to
    plural_index = 0
    pending_flags: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # previous msgid of an obsolete fuzzy entry
                continue
        if not line:
            current, field_name = None, ""
            continue
        if line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, text = match.groups()
            text = unescape(text)
            # msgctxt always opens an entry; msgid does unless it follows that entry's msgctxt.
            if (
                current is None
                or keyword == "msgctxt"
                or (keyword == "msgid" and field_name != "msgctxt")
            ):
                current = Entry(line=number, flags=pending_flags, obsolete=obsolete)
                pending_flags = set()
                entries.append(current)
            field_name = "msgstr" if keyword.startswith("msgstr") else keyword
            if keyword == "msgctxt":
                current.msgctxt = text
            elif keyword == "msgid":
                current.msgid = text
            elif keyword == "msgid_plural":
                current.msgid_plural = text
            else:
                plural_index = int(index) if index is not None else 0
                current.msgstr[plural_index] = text
            continue
        match = CONTINUATION.match(line)
        if match and current is not None and field_name:
            text = unescape(match.group(1))
            if field_name == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + text
            elif field_name == "msgid":
                current.msgid = (current.msgid or "") + text
            elif field_name == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + text
            else:
                current.msgstr[plural_index] += text
            continue
        raise ValueError(f"{path}:{number}: cannot read this line: {raw!r}")
    return [entry for entry in entries if entry.msgid is not None]


def headers(entries: list[Entry]) -> dict[str, str]:
    for entry in entries:
        if entry.is_header and not entry.obsolete:
            pairs = (line.partition(":") for line in entry.msgstr.get(0, "").splitlines())
            return {name.strip(): value.strip() for name, _, value in pairs if name.strip()}
    return {}


def source_messages() -> dict[Key, Entry]:
    """Every message in the source, extracted by makemessages from a throwaway copy."""
    with tempfile.TemporaryDirectory(prefix="vecinos-messages-") as tmp:
        copy = Path(tmp) / "vecinos"
        shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
        (copy / "locale").mkdir()
        # Without settings, makemessages writes only into ./locale, never into LOCALE_PATHS.
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        result = subprocess.run(
            [sys.executable, "-m", "django", *MAKEMESSAGES, "--locale", "en"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise SystemExit(f"makemessages failed:\n{result.stdout}{result.stderr}")
        po = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
        found = [e for e in parse_po(po) if not e.obsolete and not e.is_header]
    if not found:
        raise SystemExit("makemessages found no messages at all; is gettext installed?")
    return {entry.key: entry for entry in found}


def check_header(po: Path, language: str, entries: list[Entry]) -> list[str]:
    problems = []
    found = headers(entries)
    if found.get("Language") != language:
        problems.append(f"{po}: header Language is {found.get('Language')!r}, not {language!r}")
    if "charset=utf-8" not in found.get("Content-Type", "").lower().replace(" ", ""):
        problems.append(f"{po}: header Content-Type must say charset=UTF-8")
    wanted = PLURAL_FORMS[language]
    plural_forms = found.get("Plural-Forms", "")
    if plural_forms.replace(" ", "").rstrip(";") != wanted.replace(" ", "").rstrip(";"):
        problems.append(f"{po}: header Plural-Forms is {plural_forms!r}, not {wanted!r}")
    header = next((e for e in entries if e.is_header and not e.obsolete), None)
    if header is not None and "fuzzy" in header.flags:
        problems.append(f"{po}: the header is marked fuzzy")
    return problems


def check_entries(
    po: Path, language: str, entries: list[Entry], wanted: dict[Key, Entry]
) -> tuple[list[str], int]:
    """Problems with the messages of one catalog, and how many source messages it translates."""
    problems = []
    catalog = {e.key: e for e in entries if not e.obsolete and not e.is_header}
    for key in sorted(wanted.keys() - catalog.keys(), key=lambda k: (k[1], k[0] or "")):
        problems.append(
            f"{po}: missing {describe(key)}; run makemessages (see {HOW}) and translate it"
        )
    for key in sorted(catalog.keys() - wanted.keys(), key=lambda k: (k[1], k[0] or "")):
        problems.append(
            f"{po}:{catalog[key].line}: {describe(key)} is no longer in the source; "
            "run makemessages"
        )
    forms = NPLURALS[language]
    translated = 0
    for key, entry in catalog.items():
        where = f"{po}:{entry.line}"
        ok = True
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy {describe(key)}; check the translation, drop the flag")
            ok = False
        if entry.msgid_plural is not None:
            expected = set(range(forms))
            if set(entry.msgstr) != expected:
                problems.append(
                    f"{where}: {describe(key)} needs exactly msgstr[0]..msgstr[{forms - 1}] "
                    f"for {language}, has {sorted(entry.msgstr)}"
                )
                ok = False
            empty = [i for i, text in sorted(entry.msgstr.items()) if not text]
            if empty:
                problems.append(f"{where}: untranslated plural form(s) {empty} of {describe(key)}")
                ok = False
        elif not entry.msgstr.get(0):
            problems.append(f"{where}: untranslated {describe(key)}")
            ok = False
        if ok and key in wanted:
            translated += 1
    return problems, translated


def check_compiled(po: Path) -> list[str]:
    mo = po.with_suffix(".mo")
    with tempfile.TemporaryDirectory(prefix="vecinos-mo-") as tmp:
        compiled = Path(tmp) / "django.mo"
        try:
            result = subprocess.run(
                ["msgfmt", "--check", "-o", str(compiled), str(po)],
                capture_output=True,
                text=True,
            )
        except FileNotFoundError:
            return ["msgfmt is not installed (GNU gettext); it is needed to check the catalogs"]
        if result.returncode:
            return [f"{po}: msgfmt --check failed:\n{result.stderr.strip()}"]
        if not mo.exists():
            return [f"{mo}: missing; run compilemessages (see {HOW}) and commit the .mo"]
        if mo.read_bytes() != compiled.read_bytes():
            return [f"{mo}: stale (differs from the .po); run compilemessages and commit the .mo"]
    return []


def main() -> int:
    wanted = source_messages()
    problems: list[str] = []
    counts: list[str] = []
    for language in PLURAL_FORMS:
        po = LOCALE / language / "LC_MESSAGES" / "django.po"
        if not po.exists():
            problems.append(f"{po}: missing; run makemessages -l {language}")
            counts.append(f"{language} 0/{len(wanted)}")
            continue
        try:
            entries = parse_po(po)
        except ValueError as error:
            problems.append(str(error))
            counts.append(f"{language} 0/{len(wanted)}")
            continue
        problems += check_header(po, language, entries)
        found, translated = check_entries(po, language, entries, wanted)
        problems += found
        problems += check_compiled(po)
        counts.append(f"{language} {translated}/{len(wanted)}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print("translations: " + ", ".join(counts))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
