"""``{% url %}`` with argument-less addresses reversed once per process
(web.templatetags.constant_urls): the same text as Django's tag, for every such address the
templates name, in each language, under a script prefix, and the same errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Engine, Template, engines
from django.template.defaulttags import URLNode
from django.test import RequestFactory
from django.urls import NoReverseMatch, resolve, set_script_prefix
from django.utils import translation

from loket.web.templatetags.constant_urls import ConstantURLNode

SRC = Path(__file__).resolve().parent.parent / "src" / "loket"
CONSTANT = re.compile(r"{%\s*url\s+'([^']+)'\s*%}")
NAMES = sorted(
    {
        name
        for path in SRC.rglob("templates/**/*.html")
        for name in CONSTANT.findall(path.read_text())
    }
)
DJANGO = Engine(libraries={}, builtins=[])  # Django's own {% url %}


def project_template(text: str) -> Template:
    return engines["django"].from_string(text).template  # type: ignore[attr-defined]


def both(text: str, context: dict[str, object], request: object = None) -> tuple[str, str]:
    ours = project_template(text)
    theirs = DJANGO.from_string(text)
    ours_context, theirs_context = Context(context), Context(context)
    if request is not None:
        ours_context.request = theirs_context.request = request  # type: ignore[attr-defined]
    return ours.render(ours_context), theirs.render(theirs_context)


def test_the_templates_name_argument_less_addresses() -> None:
    assert len(NAMES) >= 20, NAMES  # the header's and the footer's, at least


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_every_constant_address_is_djangos(language: str) -> None:
    request = RequestFactory().get(f"/{language}/legal/")
    with translation.override(language):
        request.resolver_match = resolve(f"/{language}/legal/")  # the namespace instance
        for name in NAMES:
            ours, theirs = both(f"{{% url '{name}' %}}", {}, request)
            assert ours == theirs, name
            again, _ = both(f"{{% url '{name}' %}}", {}, request)  # from the kept addresses
            assert again == theirs, name
            raw = f"{{% autoescape off %}}{{% url '{name}' %}}{{% endautoescape %}}"
            ours_raw, theirs_raw = both(raw, {}, request)
            assert ours_raw == theirs_raw, name


def test_the_language_and_the_script_prefix_are_part_of_the_address() -> None:
    seen = []
    for language in ("fr", "nl", "en"):
        with translation.override(language):
            seen.append(both("{% url 'web:legal' %}", {})[0])
    assert len(set(seen)) == 3, seen
    set_script_prefix("/loket/")
    try:
        with translation.override("en"):
            ours, theirs = both("{% url 'web:legal' %}", {})
        assert ours == theirs and ours.startswith("/loket/en/"), ours
    finally:
        set_script_prefix("/")


def test_only_constant_argument_less_uses_are_kept() -> None:
    def node(text: str) -> object:
        return project_template(text).nodelist[0]

    assert type(node("{% url 'web:legal' %}")) is ConstantURLNode
    assert type(node("{% url 'web:case' reference %}")) is URLNode
    assert type(node("{% url 'web:legal' as there %}")) is URLNode
    assert type(node("{% url name %}")) is URLNode
    with translation.override("en"):
        ours, theirs = both(
            "{% url name %}|{% url 'web:case' ref %}", {"name": "web:legal", "ref": "R<1>"}
        )
    assert ours == theirs


def test_an_unknown_name_fails_as_djangos_tag_fails() -> None:
    with pytest.raises(NoReverseMatch):
        project_template("{% url 'web:no-such-page' %}").render(Context({}))
    with pytest.raises(NoReverseMatch):
        DJANGO.from_string("{% url 'web:no-such-page' %}").render(Context({}))


def test_the_kept_addresses_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A script prefix comes from the request: however many there are, memory stays bounded."""
    from loket.web.templatetags import constant_urls

    monkeypatch.setattr(constant_urls, "_MOST", 5)
    monkeypatch.setattr(constant_urls, "_REVERSED", {})
    try:
        with translation.override("en"):
            for number in range(12):
                set_script_prefix(f"/p{number}/")
                ours, theirs = both("{% url 'web:legal' %}", {})
                assert ours == theirs == f"/p{number}/en/legal/"
                assert len(constant_urls._REVERSED) <= 5
    finally:
        set_script_prefix("/")
