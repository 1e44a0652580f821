"""``{% procedure_list %}`` writes the links the template engine wrote: each procedure's address
as ``{% url %}`` reverses it and its name as ``{{ procedure.name }}`` prints it (escaped), in each
language."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from loket.catalog.models import Procedure
from loket.catalog.search import held_catalogue

# What web/includes/procedure_list.html was, with Django's own tag for the address.
ENGINE = Template(
    '<ul class="procedure-list">{% for procedure in procedures %}\n'
    "  <li><a href=\"{% url 'web:procedure' procedure.id %}\">{{ procedure.name }}</a></li>"
    "{% endfor %}\n</ul>"
)
TAG = Template("{% load procedures %}{% procedure_list procedures %}")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_links_are_what_the_template_engine_wrote(language: str) -> None:
    procedures = list(held_catalogue().procedures.values())
    odd = Procedure(id="odd-one", names={"fr": "Tom & <Jerry> “x”", "nl": "", "en": 'a "b"'})
    shown = [*procedures, odd]
    with translation.override(language):
        context = Context({"procedures": shown})
        assert TAG.render(context) == ENGINE.render(context)
        assert f"/{language}/" in TAG.render(context)
    assert len(procedures) > 20  # the catalogue


def test_no_procedure_gives_an_empty_list() -> None:
    assert TAG.render(Context({"procedures": []})) == '<ul class="procedure-list">\n</ul>'
