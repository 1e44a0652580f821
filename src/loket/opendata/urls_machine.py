"""Machine URLs without a language prefix: the catalogue and the files of each release."""

from django.urls import URLPattern, URLResolver, re_path

from loket.opendata import views

app_name = "opendata-files"

RELEASE = r"(?P<release>\d{4}-\d{2}-\d{2}T\d{4}Z(?:-\d+)?)"
FILE = r"(?P<dataset>[a-z0-9-]+)\.(?P<extension>csv|json|geojson)"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^catalog\.(?P<extension>jsonld|ttl)$", views.catalogue, name="catalogue"),
    re_path(rf"^latest/{FILE}$", views.latest, name="latest"),
    re_path(rf"^{RELEASE}/{FILE}$", views.download, name="download"),
]
