from django.urls import path, re_path

from loket.api.views import cases, catalogue, docs, incidents, webhooks

app_name = "api"

urlpatterns = [
    path("openapi.json", docs.openapi_document, name="openapi"),
    path("docs/", docs.browsable, name="docs"),
    path("procedures/", catalogue.procedures, name="procedures"),
    path("procedures/<str:procedure_id>/", catalogue.procedure, name="procedure"),
    path("life-events/", catalogue.life_events, name="life-events"),
    path("administrations/", catalogue.administrations, name="administrations"),
    path("incidents/suggest", incidents.suggest, name="incidents-suggest"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/<str:reference>/", cases.case_detail, name="case"),
    path("cases/<str:reference>/status/", cases.case_status, name="case-status"),
    path("cases/<str:reference>/messages/", cases.case_messages, name="case-messages"),
    path("cases/<str:reference>/decision/", cases.case_decision, name="case-decision"),
    path(
        "cases/<str:reference>/documents/<uuid:attachment_id>/",
        cases.case_document,
        name="case-file",
    ),
    path("webhooks/", webhooks.endpoints, name="webhooks"),
    path("webhooks/<int:endpoint_id>/", webhooks.endpoint, name="webhook"),
    path("webhooks/<int:endpoint_id>/deliveries/", webhooks.deliveries, name="webhook-deliveries"),
    path(
        "webhooks/<int:endpoint_id>/deliveries/<uuid:delivery_id>/replay/",
        webhooks.replay,
        name="webhook-replay",
    ),
    # Anything else under /api/v1/ (the address API, loket.geo.urls, is tried before this) is a
    # problem+json 404, never the HTML page.
    re_path(r"^[\s\S]*$", docs.unknown, name="unknown"),
]
