"""`gankit eval --metrics swd,msssim`: measured on the images themselves (no extractor is built or trained), a
trained generator is closer to its data than a barely trained one, and points are refused in one line."""

import json

from cli_helpers import expect_user_error, run_cli


def test_swd_and_msssim_of_a_trained_and_an_untrained_generator(digits_gan, digits_run, tmp_path, capsys,
                                                                 monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    results = {}
    for name, run in (("trained", digits_gan), ("untrained", digits_run)):
        code, out, _ = run_cli(capsys, "eval", run, "--metrics", "swd,msssim", "--n", "500", "--ref", "digits",
                               "--json")
        assert code == 0
        results[name] = json.loads(out)
    trained, untrained = results["trained"], results["untrained"]
    assert set(trained) >= {"swd", "swd_8", "msssim", "msssim_real"}
    assert trained["settings"]["extractor"] == "none (pixels)"
    assert not (tmp_path / "cache" / "classifiers").exists()  # nothing was trained to extract features
    # measured: 500 steps SWD 330, 4 steps of a 16-unit MLP 600 (two halves of the real digits: 85; uniform
    # noise: 490)
    assert trained["swd"] < 0.75 * untrained["swd"]
    # the real digits are varied: their pairs are far less alike than identical images (1)
    assert 0 < trained["msssim_real"] < 0.3 and trained["msssim_real"] == untrained["msssim_real"]
    code, out, _ = run_cli(capsys, "eval", digits_gan, "--metrics", "msssim", "--n", "200", "--ref", "digits")
    assert code == 0 and "msssim_real" in out and "features" not in out


def test_pixel_metrics_refuse_points(ring_run, capsys):
    expect_user_error(capsys, "eval", ring_run, "--metrics", "swd", "--n", "100", says=("'swd' measures images",))
