from django.urls import path

from loket.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("reports.geojson", views.incidents_geojson, name="geojson"),
    path("nearby.json", views.nearby, name="nearby"),
    path("<int:incident_id>/support/", views.support, name="support"),
]
