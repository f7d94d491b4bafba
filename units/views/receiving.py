"""Placeholder views; replaced by the real pages."""

from django.http import HttpResponse


def receipt_list(request):
    return HttpResponse("Not built yet.", status=501)


def receipt_create(request):
    return HttpResponse("Not built yet.", status=501)


def check_serial(request):
    return HttpResponse("Not built yet.", status=501)


def receipt_detail(request, pk: int):
    return HttpResponse("Not built yet.", status=501)


def in_house_create(request):
    return HttpResponse("Not built yet.", status=501)

