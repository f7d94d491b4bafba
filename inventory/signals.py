"""Signal receivers of the catalog app."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

logger = logging.getLogger(__name__)


@receiver(post_save, sender=get_user_model())
def end_sessions_of_deactivated_user(sender, instance, **kwargs) -> None:
    """Delete every session of a user who has just been deactivated.

    Django already refuses inactive users on their next request; deleting the
    sessions also removes them from the session table at once.
    """
    if instance.is_active:
        return
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(instance.pk):
            session.delete()
            ended += 1
    if ended:
        logger.info("User %s: deactivated, %d sessions ended", instance.pk, ended)
