#!/usr/bin/env bash
# Resolve pyproject.toml's ranges into requirements/lock.txt and test.txt, in a throwaway venv.
# Packages already locked keep their versions (a new dependency moves nothing else);
# `scripts/lock.sh --upgrade` re-resolves everything to the newest versions the ranges allow.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
constraints=()
if [ "${1:-}" != "--upgrade" ] && [ -f requirements/test.txt ]; then
  # test.txt includes lock.txt: both as constraints, without the "-r" line.
  { grep -v '^-r' requirements/test.txt; cat requirements/lock.txt; } | grep -v '^#' > "$tmp/pins"
  constraints=(-c "$tmp/pins")
fi
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q "${constraints[@]}" -e .
"$tmp/venv/bin/pip" freeze --exclude-editable | grep -v '^-e' | sort -f > "$tmp/runtime"
"$tmp/venv/bin/pip" install -q "${constraints[@]}" -e '.[test]'
"$tmp/venv/bin/pip" freeze --exclude-editable | grep -v '^-e' | sort -f > "$tmp/all"
{ echo "# Exact versions a fresh install gets (what CI tested). Regenerate with scripts/lock.sh."
  cat "$tmp/runtime"; } > requirements/lock.txt
{ echo "# Test tools on top of lock.txt. Regenerate with scripts/lock.sh."
  echo "-r lock.txt"; grep -v -x -F -f "$tmp/runtime" "$tmp/all"; } > requirements/test.txt
