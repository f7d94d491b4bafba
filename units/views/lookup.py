"""Placeholder views; replaced by the real pages."""

from django.http import HttpResponse


def unit_list(request):
    return HttpResponse("Not built yet.", status=501)


def scan(request):
    return HttpResponse("Not built yet.", status=501)


def unit_detail(request, pk: int):
    return HttpResponse("Not built yet.", status=501)

