from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from vecinos.core.demo import NotADemoAccountError, current_code


class Command(BaseCommand):
    help = "Print the current two-factor codes of the demo's own accounts (never of real ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="*", help="Only these demo accounts.")

    def handle(self, *args: Any, usernames: list[str], **options: Any) -> None:
        devices = TOTPDevice.objects.filter(confirmed=True, user__is_demo=True).select_related(
            "user"
        )
        if usernames:
            devices = devices.filter(user__username__in=usernames)
        shown = 0
        for device in devices.order_by("user__username"):
            try:
                code = current_code(device.user, device)
            except NotADemoAccountError:
                continue
            self.stdout.write(f"{device.user.username:<14} {code}")
            shown += 1
        if not shown:
            raise CommandError("No demo account with two-factor login here (is this the demo?).")
