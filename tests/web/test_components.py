"""GOV.UK components rendered once per distinct params: the cache must never change the HTML."""

from __future__ import annotations

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from yjinspect.web.inspections import components


def fresh(component: str, **params: object) -> str:
    """What the macro gives without any cache."""
    return components._macro(component).render(params=components._clean(params))


def test_cached_render_is_the_macros_output() -> None:
    for component, params in [
        ("tag", {"text": "Good", "classes": "govuk-tag--turquoise"}),
        ("skip-link", {"text": "Skip to main content", "href": "#main-content"}),
        (
            "service-navigation",
            {"serviceName": "yjinspect", "navigation": [{"text": "A", "href": "/a"}]},
        ),
    ]:
        first = components.render(component, **params)
        again = components.render(component, **params)
        assert first == again == fresh(component, **params)


def test_plain_text_is_escaped_and_trusted_html_is_not_even_when_cached() -> None:
    text = components.render("inset-text", text="<b>x</b>")
    html = components.render("inset-text", html=mark_safe("<b>x</b>"))
    plain_in_text = components.render("inset-text", text=mark_safe("<b>x</b>"))
    assert "&lt;b&gt;x&lt;/b&gt;" in text
    assert "<b>x</b>" in html
    # The same characters as trusted text are not escaped: the key must tell them apart.
    assert "<b>x</b>" in plain_in_text
    assert "&lt;b&gt;" in components.render("inset-text", text="<b>x</b>")


def test_different_params_are_different_entries() -> None:
    good = components.render("tag", text="Good", classes="govuk-tag--turquoise")
    bad = components.render("tag", text="Inadequate", classes="govuk-tag--red")
    assert "Good" in good and "Inadequate" in bad and "Inadequate" not in good


def test_lazy_text_follows_the_language_at_render_time() -> None:
    lazy = gettext_lazy("Ratings")
    with override("en"):
        english = components.render("tag", text=lazy)
    with override("cy"):
        welsh = components.render("tag", text=lazy)
    assert "Ratings" in english
    assert "Ratings" not in welsh
