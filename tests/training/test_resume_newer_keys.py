"""A run saved before a config key existed resumes when the key sits at its default, and only then."""

from __future__ import annotations

from pathlib import Path

import pytest

from gankit.config import Config, config_from_dict
from gankit.errors import RunFolderError
from gankit.training.run_folder import check_resumable


def _saved_without(*keys: str) -> dict:
    saved = Config().to_dict()
    for key in keys:
        section, name = key.split(".")
        del saved[section][name]
    return saved


def test_a_key_newer_than_the_run_at_its_default_resumes():
    check_resumable(_saved_without("data.history", "data.seed"), Config(), Path("run"))


def test_a_key_newer_than_the_run_set_otherwise_does_not():
    with pytest.raises(RunFolderError, match="config key 'data.history' was None, now 5"):
        check_resumable(_saved_without("data.history"), config_from_dict({"data": {"history": 5}}), Path("run"))
