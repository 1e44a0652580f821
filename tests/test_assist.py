"""The assistant: the corpus and its frozen set, scrubbing, language detection, training that
activates a model only when no worse, suggestions in the form and the API recorded with their
model version, a civil servant's re-routing, and the public algorithm register."""

from __future__ import annotations

import html
import pickle
import re
from collections import Counter
from datetime import timedelta
from functools import cache
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from sklearn.pipeline import Pipeline

from loket.assist.actions import (
    REROUTED,
    THRESHOLD,
    CannotReroute,
    do_reroute,
    do_suggest,
    do_train,
)
from loket.assist.classifier import train, weighing_words
from loket.assist.corpus import corpus_examples, frozen_examples, scrub
from loket.assist.evaluation import evaluate, worse_than
from loket.assist.language import detect_language
from loket.assist.models import ModelVersion, Rerouting, Suggestion
from loket.assist.selectors import LiveFigures, confirmed_reports, handler_of, live_figures
from loket.cases.actions import do_change_status
from loket.cases.history import note_text
from loket.cases.models import Case
from loket.cases.notices import notices_about
from loket.core.models import Administration, Membership, User
from loket.privacy.register import processing_register
from tests.conftest import demo_user
from tests.test_incidents import HAECHT, report

CATEGORIES = {"traffic_light", "road_damage", "pavement", "lighting", "signage", "dumping",
              "street_furniture", "trees", "other"}  # fmt: skip


@cache
def corpus_pipeline() -> Pipeline:
    """One real training for the tests that need a model but do not test training itself."""
    return train(corpus_examples())


def store_active_model(**changes: Any) -> ModelVersion:
    pipeline = corpus_pipeline()
    evaluation = evaluate(pipeline, frozen_examples(), THRESHOLD)
    fields = {"task": "incidents", "version": 1, "pipeline": pickle.dumps(pipeline),
              "threshold": THRESHOLD, "evaluation": evaluation, "active": True,
              "corpus_examples": len(corpus_examples())}  # fmt: skip
    fields.update(changes)
    return ModelVersion.objects.create(**fields)


@pytest.fixture
def model(db: None) -> ModelVersion:
    return store_active_model()


def test_corpus_has_forty_texts_per_category_and_language_and_the_frozen_set_is_apart() -> None:
    counts = Counter((e.language, e.category) for e in corpus_examples())
    assert {category for _language, category in counts} == CATEGORIES
    assert all(counts[(language, category)] >= 40
               for language in ("fr", "nl", "en") for category in CATEGORIES)  # fmt: skip
    frozen = frozen_examples()
    assert Counter(e.language for e in frozen) == {"fr": 90, "nl": 90, "en": 90}
    training_texts = {e.text.lower() for e in corpus_examples()}
    assert [e.text for e in frozen if e.text.lower() in training_texts] == []


def test_scrub_removes_names_numbers_emails_plates_and_phones_but_keeps_the_problem() -> None:
    text = (
        "Mon voisin Jan Peeters (jan.peeters@example.be, 0475 12 34 56, NN 85.07.30-033.61) "
        "gare sa voiture 1-ABC-234 devant le lampadaire cassé au 12 chaussée d'Ixelles"
    )
    clean = scrub(text)
    for personal in ("Jan", "Peeters", "example.be", "0475", "85.07", "ABC", "234", "12"):
        assert personal not in clean
    assert "lampadaire cassé" in clean and "voisin" in clean and "Ixelles" in clean


def test_language_is_told_among_french_dutch_and_english() -> None:
    assert detect_language("le lampadaire est cassé depuis hier") == "fr"
    assert detect_language("de straatlamp is al een week kapot") == "nl"
    assert detect_language("the street light has been out for a week") == "en"
    assert detect_language("12 / 34") == ""


def test_the_words_that_weighed_most_come_from_the_text() -> None:
    words = weighing_words(
        corpus_pipeline(), "le lampadaire devant chez moi est éteint", "lighting"
    )
    assert words and "lampadaire" in words
    assert set(words) <= {"lampadaire", "devant", "éteint"}


