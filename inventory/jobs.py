"""Background jobs: long work run by the task queue with progress a page can show.

A job kind is a handler registered with ``@job_handler("kind")``. The handler
receives the Job and a ``progress(done, total)`` callback, and must make each
step idempotent (skip what a previous attempt finished), because a retry after
a crash runs it again from the start. Handlers pass ``job.actor`` to the
services they call, so every history record names the user who started the job.

The queue is django-tasks: the database backend with ``manage.py db_worker``
in production, the immediate backend (run inside the request) in development.
"""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from inventory.models import Job

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Handler = Callable[[Job, Progress], dict[str, Any] | None]

_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register ``function`` as the handler of jobs of ``kind``."""

    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def job_start(
    *,
    kind: str,
    actor: AbstractBaseUser,
    params: dict,
    total: int = 0,
    payload: bytes | None = None,
) -> Job:
    """Create a job and queue it once the caller's transaction commits."""
    if kind not in _HANDLERS:
        raise ValueError(f"No handler is registered for job kind {kind!r}.")
    job = Job.objects.create(kind=kind, actor=actor, params=params, total=total, payload=payload)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    logger.info("Job %s: %s queued by user %s", job.pk, kind, actor.pk)
    return job


def job_retry(*, job: Job) -> Job:
    """Queue a failed or stalled job again; its handler skips the finished steps."""
    updated = (
        Job.objects.filter(pk=job.pk)
        .exclude(state=Job.State.SUCCEEDED)
        .update(state=Job.State.QUEUED, message="")
    )
    if updated:
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
        logger.info("Job %s: retry queued", job.pk)
    job.refresh_from_db()
    return job


def job_store_file(*, job: Job, content: bytes, filename: str, content_type: str) -> dict:
    """Store a job's output file under a generated name; returns the result fields naming it.

    The file is served only to the job's owner, as a download, by ``job-download``.
    """
    path = default_storage.save(f"job-results/{uuid.uuid4().hex}", ContentFile(content))
    return {
        "file": path,
        "filename": filename,
        "content_type": content_type,
        "url": reverse("job-download", args=[job.pk]),
    }


def _progress_updater(job_id: int) -> Progress:
    def progress(done: int, total: int) -> None:
        # A plain UPDATE outside the handler's transactions, so a page polling
        # the job sees the figure at once.
        Job.objects.filter(pk=job_id).update(done=min(done, total), total=total)

    return progress


@task()
def run_job(job_id: int) -> None:
    """Run one job's handler and record its outcome on the job row."""
    job = Job.objects.select_related("actor").get(pk=job_id)
    if job.state == Job.State.SUCCEEDED:
        return
    handler = _HANDLERS[job.kind]
    Job.objects.filter(pk=job_id).update(
        state=Job.State.RUNNING, started_at=timezone.now(), attempts=job.attempts + 1
    )
    logger.info("Job %s: %s started (attempt %d)", job_id, job.kind, job.attempts + 1)
    try:
        result = handler(job, _progress_updater(job_id)) or {}
    except Exception as error:
        logger.exception("Job %s: %s failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            state=Job.State.FAILED, message=str(error)[:2000], finished_at=timezone.now()
        )
        return
    Job.objects.filter(pk=job_id).update(
        state=Job.State.SUCCEEDED, result=result, finished_at=timezone.now()
    )
    logger.info("Job %s: %s succeeded", job_id, job.kind)
