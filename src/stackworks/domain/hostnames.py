"""Hostname themes: the names Stackworks suggests when a user gives none (GetHostnameSuggestion)."""

from __future__ import annotations

from collections.abc import Collection

from stackworks.domain.errors import InvalidInput

THEMES: dict[str, tuple[str, ...]] = {
    "greek_deities": (
        "apollo",
        "ares",
        "artemis",
        "athena",
        "demeter",
        "dionysus",
        "hades",
        "hephaestus",
        "hera",
        "hermes",
        "hestia",
        "poseidon",
        "zeus",
        "eos",
        "helios",
        "selene",
        "nike",
    ),
    "european_cities": (
        "amsterdam",
        "athens",
        "berlin",
        "bratislava",
        "brussels",
        "budapest",
        "dublin",
        "helsinki",
        "lisbon",
        "ljubljana",
        "madrid",
        "oslo",
        "paris",
        "prague",
        "riga",
        "rome",
        "sofia",
        "stockholm",
        "tallinn",
        "vienna",
        "vilnius",
        "warsaw",
        "zagreb",
    ),
    "fruits": (
        "apple",
        "apricot",
        "banana",
        "cherry",
        "damson",
        "fig",
        "grape",
        "guava",
        "kiwi",
        "lemon",
        "lime",
        "mango",
        "melon",
        "olive",
        "orange",
        "papaya",
        "peach",
        "pear",
        "plum",
        "quince",
    ),
}
LAYER_DEPENDENT = "layer_dependent"


def suggest_hostname(theme: str, first_layer: str, taken: Collection[str]) -> str:
    """The first free name of the theme; `layer_dependent` gives `<layer>1`, `<layer>2`, ..."""
    theme = theme.lower()
    if theme == LAYER_DEPENDENT:
        base = first_layer.replace("_", "-")
        n = 1
        while f"{base}{n}" in taken:
            n += 1
        return f"{base}{n}"
    names = THEMES.get(theme)
    if names is None:
        known = ", ".join([LAYER_DEPENDENT, *THEMES])
        raise InvalidInput(
            f"hostname_theme: unknown theme {theme!r} (known: {known})", field="hostname_theme"
        )
    for round_ in range(1, 1000):
        for name in names:
            candidate = name if round_ == 1 else f"{name}{round_}"
            if candidate not in taken:
                return candidate
    raise InvalidInput("hostname_theme: every name of the theme is taken", field="hostname_theme")
