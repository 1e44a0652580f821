"""Open data: the DCAT-AP catalogue, the files of each release, and the pages for people.

Pages draw only what a release published (its JSON files), never the raw counts.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from loket.opendata import dcat, presenters
from loket.opendata.datasets import FORMATS, all_datasets, available_datasets, get_dataset
from loket.opendata.models import Release
from loket.opendata.publish import file_name, latest_release

YEAR = 60 * 60 * 24 * 365
CATALOGUE_FORMATS = {
    "jsonld": ("json-ld", "application/ld+json"),
    "ttl": ("turtle", "text/turtle"),
}


@require_safe
def catalogue(request: HttpRequest, extension: str) -> HttpResponse:
    rdf_format, content_type = CATALOGUE_FORMATS[extension]
    graph = dcat.catalogue_graph(request)
    if rdf_format == "json-ld":
        body = graph.serialize(format="json-ld", context=dcat.JSONLD_CONTEXT, indent=1)
    else:
        body = graph.serialize(format="turtle")
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def download(request: HttpRequest, release: str, dataset: str, extension: str) -> FileResponse:
    """A file of a release: it never changes, so it may be cached for a year."""
    name = file_name(release, dataset, extension)
    if not Release.objects.filter(id=release).exists() or not default_storage.exists(name):
        raise Http404("no such file")
    content_type = FORMATS[extension]
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"{dataset}-{release}.{extension}",
        content_type=f"{content_type}; charset=utf-8",
    )
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def latest(request: HttpRequest, dataset: str, extension: str) -> HttpResponse:
    """The same file in the latest release (a temporary redirect: the target changes)."""
    release = latest_release()
    if release is None or not release.datasets.filter(dataset=dataset).exists():
        raise Http404("no release of this dataset")
    target = reverse(
        "opendata-files:download",
        kwargs={"release": release.id, "dataset": dataset, "extension": extension},
    )
    response = redirect(target)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    release = latest_release()
    context = {
        "release": release,
        "datasets": [presenters.dataset_summary(spec, release) for spec in available_datasets()],
        "announced": [spec for spec in all_datasets() if not spec.available],
        "charts": presenters.overview_charts(release) if release else [],
    }
    return render(request, "opendata/index.html", context)


@require_safe
def dataset_page(request: HttpRequest, dataset: str) -> HttpResponse:
    spec = get_dataset(dataset)
    if spec is None:
        raise Http404(_("No such dataset."))
    release = latest_release()
    context = {
        "spec": spec,
        "release": release,
        "summary": presenters.dataset_summary(spec, release),
        "charts": presenters.dataset_charts(spec, release),
        # Each cell with its column's name: on a phone the table stacks and names every cell.
        "preview": [
            list(zip(spec.column_names(), row, strict=True))
            for row in presenters.preview(spec, release)
        ],
    }
    return render(request, "opendata/dataset.html", context)
