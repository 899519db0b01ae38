"""Family-owned config sections: a game registers the dataclass of its options under a section name.

The shared sections (`data`, `model`, `loss`, `reg`, `stab`, `optim`, `train`, `eval`, `sample`) live in
`gankit.config.schema`; a family's own options live in a section named after it (``pix2pix.lambda_l1``,
``cycle.lambda_cycle``) that its game registers, so the schema does not grow with each family::

    @dataclass
    class Pix2PixOptions:
        lambda_l1: float = 100.0

    register_section("pix2pix", Pix2PixOptions, games=("pix2pix",), check=check_pix2pix)

A section's keys are type-checked and get "did you mean" hints like every other key; a section set for a
game that does not read it is an error (naming the games that do); the active game's sections are filled
with their defaults so a run folder's config.yaml records every option the run used.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Section:
    """A registered section: its `name`, options dataclass `schema`, the `games` that read it and an optional
    `check(options)` raising `ConfigError` for values a type alone cannot rule out."""

    name: str
    schema: type
    games: tuple[str, ...]
    check: Callable[[Any], None] | None = None


_SECTIONS: dict[str, Section] = {}
_RESERVED: set[str] = set()  # the top-level keys of `Config` (gankit.config.schema reserves them)


def reserve_names(names) -> None:
    """Keep `names` (the shared top-level keys) from ever being registered as a family section."""
    _RESERVED.update(names)


def register_section(name: str, schema: type, games: tuple[str, ...],
                     check: Callable[[Any], None] | None = None) -> None:
    """Register the options dataclass `schema` as config section `name`, read by `games`.

    Registering a name twice, or a name of a shared section, is a programming error (``ValueError``).
    """
    if not dataclasses.is_dataclass(schema):
        raise TypeError(f"section {name!r} needs a dataclass, got {schema!r}")
    if name in _RESERVED or name in _SECTIONS:
        raise ValueError(f"config section {name!r} is already defined")
    _SECTIONS[name] = Section(name, schema, tuple(games), check)


def section_names() -> list[str]:
    """The registered family sections, sorted."""
    return sorted(_SECTIONS)


def get_section(name: str) -> Section | None:
    """The section registered under `name`, or None."""
    return _SECTIONS.get(name)


def sections_of_game(game: str) -> list[Section]:
    """The sections `game` reads."""
    return [s for s in _SECTIONS.values() if game in s.games]
