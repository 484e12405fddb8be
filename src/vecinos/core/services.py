"""Changes to accounts, each checked and audited in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from axes.utils import reset as axes_reset
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import RoleAssignment, User
from vecinos.core.permissions import Capability, check


def do_create_account(
    actor: User,
    *,
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[str],
    preferred_language: str = "en",
) -> User:
    """Create a login account with its roles.

    Raises:
        PermissionDenied: the actor may not manage accounts.
    """
    check(actor, Capability.MANAGE_ACCOUNTS)
    with transaction.atomic():
        user = User.objects.create_user(
            username,
            password,
            display_name=display_name,
            preferred_language=preferred_language,
        )
        granted = _grant(user, set(roles), actor)
        audit.record(actor, audit.USER_CREATED, user, roles=sorted(granted))
    return user


def do_set_roles(actor: User, user: User, roles: Iterable[str]) -> None:
    """Make ``user`` hold exactly ``roles``.

    Raises:
        PermissionDenied: the actor may not manage accounts.
        ValueError: a coordinator tried to drop their own coordinator role (the network could be
            left with nobody able to manage it).
    """
    check(actor, Capability.MANAGE_ACCOUNTS)
    wanted = set(roles)
    if actor.id == user.id and Role.COORDINATOR in user.roles and Role.COORDINATOR not in wanted:
        raise ValueError("a coordinator cannot remove their own coordinator role")
    with transaction.atomic():
        before = set(user.roles)
        RoleAssignment.objects.filter(user=user).exclude(role__in=wanted).delete()
        _grant(user, wanted - before, actor)
        user.__dict__.pop("_roles_cache", None)
        if before != wanted:
            audit.record(
                actor,
                audit.USER_ROLES_CHANGED,
                user,
                added=sorted(wanted - before),
                removed=sorted(before - wanted),
            )


def do_set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (never delete: the audit log refers to accounts) or reactivate an account.

    Raises:
        PermissionDenied: the actor may not manage accounts.
        ValueError: an actor tried to deactivate themselves.
    """
    check(actor, Capability.MANAGE_ACCOUNTS)
    if actor.id == user.id and not active:
        raise ValueError("you cannot deactivate your own account")
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(actor, audit.USER_REACTIVATED if active else audit.USER_DEACTIVATED, user)


def do_reset_two_factor(actor: User, user: User) -> None:
    """Forget an account's authenticator (a lost phone); they set up a new one at next login.

    Raises:
        PermissionDenied: the actor may not manage accounts.
    """
    check(actor, Capability.MANAGE_ACCOUNTS)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit.record(actor, audit.USER_TWO_FACTOR_RESET, user)


def do_unlock_login(actor: User, user: User) -> None:
    """Lift a lockout after failed logins.

    Raises:
        PermissionDenied: the actor may not manage accounts.
    """
    check(actor, Capability.MANAGE_ACCOUNTS)
    with transaction.atomic():
        axes_reset(username=user.username)
        audit.record(actor, audit.USER_UNLOCKED, user)


def do_confirm_two_factor(user: User, device: TOTPDevice) -> None:
    """Mark a newly scanned authenticator as the account's second factor."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(id=device.id).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(user, audit.USER_TWO_FACTOR_ENABLED, user)


def do_set_language(user: User, language: str) -> None:
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def _grant(user: User, roles: set[str], actor: User | None) -> set[str]:
    valid = {role for role in roles if role in Role.values}
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=user, role=role, granted_by=actor) for role in sorted(valid)]
    )
    user.__dict__.pop("_roles_cache", None)
    return valid
