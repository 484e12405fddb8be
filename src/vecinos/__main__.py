from __future__ import annotations

from vecinos.cli import main

main()
