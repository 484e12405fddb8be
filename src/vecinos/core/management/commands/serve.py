from __future__ import annotations

from typing import Any

import uvicorn
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the web server (ASGI, uvicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="Server processes.")

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        uvicorn.run(
            "vecinos.asgi:application",
            host=host,
            port=port,
            workers=workers,
            # Behind a reverse proxy on this machine, trust its X-Forwarded-* headers.
            proxy_headers=True,
            # Access logs would list every page every person opened, with search terms; the audit
            # log records what matters instead.
            access_log=False,
            server_header=False,
            lifespan="off",
            # Open consoles hold event streams that never end by themselves: on shutdown, give
            # other requests a few seconds, then close the streams (browsers reconnect).
            timeout_graceful_shutdown=5,
            log_level="info",
        )
