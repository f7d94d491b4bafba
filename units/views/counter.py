"""Placeholder views; replaced by the real counter pages."""

from django.http import HttpResponse


def sale_list(request):
    return HttpResponse("Not built yet.", status=501)


def sale_create(request):
    return HttpResponse("Not built yet.", status=501)


def sale_detail(request, pk: int):
    return HttpResponse("Not built yet.", status=501)


def counter_lookup(request):
    return HttpResponse("Not built yet.", status=501)


def unit_return(request, pk: int):
    return HttpResponse("Not built yet.", status=501)


def unit_back_in_stock(request, pk: int):
    return HttpResponse("Not built yet.", status=501)


def unit_transfer(request, pk: int):
    return HttpResponse("Not built yet.", status=501)


def unit_intake(request):
    return HttpResponse("Not built yet.", status=501)


def warranty_ending_report(request):
    return HttpResponse("Not built yet.", status=501)
