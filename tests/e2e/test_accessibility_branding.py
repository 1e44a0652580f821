"""An administration's name, logo and accent colour in the header, refused below 4.5:1."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings

from loket.web.branding import branding, check_accent, contrast_ratio


def test_contrast_ratio_follows_wcag() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_an_accent_readable_with_white_text_and_on_white_is_accepted() -> None:
    assert check_accent("#0b3d91") == "#0b3d91"
    assert check_accent("#6b2c91") == "#6b2c91"


@pytest.mark.parametrize(
    ("accent", "text_on_accent"),
    [("#ffbf47", "#ffffff"), ("#7a8a9a", "#ffffff"), ("#0b3d91", "#1b1b1b")],
)
def test_an_accent_below_4_5_to_1_is_refused(accent: str, text_on_accent: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="contrast"):
        check_accent(accent, text_on_accent)


def test_a_malformed_colour_is_refused() -> None:
    with pytest.raises(ValueError):
        check_accent("blue")


@pytest.mark.django_db
def test_the_header_shows_the_administration_name_and_accent() -> None:
    request = RequestFactory().get("/en/")
    request.user = AnonymousUser()
    configured = {"name": "Loket Ixelles", "accent": "#6b2c91"}
    with override_settings(LOKET_BRANDING=configured):
        context = branding(request)
        html = render_to_string("web/home.html", context, request=request)
    assert "Loket Ixelles" in html
    assert "--colour-brand: #6b2c91" in html
    with (
        override_settings(LOKET_BRANDING={"accent": "#ffbf47"}),
        pytest.raises(ImproperlyConfigured),
    ):
        branding(request)
