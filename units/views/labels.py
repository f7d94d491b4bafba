"""Placeholder views; replaced by the real pages."""

from django.http import HttpResponse


def label_form(request):
    return HttpResponse("Not built yet.", status=501)


def label_print(request):
    return HttpResponse("Not built yet.", status=501)

