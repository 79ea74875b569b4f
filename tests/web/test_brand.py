"""yjinspect uses GOV.UK Frontend but is not a GOV.UK service: no GOV.UK typeface or icon.

GDS Transport is licensed for GOV.UK only and the crown icon marks GOV.UK pages; both are
left out of the vendored assets (static/govuk-frontend/README.txt, docs/decisions/0005).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

STATIC = Path(__file__).resolve().parents[2] / "src/yjinspect/web/static"
FRONTEND_CSS = STATIC / "govuk-frontend/dist/govuk/govuk-frontend.min.css"


def test_the_vendored_stylesheet_names_no_gov_uk_typeface() -> None:
    css = FRONTEND_CSS.read_text(encoding="utf-8")
    assert "GDS Transport" not in css and "@font-face" not in css and ".woff" not in css
    assert "font-family:arial,sans-serif" in css  # the Design System's own non-GOV.UK stack


def test_no_font_files_are_shipped() -> None:
    assert not [p for p in STATIC.rglob("*") if p.suffix in {".woff", ".woff2", ".ttf", ".otf"}]


@pytest.mark.django_db
def test_pages_carry_our_icon_not_the_crown(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "/static/yjinspect/favicon.svg" in page
    assert "govuk-frontend/dist/govuk/assets/images/favicon" not in page
