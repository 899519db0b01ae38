"""Shared test set-up: one torch thread (small tensors run faster and steadier that way on 2 cores), the helpers of
`cli_helpers` importable from every test folder, two tiny trained runs (a 2-D ring run and a conditional digits
image run), trained once per session when a test first asks and only ever read (tests that change a run copy it
first with `copy_run`), and one gankit cache that every test process of the run shares (`shared_cache`)."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(1)

import shutil  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
# Tests move GANKIT_CACHE to temporary folders (classifiers, reference statistics); the assets installed by
# scripts/setup.sh stay where they are.
from gankit.assets.lookup import assets_dir  # noqa: E402

os.environ.setdefault("GANKIT_ASSETS", str(assets_dir()))
from cli_helpers import TINY_DIGITS, train_tiny  # noqa: E402


@pytest.fixture(scope="session")
def ring_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 4-step ring run (read only: copy it with `copy_run` to change it)."""
    return train_tiny(tmp_path_factory.mktemp("ring") / "run")


@pytest.fixture(scope="session")
def digits_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 4-step conditional MLP run on 8x8 digits (read only)."""
    return train_tiny(tmp_path_factory.mktemp("digits") / "run", base=TINY_DIGITS)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gankit cache shared by every test process of this run (pytest-xdist workers included): a domain classifier
    that one process trained, the others load (`gankit.evaluation.classifier` trains under a file lock), and
    reference statistics are computed once. For tests that only use the cache; tests of the cache itself make
    their own."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the workers' base folders are siblings
    cache = root / "shared-gankit-cache"
    cache.mkdir(exist_ok=True)
    return cache


@pytest.fixture(scope="session")
def fashion_judge(shared_cache: Path) -> tuple[Path, dict]:
    """(path, metadata) of gankit's Fashion-MNIST domain classifier at 28 px in the shared cache: what
    `gankit eval` judges garments with (5 epochs on the 60,000 training images, seed 0), trained once per run."""
    from gankit.evaluation.classifier import domain_classifier
    from gankit.evaluation.sources import load_reference

    _, info = domain_classifier(load_reference("fashion-mnist", None, 100), shared_cache, torch.device("cpu"))
    return Path(info["path"]), info


@pytest.fixture
def copy_run(tmp_path: Path):
    """`copy_run(run)` -> a private copy of a session run under this test's tmp_path."""

    def _copy(run: Path, name: str = "run") -> Path:
        target = tmp_path / name
        shutil.copytree(run, target)
        return target

    return _copy


@pytest.fixture
def no_assets(tmp_path, monkeypatch):
    """An empty gankit cache (GANKIT_CACHE under tmp_path) and no asset installed by pip or apt: every
    `gankit.assets.lookup` finds nothing until a test installs something into the cache. Returns the cache."""
    import gankit.assets.lookup as lookup_module

    cache = tmp_path / "gankit-cache"
    monkeypatch.setenv("GANKIT_CACHE", str(cache))
    monkeypatch.delenv("GANKIT_ASSETS", raising=False)
    monkeypatch.setattr(lookup_module, "find_installed", lambda asset: None)
    return cache


@pytest.fixture(scope="session")
def digits_gan(tmp_path_factory):
    """An unconditional MLP GAN trained for 500 steps on the first 1,500 of the 8x8 digits (about 6 s; read only):
    the latent tools' and the pixel metrics' trained run."""
    from gankit.cli import main

    run = tmp_path_factory.mktemp("latent") / "run"
    assert main(["train", "gan-mlp-fashion", "--out", str(run), "--set", "data.name=digits",
                 "--set", "data.limit=1500", "--set", "model.z_dim=8", "--set", "model.g_hidden=[64,64]",
                 "--set", "model.d_hidden=[64,64]", "--set", "train.steps=500", "--set", "train.batch_size=64",
                 "--set", "train.progress=false", "--set", "train.sample_every=10000"]) == 0
    return run
