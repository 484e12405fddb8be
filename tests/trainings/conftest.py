"""Trainings and vouches made through the real services (what the pages and texts call)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vecinos.core.choices import Role
from vecinos.core.models import RoleAssignment, User
from vecinos.responders.models import Responder
from vecinos.trainings.choices import TrainingKind
from vecinos.trainings.models import Certificate, TrainingSession
from vecinos.trainings.services import do_mark_attended, do_schedule_session, do_vouch


def trainer() -> User:
    """An organizer who runs the tests' trainings (made once)."""
    user, created = User.objects.get_or_create(
        username="test-trainer", defaults={"display_name": "Teodora Trainer"}
    )
    if created:
        RoleAssignment.objects.create(user=user, role=Role.ORGANIZER)
    return user


def session(
    *, days_ago: float = 0, hours: float = 3, kind: str = TrainingKind.FIRST_RESPONDER
) -> TrainingSession:
    starts = timezone.now() - timedelta(days=days_ago)
    return do_schedule_session(
        trainer(),
        kind=kind,
        place="Union hall",
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
    )


def attend(
    responder: Responder, *, days_ago: float = 30, kind: str = TrainingKind.FIRST_RESPONDER
) -> Certificate:
    """``responder`` attended a training that started ``days_ago`` days ago (the trainer
    marked them present)."""
    certificate, _created = do_mark_attended(
        trainer(), session(days_ago=days_ago, kind=kind), responder.person
    )
    responder.refresh_from_db()
    return certificate


def vouch_by(responder: Responder, *vouchers: User) -> None:
    for voucher in vouchers:
        do_vouch(voucher, responder.person)
    responder.refresh_from_db()


# The responders' factories, for the tests here.
from tests.responders.conftest import make_incident, make_responder, text_in  # noqa: E402, F401
