"""Background jobs of the recall pages: matching a recall whose matched set may be large."""

from inventory.jobs import job_handler
from recalls.models import Recall
from recalls.services import recall_run_matching

MATCHING_JOB = "recall-matching"


@job_handler(MATCHING_JOB)
def run_matching(job, progress) -> dict:
    """Record the units that match the recall; a retry inserts only the units still missing."""
    recall = Recall.objects.get(pk=job.params["recall_id"])
    progress(0, 1)
    created = recall_run_matching(recall=recall, actor=job.actor)
    progress(1, 1)
    return {
        "url": recall.get_absolute_url(),
        "summary": f"Recall {recall.reference}: {len(created)} units newly matched.",
    }
