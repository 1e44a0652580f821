from django.urls import URLPattern, URLResolver, path

from loket.geo import feed

app_name = "urbis"
urlpatterns: list[URLPattern | URLResolver] = [
    path("feed.csv", feed.feed_csv, name="feed-csv"),
    path("feed.geojson", feed.feed_geojson, name="feed-geojson"),
    path("feed/<int:feedback_id>/status", feed.feed_status, name="feed-status"),
]
