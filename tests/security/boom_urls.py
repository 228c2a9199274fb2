"""The project's URLs plus one that fails, to see the 500 page's headers."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("a bug, on purpose")


urlpatterns = [path("boom/", boom), *project_urlpatterns]
