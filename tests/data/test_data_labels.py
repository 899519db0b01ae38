"""--label by class name or index: names first, then whole numbers, and a did-you-mean for a near miss."""

import pytest

from gankit.data.fashion_mnist import CLASS_NAMES as FASHION
from gankit.data.labels import resolve_label
from gankit.errors import ConfigError


def test_names_and_indices():
    assert resolve_label("Sneaker", 10, FASHION) == 7
    assert resolve_label("T-shirt/top", 10, FASHION) == 0
    assert resolve_label("7", 10, FASHION) == 7 and resolve_label(7, 10, FASHION) == 7
    assert resolve_label(" 2 ", 3) == 2  # a run that kept no names takes indices


def test_a_class_named_by_a_number_is_that_class_not_that_index():
    assert resolve_label("3", 3, ("1", "2", "3")) == 2
    assert resolve_label("0", 3, ("1", "2", "3")) == 0  # no class is called 0: the index


@pytest.mark.parametrize("label,says", [
    ("sneaker", "did you mean 'Sneaker'?"),
    ("Sneekers", "did you mean 'Sneaker'?"),
    ("bicycle", "classes: T-shirt/top, Trouser, Pullover"),
    ("10", "--label must be in 0..9 (T-shirt/top"),
    (-1, "got -1"),
])
def test_unknown_labels_are_one_line_errors(label, says):
    with pytest.raises(ConfigError) as info:
        resolve_label(label, 10, FASHION)
    assert says in str(info.value) and "\n" not in str(info.value)
    assert "did you mean" not in str(info.value) or label in ("sneaker", "Sneekers")


def test_a_name_for_a_run_without_names():
    with pytest.raises(ConfigError, match="'coffee' is not a class index 0..2"):
        resolve_label("coffee", 3)
