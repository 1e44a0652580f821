from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path

from loket.web import observability
from loket.web.views import findable, health, statements, verify

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", health.healthz, name="healthz"),
    path("sitemap.xml", findable.sitemap, name="sitemap"),  # one per door: its own host
    path("robots.txt", findable.robots, name="robots"),
    path("metrics", observability.metrics, name="metrics"),  # Prometheus, behind a bearer token
    path(".well-known/security.txt", statements.security_txt_file, name="security-txt"),
    # The address API first: what it does not answer falls through to the API's problem+json 404.
    path("api/v1/addresses/", include("loket.geo.urls")),
    path("api/v1/", include("loket.api.urls")),
    path("open-data/", include("loket.opendata.urls_machine")),
    path("urbis/", include("loket.geo.urls_feed")),
    path("oidc/", include("loket.accounts.urls_callback")),
    path("payments/notify/", include("loket.payments.urls_notify")),
    # What a certificate's QR code opens: the verification page in the visitor's language.
    path("verify/<str:code>/", verify.verify_code_in_visitors_language, name="verify-any-language"),
]
urlpatterns += i18n_patterns(
    path("open-data/", include("loket.opendata.urls_pages")),
    path("account/", include("loket.accounts.urls")),
    path("privacy/", include("loket.privacy.urls")),
    path("incidents/", include("loket.incidents.urls")),
    path("algorithms/", include("loket.assist.urls")),
    path("help-points/", include("loket.appointments.urls_places")),
    path("appointments/", include("loket.appointments.urls_bookings")),
    path("payments/", include("loket.payments.urls")),
    path("", include("loket.web.urls")),
    prefix_default_language=True,
)

handler404 = "loket.web.views.errors.not_found"
handler500 = "loket.web.views.errors.server_error"
handler403 = "loket.web.views.errors.forbidden"
handler400 = "loket.web.views.errors.bad_request"
