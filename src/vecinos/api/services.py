"""Issuing, revoking and checking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from vecinos.api.models import ApiToken
from vecinos.core import audit
from vecinos.core.models import User

TOKEN_PREFIX = "vec_"  # noqa: S105  # a marker, not a secret
# last_used_at is a hint for coordinators, not a log: written at most this often per token.
LAST_USED_PRECISION = timedelta(minutes=5)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_issue_token(actor: User, account: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token acting as ``account``; returns the row and the token, which is never
    retrievable again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(
            account=account,
            name=name.strip()[:100],
            digest=digest(token),
            prefix=token[:10],
            issued_by=actor,
        )
        audit.record(actor, audit.API_TOKEN_ISSUED, row, account_id=account.id)
    return row, token


def do_revoke_token(actor: User, token_id: int) -> bool:
    with transaction.atomic():
        revoked = ApiToken.objects.filter(id=token_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        if revoked:
            audit.record(actor, audit.API_TOKEN_REVOKED, ApiToken.objects.get(id=token_id))
    return bool(revoked)


def account_for(token: str) -> User | None:
    """The active account a live token acts as, or None. A deactivated account's tokens stop
    working with it."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = (
        ApiToken.objects.select_related("account")
        .filter(digest=digest(token), revoked_at__isnull=True, account__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(id=row.id).update(last_used_at=now)
    return row.account
