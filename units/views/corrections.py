"""Placeholder views; replaced by the real pages."""

from django.http import HttpResponse


def change_product(request, pk: int):
    return HttpResponse("Not built yet.", status=501)


def mark_damaged(request, pk: int):
    return HttpResponse("Not built yet.", status=501)


def change_status(request, pk: int):
    return HttpResponse("Not built yet.", status=501)

