from django.urls import path

from loket.appointments import views_bookings as views

app_name = "appointments"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("agenda/", views.agenda, name="agenda"),
    path("check/", views.check, name="check"),
    path("cancel/<str:token>/", views.cancel, name="cancel"),
    path("confirmation/<str:token>/", views.confirmation, name="confirmation"),
    path("book/<int:point_id>/<slug:service>/", views.book, name="book"),
    path("<str:reference>/", views.booking_detail, name="booking"),
]
