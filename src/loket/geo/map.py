"""The map of a ``location`` field: a progressive enhancement of the address fields.

Without JavaScript the address fields work alone. With it, ``static/geo/location-map.js`` shows a
Leaflet map (served from our own static files, never a CDN): clicking it, or pressing Enter on
it, sets the hidden latitude and longitude and fills the address with the nearest one
(``/api/v1/addresses/reverse``). Tiles come from ``LOKET_MAP_TILES_URL`` (UrbIS WMTS in
production); empty means no tiles: points on a plain background.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse

BRUSSELS_CENTRE = (50.8466, 4.3528)


def tiles_url() -> str:
    return str(getattr(settings, "LOKET_MAP_TILES_URL", "") or "")


class MapPointInput(forms.HiddenInput):
    """The hidden longitude input of a location, followed by the map that sets the point.

    ``nearby_url`` and ``nearby_category``, when given, let the map list open reports of the
    same category near the point (reports in public space).
    """

    template_name = "geo/map_point.html"

    def __init__(self, nearby_url: str = "", nearby_category: str = "") -> None:
        super().__init__()
        self.nearby_url, self.nearby_category = nearby_url, nearby_category

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        prefix = name.removesuffix("__lon")
        context["map"] = {
            "prefix": prefix,
            "reverse_url": reverse("geo:reverse"),
            "search_url": reverse("geo:search"),
            "tiles_url": tiles_url(),
            "centre": f"{BRUSSELS_CENTRE[0]},{BRUSSELS_CENTRE[1]}",
            "nearby_url": self.nearby_url,
            "nearby_category": self.nearby_category,
        }
        return context
