"""E-mail through SMTP, with Django's mail backend."""

from __future__ import annotations

import smtplib
import uuid

from django.core.mail import EmailMessage, get_connection

from vecinos.messaging.choices import Channel
from vecinos.messaging.gateways.base import Gateway, PermanentError, Sent, TransientError


class EmailGateway(Gateway):
    name = "email"
    channels = frozenset({Channel.EMAIL})
    reports_delivery = False

    def send(
        self,
        *,
        to: str,
        body: str,
        subject: str = "",
        validity_seconds: int | None = None,
        sender: str = "",
        channel: str = "",
        language: str = "",
    ) -> Sent:
        message_id = f"<{uuid.uuid4().hex}@vecinos>"
        email = EmailMessage(
            subject=subject or "Vecinos",
            body=body,
            from_email=self.config.option("from_address"),
            to=[to],
            headers={"Message-ID": message_id},
            connection=get_connection(
                fail_silently=False,
                host=self.config.option("host"),
                port=int(self.config.option("port") or 587),
                username=self.config.option("user"),
                password=self.config.option("password"),
                use_tls=self.config.option("tls").lower() == "true",
            ),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            code = str(next(iter(exc.recipients.values()))[0]) if exc.recipients else ""
            raise PermanentError("the mail server refused the address", code) from None
        except smtplib.SMTPResponseException as exc:
            error = PermanentError if 500 <= exc.smtp_code < 600 else TransientError
            raise error("the mail server refused the message", str(exc.smtp_code)) from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = type(exc).__name__
            raise TransientError(f"the mail server could not be reached ({reason})") from None
        return Sent(provider_message_id=message_id)