def test_the_words_that_weighed_most_are_no_stop_words_and_push_towards_the_category() -> None:
    pipeline = corpus_pipeline()
    dutch = weighing_words(pipeline, "de lamp op de hoek is kapot en het is donker", "lighting")
    french = weighing_words(pipeline, "des lampes sur la place sont éteintes", "lighting")
    assert "lamp" in dutch and "lampes" in french
    assert not {"op", "de", "is", "het", "en"} & set(dutch)
    assert not {"des", "sur", "la", "sont"} & set(french)
    # A word about something else does not "weigh" for the street light.
    mixed = weighing_words(pipeline, "lampadaire éteint et sacs poubelle abandonnés", "lighting")
    assert "poubelle" not in mixed and "lampadaire" in mixed


def test_a_model_worse_in_one_language_is_worse() -> None:
    old = {"languages": {"fr": {"top1": 0.95, "top3": 0.99}, "nl": {"top1": 0.9, "top3": 0.99}}}
    new = {"languages": {"fr": {"top1": 0.97, "top3": 1.0}, "nl": {"top1": 0.89, "top3": 0.99}}}
    assert "nl top1" in worse_than(new, old)
    assert worse_than(old, old) == ""


@pytest.mark.django_db
def test_training_activates_the_first_model_and_keeps_a_worse_one_inactive() -> None:
    first = do_train()
    assert first.active and first.version == 1 and first.training_seconds < 120
    assert first.corpus_examples == len(corpus_examples()) and first.confirmed_reports == 0
    for figures in first.evaluation["languages"].values():
        assert figures["top1"] >= 0.9
    # An active model that did perfectly on the frozen set: the next one cannot beat it.
    perfect = {language: {**figures, "top1": 1.0, "top3": 1.0}
               for language, figures in first.evaluation["languages"].items()}  # fmt: skip
    ModelVersion.objects.filter(pk=first.pk).update(
        evaluation={**first.evaluation, "languages": perfect}
    )
    second = do_train()
    assert second.version == 2 and not second.active
    assert "top1" in second.not_activated_because
    assert ModelVersion.objects.get(active=True).pk == first.pk


@pytest.mark.django_db
def test_evaluate_prints_per_language_figures_and_writes_them(tmp_path: Any, capsys: Any) -> None:
    store_active_model()
    output = tmp_path / "ai-incidents.md"
    call_command("ai", "evaluate", "--output", str(output))
    printed = capsys.readouterr().out
    for heading in ("| fr |", "| nl |", "| en |", "macro-F1", "abstains", "Gap in top-1",
                    "Confusion matrix, nl"):  # fmt: skip
        assert heading in printed
    assert output.read_text(encoding="utf-8").startswith("# Incident classifier")


