from django.urls import path

from loket.appointments import views_places as views

app_name = "help-points"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.edit, name="add"),
    path("manage/upload/", views.upload, name="upload"),
    path("manage/<int:point_id>/", views.edit, name="edit"),
    path("manage/<int:point_id>/active/", views.deactivate, name="deactivate"),
    path("<int:point_id>/", views.place, name="place"),
]
