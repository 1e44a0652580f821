"""Django's ``{% url %}``, with the addresses that take no argument reversed once per process.

Every page's layout names about twenty pages by a constant name and no argument (the header's
links, the footer's). Through Django's tag each is resolved, reversed and escaped on every
request: about 0.5 ms of a page that only prints the layout (``/en/legal/``, measured by
template node). Such an address depends only on the name, the URL configuration, the active
language (its prefix), the script prefix and the current namespace instance, so it is kept under
those. Any other use of the tag (arguments, ``as`` a variable, a name held in a variable) is
Django's own node, unchanged.

Loaded as a builtin (settings.TEMPLATES), so it replaces ``{% url %}`` in every template.
tests/test_constant_urls.py holds it to Django's tag.
"""

from __future__ import annotations

import threading

from django import template
from django.conf import settings
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

_Key = tuple[str, str | None, str, str | None, str, bool]
_REVERSED: dict[_Key, str] = {}
_LOCK = threading.Lock()
# About 22 names in 3 languages under each namespace pages are served in: far below this. A
# script prefix comes from the request (SCRIPT_NAME, which a proxy may let a client set), so
# the kept addresses are bounded: past the bound they are forgotten and reversed again.
_MOST = 4096


class ConstantURLNode(URLNode):
    """``{% url 'name' %}``: a constant name, no argument, printed where it stands."""

    def render(self, context: Context) -> str:
        name: str = self.view_name.var
        try:  # the namespace instance, found as Django's tag finds it
            current_app = context.request.current_app  # type: ignore[attr-defined]
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace  # type: ignore[attr-defined]
            except AttributeError:
                current_app = None
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        key = (name, current_app, str(urlconf), get_language(), get_script_prefix(),
               context.autoescape)  # fmt: skip
        url = _REVERSED.get(key)
        if url is None:
            url = reverse(name, current_app=current_app)  # NoReverseMatch as Django's tag
            if context.autoescape:
                url = conditional_escape(url)
            with _LOCK:
                if len(_REVERSED) >= _MOST:
                    _REVERSED.clear()
                _REVERSED[key] = url
        return url


@register.tag("url")
def url(parser: Parser, token: Token) -> URLNode:
    node = django_url(parser, token)
    constant = isinstance(node.view_name.var, str) and not node.view_name.filters
    if constant and not node.args and not node.kwargs and node.asvar is None:
        return ConstantURLNode(node.view_name, node.args, node.kwargs, node.asvar)
    return node
