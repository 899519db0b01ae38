"""Class labels by name or by index: ``--label coffee`` or ``--label 1`` for a run trained on class folders.

A class-folder dataset names its classes by its sorted sub-folder names (label k is the k-th name); built-in
sets carry their own names (Fashion-MNIST's "T-shirt/top" ... "Ankle boot", the digits "0" ... "9").
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from gankit.errors import ConfigError

_SHOWN = 12  # class names listed in an error message before "..."


def _listing(class_names: Sequence[str]) -> str:
    names = ", ".join(class_names[:_SHOWN])
    return names + (f", ... ({len(class_names)} classes)" if len(class_names) > _SHOWN else "")


def resolve_label(label: int | str, num_classes: int, class_names: Sequence[str] = ()) -> int:
    """The class index ``label`` means: a class name first, else an index ``0..num_classes-1``.

    A string that is exactly one of ``class_names`` is that class (so a folder named ``3`` is the class ``3``,
    whatever its index); any other string must be a whole number. An unknown name raises ``ConfigError`` with
    the closest names ("did you mean") and the list of classes.
    """
    if isinstance(label, str):
        text = label.strip()
        if text in class_names:
            return list(class_names).index(text)
        try:
            label = int(text)
        except ValueError:
            if not class_names:
                raise ConfigError(f"--label '{text}' is not a class index 0..{num_classes - 1} "
                                  "(this run's classes have no names)") from None
            lowered = {name.lower(): name for name in class_names}
            close = difflib.get_close_matches(text, class_names, n=1, cutoff=0.6) or (
                [lowered[text.lower()]] if text.lower() in lowered else
                difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=0.6))
            hint = f" (did you mean '{lowered.get(close[0], close[0])}'?)" if close else ""
            raise ConfigError(f"--label '{text}' is not a class of this run{hint}; classes: "
                              f"{_listing(class_names)}") from None
    if isinstance(label, bool) or not isinstance(label, int):
        raise ConfigError(f"--label must be a class name or index, got {label!r}")
    if not 0 <= label < num_classes:
        names = f" ({_listing(class_names)})" if class_names else ""
        raise ConfigError(f"--label must be in 0..{num_classes - 1}{names}, got {label}")
    return label
