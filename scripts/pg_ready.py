"""Exit 0 when a PostgreSQL server answers at the given URL (used by scripts/test.sh)."""

from __future__ import annotations

import sys

import psycopg


def main() -> int:
    url = sys.argv[1]
    try:
        with psycopg.connect(url, connect_timeout=3):
            return 0
    except psycopg.OperationalError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
