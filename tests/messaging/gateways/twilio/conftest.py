"""The loopback Twilio fixture, shared by every Twilio test module."""

from __future__ import annotations

from tests.messaging.gateways.twilio.test_twilio import twilio

__all__ = ["twilio"]
