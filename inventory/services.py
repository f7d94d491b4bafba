"""Writes to the catalog that the counter pages need."""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from inventory.models import Party

logger = logging.getLogger(__name__)


def customer_create(
    *, actor: AbstractBaseUser, name: str, email: str = "", phone: str = "", address: str = ""
) -> Party:
    """Create a customer party from the counter; the name is required, the e-mail checked.

    Raises a field-keyed ValidationError (``name``, ``email``) on bad input.
    """
    name, email, phone, address = (
        (name or "").strip(),
        (email or "").strip(),
        (phone or "").strip(),
        (address or "").strip(),
    )
    errors = {}
    if not name:
        errors["name"] = ValidationError("Enter the customer's name.", code="name_missing")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ValidationError(
                "E-mail address %(value)s is not valid. Enter it like name@example.com.",
                code="email_invalid",
                params={"value": email},
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        party = Party(name=name, email=email, phone=phone, address=address, is_customer=True)
        party._change_reason = f"Customer created at the counter by {actor.get_username()}"
        party.full_clean()
        party.save()
    logger.info("Party %s: customer created by user %s", party.pk, actor.pk)
    return party
