import pytest
from django.core.management import call_command

from inventory.jobs import job_handler, job_retry, job_start
from inventory.models import Job, Party
from tests.factories import make_user

FAIL_ONCE = {"armed": False}


@job_handler("test-parties")
def create_parties(job, progress):
    """Create the named parties; skips those already created, so a retry resumes."""
    names = job.params["names"]
    for index, name in enumerate(names, start=1):
        Party.objects.get_or_create(name=name)
        if FAIL_ONCE["armed"] and index == 2:
            FAIL_ONCE["armed"] = False
            raise RuntimeError("worker lost its connection")
        progress(index, len(names))
    return {"summary": f"{len(names)} parties"}


@pytest.fixture
def user(db):
    return make_user(username="starter")


def test_job_runs_after_commit_and_records_progress(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test-parties", actor=user, params={"names": ["A", "B", "C"]})
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.result == {"summary": "3 parties"}
    assert job.attempts == 1


def test_failed_job_retries_without_repeating_work(user, django_capture_on_commit_callbacks):
    FAIL_ONCE["armed"] = True
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="test-parties", actor=user, params={"names": ["A", "B", "C"]})
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.message == "worker lost its connection"
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.attempts == 2
    assert sorted(Party.objects.values_list("name", flat=True)) == ["A", "B", "C"]


@pytest.mark.django_db(transaction=True)
def test_database_queue_runs_job_in_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    user = make_user(username="worker-user")
    # Outside a transaction the job is queued at once; the worker closes
    # connections, which only a transactional test tolerates.
    job = job_start(kind="test-parties", actor=user, params={"names": ["Q"]})
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED


def test_unknown_job_kind_is_rejected(user):
    with pytest.raises(ValueError, match="No handler is registered for job kind 'nope'"):
        job_start(kind="nope", actor=user, params={})


def test_job_page_shows_progress_to_its_owner_only(client, user, db):
    job = Job.objects.create(kind="test-parties", actor=user, total=4, done=1)
    client.force_login(user)
    body = client.get(job.get_absolute_url()).content.decode()
    assert "1 of 4" in body
    assert (
        client.get(job.get_absolute_url(), HTTP_ACCEPT="application/json").json()["percent"] == 25
    )
    client.force_login(make_user(username="other"))
    assert client.get(job.get_absolute_url()).status_code == 403


def test_every_job_kind_is_registered_when_apps_load():
    from inventory.jobs import _HANDLERS

    assert {"depreciation-run", "recall-matching"} <= set(_HANDLERS)
