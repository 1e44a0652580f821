from django.urls import URLPattern, URLResolver, path

from loket.geo import views

app_name = "geo"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.search_addresses, name="search"),
    path("reverse", views.reverse_geocode, name="reverse"),
]
