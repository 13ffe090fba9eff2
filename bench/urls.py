"""Hearth's URLs and the benchmark's Hearth stack floor (``bench.ceiling``)."""

from django.urls import URLPattern, URLResolver, path

from bench.ceiling import stack_floor
from hearth import urls as hearth_urls

urlpatterns: list[URLPattern | URLResolver] = [
    *hearth_urls.urlpatterns,
    path("__bench__/floor/", stack_floor, name="bench_stack_floor"),
]
handler400 = hearth_urls.handler400
handler403 = hearth_urls.handler403
handler404 = hearth_urls.handler404
handler500 = hearth_urls.handler500
