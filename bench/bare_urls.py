"""The URLconf of the bare ceiling's requests (``bench.wsgi``): that one view, nothing else.

A bare Django project resolves its URL too, so the bare ceiling does; against a
URLconf of one pattern, as the smallest project would have.
"""

from django.urls import URLPattern, path

from bench.ceiling import bare_ceiling

urlpatterns: list[URLPattern] = [
    path("__bench__/bare/", bare_ceiling, name="bench_bare_ceiling"),
]
