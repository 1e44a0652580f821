"""The design-system gallery: every component of the pages, rendered as in use, with its markup.

Each example is a small template rendered with the request's context, so the gallery shows the
same includes and the same translated words as the real pages; the markup shown under each
example is the rendered HTML itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _


class ExampleForm(forms.Form):
    """A form in the state the components are shown in: a hint, an error, radios, checkboxes."""

    name = forms.CharField(
        label=_("Full name"), help_text=_("As written on your identity card."), required=True
    )
    contact = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=[("email", _("By e-mail")), ("post", _("By post"))],
        widget=forms.RadioSelect,
        help_text=_("Choose one."),
    )
    documents = forms.MultipleChoiceField(
        label=_("Which documents do you have?"),
        choices=[("id", _("Identity card")), ("lease", _("Lease"))],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


@dataclass(frozen=True)
class Example:
    title: str
    html: str


COMPONENTS = [
    (_("Buttons"), "web/design/buttons.html"),
    (_("Links and back link"), "web/design/links.html"),
    (_("Error summary"), "web/design/error_summary.html"),
    (_("Field with hint and error"), "web/design/field.html"),
    (_("Radios"), "web/design/radios.html"),
    (_("Checkboxes"), "web/design/checkboxes.html"),
    (_("Summary list"), "web/design/summary_list.html"),
    (_("Tags"), "web/design/tags.html"),
    (_("Notice"), "web/design/notice.html"),
    (_("Confirmation panel"), "web/design/panel.html"),
    (_("Table"), "web/design/table.html"),
    (_("Search form"), "web/design/search_form.html"),
]


def design_system(request: HttpRequest) -> HttpResponse:
    form = ExampleForm(data={"contact": "", "name": ""}, prefix="example")
    form.is_valid()  # the required fields now carry their error messages
    examples = [
        Example(str(title), render_to_string(name, {"form": form}, request=request).strip())
        for title, name in COMPONENTS
    ]
    return render(request, "web/design_system.html", {"examples": examples})