@pytest.mark.django_db
def test_api_suggests_category_and_administration_and_records_the_model_version(
    model: ModelVersion,
) -> None:
    response = Client().post(
        "/api/v1/incidents/suggest",
        {"text": "De verkeerslichten op het kruispunt werken niet meer"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "nl" and body["model_version"] == 1
    top = body["suggestions"][0]
    assert top["category"] == "traffic_light" and top["administration"] == "brussels-mobility"
    assert len(body["suggestions"]) == 3 and 0 < top["confidence"] <= 1
    recorded = Suggestion.objects.get()
    assert recorded.channel == "api" and recorded.model_version == model
    assert "verkeerslichten" not in str(recorded.ranked)  # the text itself is not kept


@pytest.mark.django_db
def test_api_refuses_a_missing_text_with_a_problem(model: ModelVersion) -> None:
    response = Client().post("/api/v1/incidents/suggest", {"words": "x"},
                             content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert Suggestion.objects.count() == 0


def test_openapi_document_describes_the_suggest_operation(db: None) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/incidents/suggest"]["post"]
    assert operation["operationId"] == "suggestIncidentCategory"
    assert "IncidentSuggestions" in spec["components"]["schemas"]


@pytest.mark.django_db
def test_a_vague_text_is_not_guessed(model: ModelVersion) -> None:
    result = do_suggest("bonjour", Suggestion.Channel.API)
    assert result.suggestion is not None and result.suggestion.abstained
    assert not result.confident


def handled_by(category: str) -> str:
    return handler_of(category).id


def test_handlers_follow_the_forms_routing(db: None) -> None:
    assert handled_by("dumping") == "bruxelles-proprete"
    assert handled_by("lighting") == "brussels-mobility|municipality-of-location"
    assert handled_by("trees") == "municipality-of-location"


@pytest.mark.django_db
def test_form_suggests_from_the_description_and_the_report_records_the_choice(
    model: ModelVersion, resident_client: Client, resident: User
) -> None:
    base = "/en/procedures/public-space-incident/apply"
    resident_client.post(f"{base}/", {"use_registers": "yes"})
    response = resident_client.post(
        f"{base}/q/describe/", {"description": "Le lampadaire devant chez moi est éteint"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/q/what/")
    page = resident_client.get(f"{base}/q/what/").content.decode()
    assert 'id="suggestion"' in page and "It looks like: Street light out" in page
    assert '<option value="lighting" selected>' in page  # chosen for the resident to confirm
    suggestion = Suggestion.objects.get()
    assert suggestion.channel == "form" and not suggestion.abstained
    resident_client.get(f"{base}/q/what/")  # seen again: the same suggestion, not a new one
    assert Suggestion.objects.count() == 1
    # The resident picks another kind than the one suggested, and sends the report.
    resident_client.post(f"{base}/q/what/", {"category": "trees", "dangerous": "no"})
    assert Suggestion.objects.get().chosen_category == ""  # nothing sent yet
    case = report_from_draft(resident, category="trees")
    suggestion.refresh_from_db()
    assert suggestion.case == case and suggestion.chosen_category == "trees"
    assert not suggestion.accepted


def what_page(client: Client, base: str) -> str:
    with translation.override("en"):
        return client.get(f"{base}/q/what/").content.decode()


def selected(page: str) -> list[str]:
    return [c for c in CATEGORIES if f'<option value="{c}" selected>' in page]


LAMP = "Le lampadaire devant chez moi est éteint"
DUMPING = "Er liggen overal vuilniszakken en een oude matras op het voetpad"


@pytest.mark.django_db
def test_a_new_description_moves_a_suggested_choice_to_the_new_suggestion(
    model: ModelVersion, resident_client: Client, resident: User
) -> None:
    base = "/en/procedures/public-space-incident/apply"
    resident_client.get(f"{base}/")  # no register is read: straight to the first question
    resident_client.post(f"{base}/q/describe/", {"description": LAMP})
    assert selected(what_page(resident_client, base)) == ["lighting"]
    resident_client.post(f"{base}/q/what/", {"category": "lighting", "dangerous": "no"})
    # The resident goes back from "check your answers" and describes something else.
    changed = resident_client.post(f"{base}/q/describe/?change=1", {"description": DUMPING})
    assert changed["Location"].endswith("/q/what/?change=1")  # the new suggestion is shown
    page = what_page(resident_client, base)
    assert "It looks like: Fly-tipping" in page and selected(page) == ["dumping"]
    assert "It is chosen below" in page
    case = report_from_draft(resident)
    assert case.answers["category"] == "dumping"
    assert Suggestion.objects.get(case=case).accepted


@pytest.mark.django_db
def test_a_new_description_clears_a_category_picked_against_the_suggestion(
    model: ModelVersion, resident_client: Client
) -> None:
    base = "/en/procedures/public-space-incident/apply"
    resident_client.get(f"{base}/")
    resident_client.post(f"{base}/q/describe/", {"description": LAMP})
    what_page(resident_client, base)
    resident_client.post(f"{base}/q/what/", {"category": "trees", "dangerous": "no"})
    page = what_page(resident_client, base)  # the earlier choice, said to differ
    assert selected(page) == ["trees"] and "which is not what Loket suggests" in page
    resident_client.post(f"{base}/q/describe/", {"description": DUMPING})
    page = what_page(resident_client, base)
    assert selected(page) == [] and "your earlier choice (Tree or planting)" in page
    assert resident_client.get(f"{base}/check/")["Location"].endswith("/q/what/")  # it asks


@pytest.mark.django_db
def test_the_resident_reads_a_level_not_a_percentage_and_how_to_check(
    model: ModelVersion, resident_client: Client
) -> None:
    base = "/en/procedures/public-space-incident/apply"
    resident_client.get(f"{base}/")
    resident_client.post(f"{base}/q/describe/", {"description": LAMP})
    page = what_page(resident_client, base)
    notice = page.split('id="suggestion"')[1].split("</div>")[0]
    assert "quite sure" in notice and "%" not in notice
    assert "a civil servant checks it too" in notice and 'href="/en/algorithms/"' in notice


@pytest.mark.django_db
def test_fewer_than_three_meaningful_words_are_not_guessed(
    model: ModelVersion, resident_client: Client
) -> None:
    result = do_suggest("de straatlamp is kapot", Suggestion.Channel.API)
    assert result.suggestion is not None and result.suggestion.abstained
    assert result.ranked[0].category == "lighting"  # kept for the civil servant, not shown
    base = "/en/procedures/public-space-incident/apply"
    resident_client.get(f"{base}/")
    resident_client.post(f"{base}/q/describe/", {"description": "lampadaire cassé"})
    page = what_page(resident_client, base)
    assert "too short for a suggestion" in page and selected(page) == []


def report_from_draft(resident: User, **answers: Any) -> Case:
    from loket.cases.actions import do_submit_case
    from loket.forms.models import Draft

    draft = Draft.objects.get(user=resident, procedure_id="public-space-incident")
    merged = {**draft.answers, "incident_location": HAECHT, "photo": None,
              "contact_email": None, **answers}  # fmt: skip
    return do_submit_case(draft, merged)


@pytest.mark.django_db
def test_a_vague_description_leaves_the_choice_to_the_resident(
    model: ModelVersion, resident_client: Client
) -> None:
    base = "/en/procedures/public-space-incident/apply"
    resident_client.post(f"{base}/", {"use_registers": "yes"})
    resident_client.post(f"{base}/q/describe/", {"description": "bonjour, voilà"})
    page = resident_client.get(f"{base}/q/what/").content.decode()
    assert "we do not guess" in page
    assert [c for c in CATEGORIES if f'<option value="{c}" selected>' in page] == []


@pytest.mark.django_db
def test_civil_servant_reroutes_and_the_report_enters_the_next_training_set(
    model: ModelVersion, resident: User
) -> None:
    words = "Sluikstort van vuilniszakken voor de deur van Jan Janssens"
    case = report(resident, "lighting", HAECHT, description=words)
    agent = demo_user("agent-parking")
    Membership.objects.create(user=agent, administration_id=case.administration_id, role="agent")
    rerouting = do_reroute(case, "dumping", agent)
    case.refresh_from_db()
    assert case.administration_id == "bruxelles-proprete"
    assert case.incident.category == "dumping" and case.answers["category"] == "dumping"
    assert (rerouting.from_category, rerouting.to_category) == ("lighting", "dumping")
    assert Rerouting.objects.filter(case=case, agent=agent).exists()
    with translation.override(case.language):  # the history note speaks the case's language
        changed = gettext("Category changed by a civil servant to: %(category)s").split(":")[0]
    assert case.events.filter(note__contains=changed).count() == 1  # one entry, not two
    entry = case.events.get(note_code=REROUTED)
    assert entry.actor == agent
    with translation.override("fr"):  # a French reader of a Dutch case
        assert note_text(entry).startswith(gettext(
            "Category changed by a civil servant to: %(category)s"
        ) % {"category": "Dépôt clandestin"})  # fmt: skip
    with pytest.raises(CannotReroute):
        do_reroute(case, "no-such-category", agent)
    examples = confirmed_reports()
    assert [(e.category, e.language) for e in examples] == [("dumping", "nl")]
    assert "Janssens" not in examples[0].text and "vuilniszakken" in examples[0].text
    assert do_train().confirmed_reports == 1


@pytest.mark.django_db
def test_rerouting_names_the_new_administration_and_tells_the_resident_why(
    model: ModelVersion, resident: User
) -> None:
    User.objects.filter(pk=resident.pk).update(preferred_language="fr")
    case = report(resident, "lighting", HAECHT, description="De straatlamp is kapot")
    Case.objects.filter(pk=case.pk).update(language="nl")  # the report is handled in Dutch
    agent = demo_user("agent-parking")
    Membership.objects.create(user=agent, administration_id=case.administration_id, role="agent")
    client = Client()
    client.force_login(agent)
    url = f"/en/back-office/cases/{case.reference}/reroute/"
    # A reason in French on a Dutch report is refused, and nothing changes.
    french = ("Ce n'est pas un problème d'éclairage : il s'agit des sacs qui sont déposés sur "
              "le trottoir devant la maison.")  # fmt: skip
    refused = client.post(url, {"category": "dumping", "reason": french})
    assert refused.status_code == 422 and not Rerouting.objects.exists()
    page = refused.content.decode()
    # Why, at the top and beside the form, and what was typed is still there to correct.
    assert page.count("Language of the report: Dutch") == 2
    assert html.escape(french) in page.split('id="reroute-reason"')[1]
    assert '<option value="dumping" selected>' in page
    assert 'href="#reroute-reason"' in page  # the summary leads to the field to correct
    unknown = client.post(url, {"category": "no-such-category", "reason": "x"})
    assert unknown.status_code == 422 and "Choose another category" in unknown.content.decode()
    assert 'href="#reroute-category"' in unknown.content.decode()
    reason = "Het gaat om afval dat op het voetpad is gedumpt, niet om de verlichting."
    response = client.post(url, {"category": "dumping", "reason": reason})
    with translation.override("en"):
        said = [str(m) for m in get_messages(response.wsgi_request)]
        proprete = Administration.objects.get(pk="bruxelles-proprete").name
    assert said[-1] == f"The report has a new category and was passed to {proprete}."
    rerouting = Rerouting.objects.get(case=case)
    assert rerouting.reason == reason and rerouting.to_administration == "bruxelles-proprete"
    case.refresh_from_db()
    assert case.events.filter(note_code=REROUTED).count() == 1
    assert case.events.filter(note__contains=reason).count() == 1  # the move carries the note
    notice = notices_about(case).get(recipient=resident, kind="passed_on")
    with translation.override("nl"):  # in the case's language, whatever the resident's
        greeting = gettext("Hello %(name)s,").split(" %(")[0]
        name = Administration.objects.get(pk="bruxelles-proprete").name
    assert notice.body.startswith(greeting)
    assert name in notice.body and "Sluikstort" in notice.body and reason in notice.body


@pytest.mark.django_db
def test_a_report_decided_as_filed_is_confirmed_too(model: ModelVersion, resident: User) -> None:
    case = report(resident, "lighting", HAECHT, description="lampadaire éteint rue Josaphat")
    agent = demo_user("agent-parking")
    Membership.objects.create(user=agent, administration_id=case.administration_id, role="agent")
    assert confirmed_reports() == []
    do_change_status(case, agent, Case.Status.APPROVED, "Repaired")
    assert [e.category for e in confirmed_reports()] == ["lighting"]


@pytest.mark.django_db
def test_back_office_shows_suggestion_words_and_the_residents_language(
    model: ModelVersion, resident: User
) -> None:
    case = report(resident, "lighting", HAECHT, description="de straatlamp is kapot")
    result = do_suggest("de straatlamp is kapot", Suggestion.Channel.FORM)
    assert result.suggestion is not None
    Suggestion.objects.filter(pk=result.suggestion.pk).update(case=case, chosen_category="lighting")
    agent = demo_user("agent-parking")
    Membership.objects.create(user=agent, administration_id=case.administration_id, role="agent")
    from loket.cases.actions import do_post_message

    do_post_message(case, resident, "Is er al nieuws over de lamp?")
    client = Client()
    client.force_login(agent)
    page = client.get(f"/en/back-office/cases/{case.reference}/").content.decode()
    assert "Suggested by Loket" in page and "% confident" in page
    assert 'id="weighing-words"' in page and "straatlamp" in page.split('id="weighing-words"')[1]
    assert "Written in Dutch" in page
    response = client.post(f"/en/back-office/cases/{case.reference}/reroute/",
                           {"category": "signage"})  # fmt: skip
    assert response.status_code == 302
    assert Rerouting.objects.get(case=case).to_category == "signage"
    page = client.get(f"/fr/back-office/cases/{case.reference}/").content.decode()
    with translation.override("fr"):  # the change reads in the page's language, not as codes
        assert "Éclairage public en panne → Panneau de signalisation endommagé" in page


@pytest.mark.django_db
def test_algorithm_register_is_generated_from_the_stored_evaluation(model: ModelVersion) -> None:
    figures = model.evaluation["languages"]["nl"]
    page = Client().get("/en/algorithms/").content.decode()
    assert "Algorithms used by Loket" in page
    assert f"{round(figures['top1'] * 100, 1)}%" in page
    evaluation = {**model.evaluation}
    evaluation["languages"] = {**evaluation["languages"],
                               "nl": {**figures, "top1": 0.913}}  # fmt: skip
    ModelVersion.objects.filter(pk=model.pk).update(evaluation=evaluation)
    assert "91.3%" in Client().get("/en/algorithms/").content.decode()
    for language in ("fr", "nl"):
        assert Client().get(f"/{language}/algorithms/").status_code == 200


def suggestion(model: ModelVersion, chosen: str, *, abstained: bool = False) -> Suggestion:
    return Suggestion.objects.create(
        model_version=model, channel="api", language="fr", abstained=abstained,
        ranked=[{"category": "lighting", "confidence": 0.9}], chosen_category=chosen,
    )  # fmt: skip


@pytest.mark.django_db
def test_algorithm_register_counts_what_residents_and_civil_servants_did_in_90_days(
    model: ModelVersion, resident: User
) -> None:
    for chosen in ("lighting", "lighting", "trees"):
        suggestion(model, chosen)
    suggestion(model, "signage", abstained=True)
    suggestion(model, "")  # suggested, but the report was never sent
    old = suggestion(model, "trees")
    Suggestion.objects.filter(pk=old.pk).update(made_at=timezone.now() - timedelta(days=91))
    case = report(resident, "lighting", HAECHT)
    agent = demo_user("agent-parking")
    Membership.objects.create(user=agent, administration_id=case.administration_id, role="agent")
    do_reroute(case, "dumping", agent)
    assert live_figures() == LiveFigures(
        days=90, sent=4, accepted=2, changed=1, asked=1, rerouted=1
    )
    with translation.override("en"):
        page = Client().get("/en/algorithms/").content.decode()
    table = page.split('id="live-figures"')[1].split("</table>")[0]
    cells = re.findall(r'<td data-label="Reports">(\d+)</td>', table)
    assert cells == ["4", "2", "1", "1", "1"]
    assert "In use over the last 90 days" in page


@pytest.mark.django_db
def test_algorithm_register_names_its_contacts_the_complaint_route_and_its_words(
    model: ModelVersion,
) -> None:
    with translation.override("en"):
        page = Client().get("/en/algorithms/").content.decode()
    contact = page.split('id="contact"')[1]
    statements = settings.LOKET_STATEMENTS
    assert f'href="mailto:{statements.dpo_email}"' in contact
    assert statements.operator["name"] in contact
    assert f'href="mailto:{statements.operator["email"]}"' in contact
    assert 'href="https://www.autoriteprotectiondonnees.be"' in contact
    assert 'href="https://www.gegevensbeschermingsautoriteit.be"' in contact
    assert "placeholders, not a real body" in contact  # the demo says so
    assert page.count('href="#contact"') == 2  # from each algorithm's entry
    glossary = page.split('id="glossary"')[1]
    for term in ("TF-IDF", "Macro-F1", "recall@3", "MRR", "Stemming", "Language detection"):
        assert term in glossary
    for language in ("fr", "nl"):
        assert Client().get(f"/{language}/algorithms/").status_code == 200


@pytest.mark.django_db
def test_the_gap_between_languages_is_the_difference_of_the_figures_shown(
    model: ModelVersion,
) -> None:
    languages = model.evaluation["languages"]
    shown = {"fr": 0.9784, "nl": 0.9336, "en": 0.95}  # 97.8 and 93.4: 4.4 shown, 4.48 exact
    evaluation = {**model.evaluation, "top1_gap": 0.0448, "languages": {
        language: {**languages[language], "top1": top1} for language, top1 in shown.items()
    }}  # fmt: skip
    ModelVersion.objects.filter(pk=model.pk).update(evaluation=evaluation)
    with translation.override("en"):
        page = Client().get("/en/algorithms/").content.decode()
    assert "97.8%" in page and "93.4%" in page
    assert "between the best and the worst language: 4.4 points" in page


def test_register_of_processing_lists_the_suggestions(db: None) -> None:
    entries = {entry.procedure_id: entry for entry in processing_register()}
    entry = entries["algorithm-incident-suggestions"]
    assert entry.purposes and entry.legal_bases and entry.retention
    assert entry.problems == []
