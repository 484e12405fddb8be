"""The web import: a file is stored, checked by a worker job in chunks (progress polled by the
page), previewed, and imported by another job on the uploader's go-ahead: every row or none.

The jobs run on the job queue (django-tasks), in the worker's job thread: a long import never
holds up the message outbox.

See docs/decisions.md ("Importing people from the web").
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from vecinos.core.importers import ImportFailed
from vecinos.core.permissions import Capability, can, check
from vecinos.organizing import importing
from vecinos.organizing.choices import ImportStatus
from vecinos.organizing.models import ImportJob

if TYPE_CHECKING:
    from vecinos.core.models import User

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CHUNK_ROWS = 500


def do_upload_import(actor: User, file_name: str, data: bytes) -> ImportJob:
    """Store an uploaded CSV for the worker to check. Nothing is imported yet.

    Raises:
        PermissionDenied: the actor may not import people.
        ImportFailed: the file is too large or not UTF-8 text.
    """
    check(actor, Capability.IMPORT_PEOPLE)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFailed("the file is larger than 20 MB")
    text = importing.decode(data)
    lines = max(0, text.count("\n") + (0 if text.endswith("\n") else 1) - 1)
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=actor, file_name=file_name[:255], text=text, total_rows=lines
        )
        transaction.on_commit(lambda: check_import.enqueue(job.id))
    return job


def jobs_for(user: User) -> list[ImportJob]:
    """The user's own recent imports (a coordinator sees everyone's).

    Raises:
        PermissionDenied: the user may not import people.
    """
    check(user, Capability.IMPORT_PEOPLE)
    jobs = ImportJob.objects.defer("text")
    if not can(user, Capability.MANAGE_ACCOUNTS):
        jobs = jobs.filter(created_by=user)
    return list(jobs[:20])


def access_job(user: User, job_id: int) -> ImportJob:
    """One import (its errors quote cells, but whoever may import may see people anyway). Only
    its uploader may give it the go-ahead or cancel it.

    Raises:
        PermissionDenied: the user may not import people.
        Http404: no such import.
    """
    from django.http import Http404

    check(user, Capability.IMPORT_PEOPLE)
    job = ImportJob.objects.defer("text").filter(id=job_id).first()
    if job is None:
        raise Http404
    return job


def do_confirm_import(actor: User, job: ImportJob) -> bool:
    """Give the go-ahead for a checked file; a worker job imports it. False if it was not waiting
    for one (already confirmed, cancelled…) or the actor did not upload it."""
    check(actor, Capability.IMPORT_PEOPLE)
    with transaction.atomic():
        moved = ImportJob.objects.filter(
            id=job.id, created_by=actor, status=ImportStatus.READY
        ).update(status=ImportStatus.QUEUED)
        if moved:
            transaction.on_commit(lambda: run_import.enqueue(job.id))
    return bool(moved)


def do_cancel_import(actor: User, job: ImportJob) -> bool:
    """Drop a file that is not being imported; its text is erased."""
    check(actor, Capability.IMPORT_PEOPLE)
    moved = ImportJob.objects.filter(
        id=job.id,
        created_by=actor,
        status__in=(ImportStatus.WAITING, ImportStatus.CHECKING, ImportStatus.READY),
    ).update(status=ImportStatus.CANCELLED, text="", finished_at=timezone.now())
    return bool(moved)


def _claim(job_id: int, status: str, to: str) -> ImportJob | None:
    """The job, moved from ``status`` to ``to``; None if it was not in ``status`` (done already,
    cancelled, or another worker has it)."""
    if ImportJob.objects.filter(id=job_id, status=status).update(status=to):
        return ImportJob.objects.get(id=job_id)
    return None


def _reject(job: ImportJob, errors: list[importing.RowError]) -> None:
    ImportJob.objects.filter(id=job.id).update(
        status=ImportStatus.REJECTED,
        text="",
        errors=[[error.row, error.column, error.why] for error in errors],
        finished_at=timezone.now(),
    )


def check_job(job_id: int) -> bool:
    """Check a waiting file, saving progress every few hundred rows. False if it was not
    waiting."""
    job = _claim(job_id, ImportStatus.WAITING, ImportStatus.CHECKING)
    if job is None:
        return False

    def progress(rows: int) -> None:
        ImportJob.objects.filter(id=job.id).update(checked_rows=rows)

    # The errors are written in the uploader's language: they read them on the import's page.
    language = job.created_by.preferred_language if job.created_by else settings.LANGUAGE_CODE
    with translation.override(language):
        checked = importing.check_rows(job.text, on_progress=progress, every=CHUNK_ROWS)
    if checked.errors:
        _reject(job, checked.errors)
        return True
    found = importing.preview(checked.rows)
    updated = ImportJob.objects.filter(id=job.id, status=ImportStatus.CHECKING).update(
        status=ImportStatus.READY,
        checked_rows=len(checked.rows),
        total_rows=len(checked.rows),
        summary={
            "rows": len(checked.rows),
            "new": found.new,
            "merged": found.merged,
            "new_circles": found.new_circles,
            "stages": found.stages,
            "action_network": checked.action_network,
            "ignored_columns": checked.ignored_columns,
        },
    )
    if not updated:
        logger.info("import %s was cancelled while it was checked", job.id)
    return True


def import_job(job_id: int) -> bool:
    """Import a confirmed file in one transaction. The rows are checked again first: people,
    zones and circles may have changed since the preview. False if it was not confirmed."""
    job = _claim(job_id, ImportStatus.QUEUED, ImportStatus.IMPORTING)
    if job is None:
        return False
    language = job.created_by.preferred_language if job.created_by else settings.LANGUAGE_CODE
    with translation.override(language):
        checked = importing.check_rows(job.text)
    if checked.errors:
        _reject(job, checked.errors)
        return True
    try:
        with transaction.atomic():
            counts = importing.write_rows(job.created_by, checked.rows)
    except Exception:
        logger.exception("import %s failed; nothing was imported", job.id)
        ImportJob.objects.filter(id=job.id).update(
            status=ImportStatus.FAILED, text="", finished_at=timezone.now()
        )
        return True
    ImportJob.objects.filter(id=job.id).update(
        status=ImportStatus.DONE,
        text="",
        summary={**job.summary, "counts": counts},
        finished_at=timezone.now(),
    )
    return True


@task()
def check_import(job_id: int) -> None:
    """The worker's job for an uploaded file."""
    check_job(job_id)


@task()
def run_import(job_id: int) -> None:
    """The worker's job for a file given the go-ahead."""
    import_job(job_id)


def run_import_jobs() -> int:
    """Check every waiting file and import every confirmed one, now (for tests and for a worker
    that lost its queue); returns how many were handled."""
    handled = 0
    for job_id in ImportJob.objects.filter(status=ImportStatus.WAITING).values_list(
        "id", flat=True
    ):
        handled += check_job(job_id)
    for job_id in ImportJob.objects.filter(status=ImportStatus.QUEUED).values_list("id", flat=True):
        handled += import_job(job_id)
    return handled
