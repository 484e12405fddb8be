#!/usr/bin/env bash
# Re-resolve pyproject.toml's ranges into requirements/lock.txt and test.txt, in a throwaway venv.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q -e .
"$tmp/venv/bin/pip" freeze --exclude-editable | grep -v '^-e' | sort -f > "$tmp/runtime"
"$tmp/venv/bin/pip" install -q -e '.[test]'
"$tmp/venv/bin/pip" freeze --exclude-editable | grep -v '^-e' | sort -f > "$tmp/all"
{ echo "# Exact versions a fresh install gets (what CI tested). Regenerate with scripts/lock.sh."
  cat "$tmp/runtime"; } > requirements/lock.txt
{ echo "# Test tools on top of lock.txt. Regenerate with scripts/lock.sh."
  echo "-r lock.txt"; grep -v -x -F -f "$tmp/runtime" "$tmp/all"; } > requirements/test.txt
