"""Placeholder views; replaced by the real pages."""

from django.http import HttpResponse


def import_upload(request):
    return HttpResponse("Not built yet.", status=501)

