from django.urls import path

from loket.web.views import (
    account,
    apply,
    backoffice,
    backoffice_assist,
    backoffice_certificates,
    backoffice_queue,
    designer,
    doors,
    files,
    findable,
    mandates,
    mydata,
    public,
    statements,
    verify,
)
from loket.web.views import counter as counter_views
from loket.web.views.design import design_system

app_name = "web"

urlpatterns = [
    path("", public.home, name="home"),
    path("procedures/", public.catalogue, name="catalogue"),
    path("procedures/<slug:procedure_id>/", public.procedure_detail, name="procedure"),
    path("procedures/<slug:procedure_id>/embed/", findable.procedure_embed, name="procedure-embed"),
    path(
        "procedures/<slug:procedure_id>/embed.json", findable.procedure_feed, name="procedure-feed"
    ),
    path("procedures/<slug:procedure_id>/apply/", apply.start, name="apply-start"),
    path("procedures/<slug:procedure_id>/apply/facts/", apply.facts, name="apply-facts"),
    path("procedures/<slug:procedure_id>/apply/declare/", apply.declare, name="apply-declare"),
    path("procedures/<slug:procedure_id>/apply/check/", apply.check, name="apply-check"),
    path(
        "procedures/<slug:procedure_id>/apply/q/<slug:page_id>/", apply.question, name="apply-page"
    ),
    path("search/", public.search, name="search"),
    path("accessibility/", statements.accessibility, name="accessibility"),
    path("legal/", statements.legal, name="legal"),
    path(
        "back-office/accessibility-reports/",
        statements.accessibility_reports,
        name="backoffice-accessibility-reports",
    ),
    path("verify/", verify.verify, name="verify"),
    path("verify/<str:code>/", verify.verify_code, name="verify-code"),
    path("demo-login/", account.demo_login, name="login"),
    path("logout/", account.logout_view, name="logout"),
    path("my-cases/", account.my_cases, name="my-cases"),
    path("my-cases/inbox/read/", account.mark_notices_read, name="notices-read"),
    path("my-cases/inbox/<int:notice_id>/", account.open_notice, name="notice-open"),
    path("my-cases/drafts/<slug:procedure_id>/delete/", account.draft_delete, name="draft-delete"),
    path("my-cases/<str:reference>/", account.case_detail, name="case"),
    path("my-cases/<str:reference>/withdraw/", account.case_withdraw, name="case-withdraw"),
    path("my-cases/<str:reference>/<str:kind>.pdf", files.applicant_document, name="document"),
    path(
        "my-cases/<str:reference>/certificates/<str:number>.pdf",
        files.applicant_certificate,
        name="certificate",
    ),
    path("files/<uuid:attachment_id>/", files.attachment, name="attachment"),
    path("my-data/", mydata.my_data, name="my-data"),
    path("my-data/registers/", mydata.my_registers, name="my-registers"),
    path("my-data/proof/<int:index>/", mydata.entry_proof, name="my-data-proof"),
    path("mandates/", mandates.index, name="mandates"),
    path("mandates/give/", mandates.give, name="mandate-give"),
    path("mandates/<int:mandate_id>/revoke/", mandates.revoke, name="mandate-revoke"),
    path("mandates/<int:mandate_id>/act/", mandates.act, name="mandate-act"),
    path("mandates/stop/", mandates.stop, name="mandate-stop"),
    path("mandates/helping/", mandates.helping, name="mandates-helping"),
    path(
        "mandates/<int:mandate_id>/cases/<str:reference>/",
        mandates.principal_case,
        name="mandate-case",
    ),
    path(
        "mandates/<int:mandate_id>/cases/<str:reference>/<str:kind>.pdf",
        files.principal_document,
        name="mandate-document",
    ),
    path("back-office/counter/", counter_views.counter, name="counter"),
    path("back-office/counter/end/", counter_views.end, name="counter-end"),
    path("back-office/doors/", doors.index, name="doors"),
    path("back-office/doors/new/", doors.edit, name="door-new"),
    path("back-office/doors/<slug:door_id>/", doors.edit, name="door-edit"),
    path("back-office/", backoffice_queue.queue, name="backoffice"),
    path("back-office/cases.csv", backoffice_queue.export, name="backoffice-export"),
    path("back-office/figures/", backoffice_queue.figures, name="backoffice-figures"),
    path("back-office/person/", backoffice_queue.find_person, name="backoffice-person"),
    path("back-office/counter/another/", counter_views.another, name="counter-another"),
    path("back-office/counter/sent/<str:reference>/", counter_views.sent, name="counter-sent"),
    path(
        "back-office/counter/sent/<str:reference>/receipt.pdf",
        counter_views.sent_receipt,
        name="counter-sent-receipt",
    ),
    path(
        "back-office/counter/sent/<str:reference>/certificates/<str:number>.pdf",
        counter_views.sent_certificate,
        name="counter-sent-certificate",
    ),
    path("design-system/", design_system, name="design-system"),
    path("designer/", designer.index, name="designer"),
    path("designer/<slug:procedure_id>/", designer.edit, name="designer-edit"),
    path("back-office/cases/<str:reference>/", backoffice.case_detail, name="backoffice-case"),
    path(
        "back-office/cases/<str:reference>/reroute/",
        backoffice_assist.reroute,
        name="backoffice-reroute",
    ),
    path(
        "back-office/cases/<str:reference>/<str:kind>.pdf",
        files.agent_document,
        name="backoffice-document",
    ),
    path(
        "back-office/cases/<str:reference>/issue/",
        backoffice.issue_certificate,
        name="backoffice-issue",
    ),
    path(
        "back-office/cases/<str:reference>/certificates/<str:number>.pdf",
        backoffice_certificates.certificate_file,
        name="backoffice-certificate-file",
    ),
    path(
        "back-office/cases/<str:reference>/certificates/<str:number>/revoke/",
        backoffice_certificates.revoke,
        name="backoffice-certificate-revoke",
    ),
    path(
        "back-office/certificates/",
        backoffice_certificates.register,
        name="backoffice-certificates",
    ),
]
