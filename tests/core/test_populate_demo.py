"""The demo neighborhood: people in every role, invented, with fiction-only phone numbers."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from vecinos.core.choices import Role
from vecinos.core.demo import NotADemoAccountError, current_code
from vecinos.core.management.commands.demo import populate_all
from vecinos.core.models import RoleAssignment, User
from vecinos.core.phones import normalize_phone
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db


def test_the_neighborhood_has_people_in_every_role() -> None:
    populate_all()
    count = RoleAssignment.objects.filter
    assert count(role=Role.DISPATCHER).count() >= 3
    assert 28 <= count(role=Role.RESPONDER).count() <= 35
    for role in Role.values:
        assert count(role=role).exists(), role
    assert Person.objects.count() >= 200
    assert not Person.objects.filter(is_demo=False).exists()
    assert not User.objects.filter(is_demo=False).exists()


def test_every_demo_number_is_in_the_block_reserved_for_fiction() -> None:
    populate_all()
    phones = [p.phone for p in Person.objects.all() if p.phone]
    assert len(phones) >= 200
    assert len(set(phones)) == len(phones)
    for phone in phones:
        assert re.fullmatch(r"\+1(213|323|818)55501\d\d", phone), phone
        assert normalize_phone(phone) == phone


def test_demo_codes_are_shown_only_in_demo_mode_and_only_for_demo_accounts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    populate_all()
    real = User.objects.create_user("real", "a-long-test-password-1", display_name="Real")
    RoleAssignment.objects.create(user=real, role=Role.DISPATCHER)
    device = TOTPDevice.objects.create(user=real, name="phone", confirmed=True)
    with override_settings(DEMO=True):
        call_command("demo_otp")
    lines = [line for line in capsys.readouterr().out.split("\n") if line]
    shown = {line.split()[0] for line in lines}
    assert "dispatcher" in shown
    assert all(re.fullmatch(r"\S+\s+\d{6}", line) for line in lines)
    demo_accounts = set(
        TOTPDevice.objects.filter(confirmed=True, user__is_demo=True).values_list(
            "user__username", flat=True
        )
    )
    assert shown == demo_accounts
    assert "real" not in shown

    with override_settings(DEMO=True), pytest.raises(CommandError):
        call_command("demo_otp", "real")
    with override_settings(DEMO=False), pytest.raises(CommandError):
        call_command("demo_otp")
    assert capsys.readouterr().out == ""

    with override_settings(DEMO=True), pytest.raises(NotADemoAccountError):
        current_code(real, device)
    demo_device = TOTPDevice.objects.filter(user__username="dispatcher").get()
    with override_settings(DEMO=False), pytest.raises(NotADemoAccountError):
        current_code(demo_device.user, demo_device)
    with override_settings(DEMO=True):
        assert re.fullmatch(r"\d{6}", current_code(demo_device.user, demo_device))
        with pytest.raises(NotADemoAccountError):
            current_code(demo_device.user, device)  # someone else's device


def test_the_demo_refuses_a_database_with_real_accounts() -> None:
    User.objects.create_user("real", "a-long-test-password-1", display_name="Real")
    with override_settings(DEMO=True), pytest.raises(CommandError, match="real accounts"):
        call_command("demo", prepare_only=True)
    assert not Person.objects.exists()


def test_the_demo_command_needs_demo_mode() -> None:
    with override_settings(DEMO=False), pytest.raises(CommandError):
        call_command("demo", prepare_only=True)


def test_half_the_neighborhood_is_on_the_alert_list_so_a_broadcast_can_be_tried() -> None:
    from vecinos.messaging.broadcasts import alert_areas
    from vecinos.messaging.models import AlertSubscription

    populate_all()
    subscriptions = list(AlertSubscription.objects.all())
    assert 80 <= len(subscriptions) <= 170
    assert all(s.address_hash and s.address.startswith("+1") for s in subscriptions)
    assert {area for area, _count in alert_areas()} <= {"90005", "90020", "JACARANDA"}
