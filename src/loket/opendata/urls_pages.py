"""Pages for people, under the language prefix: /<lang>/open-data/."""

from django.urls import URLPattern, URLResolver, path

from loket.opendata import views

app_name = "opendata"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<slug:dataset>/", views.dataset_page, name="dataset"),
]
