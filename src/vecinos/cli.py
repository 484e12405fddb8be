"""The ``vecinos`` command: Django's management commands plus the project's own
(``demo``, ``serve``, ``worker``, ``rotate-keys``, ``demo-otp``)."""

from __future__ import annotations

import os
import sys

# Dashes for people, underscores for Django's command modules.
ALIASES = {"rotate-keys": "rotate_keys", "demo-otp": "demo_otp"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
        if args[1] in {"demo", "demo_otp"}:
            os.environ.setdefault("VECINOS_DEMO", "true")
        elif args[1] == "bench":
            # Benchmarks run in a throwaway database with throwaway keys; the parent needs some.
            from vecinos import keyfiles

            os.environ.setdefault("VECINOS_SECRET_KEY", keyfiles.new_secret_key())
            os.environ.setdefault("VECINOS_FIELD_KEY", keyfiles.new_field_key())
    args[0] = "vecinos"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vecinos.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
