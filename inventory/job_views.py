"""The progress page of a background job."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from inventory.jobs import job_retry
from inventory.models import Job


def _visible_job(request, pk: int) -> Job:
    job = get_object_or_404(Job, pk=pk)
    if job.actor_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied("Only the user who started a job can see it.")
    return job


def job_detail(request, pk: int):
    job = _visible_job(request, pk)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {
                "state": job.state,
                "done": job.done,
                "total": job.total,
                "percent": job.percent,
                "message": job.message,
            }
        )
    return render(request, "inventory/job_detail.html", {"job": job})


@require_POST
def job_retry_view(request, pk: int):
    job = job_retry(job=_visible_job(request, pk))
    messages.info(request, f"Job {job.pk} queued again; finished steps are skipped.")
    return redirect(job)


def job_download(request, pk: int):
    """Send a finished job's output file to the user who started the job, as a download."""
    job = _visible_job(request, pk)
    path = job.result.get("file") if job.state == Job.State.SUCCEEDED else None
    if not path or not default_storage.exists(path):
        raise Http404("This job has no file to download.")
    return FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=job.result.get("filename", "result"),
        content_type=job.result.get("content_type", "application/octet-stream"),
    )
