"""Corrections to a unit: status changes, wrong product, damage."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from units import services
from units.forms.lookup import ChangeProductForm, ReasonForm, StatusChangeForm, VinForm
from units.models import Status, Unit


def _report(request, error: Exception) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error))


@require_POST
@permission_required("units.change_unit", raise_exception=True)
def change_status(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    form = StatusChangeForm(request.POST, unit=unit)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(unit)
    old = unit.get_status_display()
    try:
        unit = services.unit_change_status(
            unit=unit,
            status=form.cleaned_data["status"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, services.UnitError) as error:
        _report(request, error)
    else:
        messages.success(
            request, f"Unit {unit.serial} moved from {old} to {unit.get_status_display()}."
        )
    return redirect(unit)


@require_POST
@permission_required("units.correct_units", raise_exception=True)
def mark_damaged(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for marking the unit damaged.")
        return redirect(unit)
    try:
        unit = services.unit_mark_damaged(
            unit=unit, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, services.UnitError) as error:
        _report(request, error)
    else:
        messages.success(
            request,
            f"Unit {unit.serial} marked {Status.DAMAGED.label.lower()}; it is no longer for sale.",
        )
    return redirect(unit)


@permission_required("units.correct_units", raise_exception=True)
def change_product(request, pk: int):
    unit = get_object_or_404(Unit.objects.select_related("product"), pk=pk)
    form = ChangeProductForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        old = unit.product.model_number
        try:
            unit = services.unit_change_product(
                unit=unit,
                product=form.cleaned_data["product"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                f"Unit {unit.serial} moved from product {old} to {unit.product.model_number}.",
            )
            return redirect(unit)
    return render(request, "units/unit_change_product.html", {"unit": unit, "form": form})


@require_POST
@permission_required("units.correct_units", raise_exception=True)
def set_vin(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    form = VinForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(unit)
    try:
        unit, warning = services.unit_set_vin(
            unit=unit,
            vin=form.cleaned_data["vin"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _report(request, error)
        return redirect(unit)
    if warning:
        messages.warning(request, warning)
    shown = unit.vin or "removed"
    messages.success(request, f"Unit {unit.serial}: VIN {shown}.")
    return redirect(unit)
