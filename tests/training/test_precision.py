"""train.amp: the choice of arithmetic per device and CPU flags, its reason, and resuming across modes."""

import pytest
import torch

from gankit import api
from gankit.training.precision import choose_precision, cpu_flags, native_bf16_flags
from cli_helpers import TINY, TINY_DIGITS, expect_user_error, fingerprint, train_tiny

ZEN4 = {"avx2", "avx512f", "avx512_bf16", "avx512_vnni"}  # AVX512-BF16, no AMX
SAPPHIRE_RAPIDS = {"avx2", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"}
ZEN3 = {"avx", "avx2", "fma", "f16c"}  # no bf16 at all
SKYLAKE_X = {"avx2", "avx512f", "avx512bw", "avx512_vnni"}  # AVX-512 without its bf16 extension
GRAVITON3 = {"fp", "asimd", "sve", "bf16", "i8mm"}  # Arm with FEAT_BF16


@pytest.mark.parametrize("flags", [ZEN4, SAPPHIRE_RAPIDS, GRAVITON3])
def test_auto_is_bfloat16_on_cpus_that_execute_it(flags):
    chosen = choose_precision("auto", "cpu", flags=flags, capability="AVX512")
    assert chosen.mode == "bf16" and chosen.dtype == torch.bfloat16 and not chosen.needs_scaler
    assert "natively" in chosen.reason and any(f in chosen.reason for f in ("avx512_bf16", "amx_bf16", "bf16"))


@pytest.mark.parametrize("flags", [ZEN3, SKYLAKE_X, set()])
def test_auto_is_float32_on_cpus_without_bfloat16(flags):
    chosen = choose_precision("auto", "cpu", flags=flags, capability="AVX512")
    assert chosen.mode == "fp32" and chosen.dtype is None
    assert "no AMX or AVX512-BF16" in chosen.reason
    assert isinstance(chosen.autocast(), type(choose_precision(False, "cpu").autocast()))


def test_kernels_capped_below_avx512_count_as_no_bfloat16():
    assert native_bf16_flags(ZEN4, capability="AVX2") == []
    assert choose_precision("auto", "cpu", flags=SAPPHIRE_RAPIDS, capability="DEFAULT").mode == "fp32"
    assert native_bf16_flags(GRAVITON3, capability="SVE256") == ["bf16"]  # the cap concerns x86-64 alone


def test_true_and_false_keep_their_meaning():
    assert choose_precision(False, "cpu", flags=ZEN4, capability="AVX512").mode == "fp32"
    forced = choose_precision(True, "cpu", flags=ZEN3, capability="AVX2")
    assert forced.mode == "bf16" and "emulated" in forced.reason
    assert choose_precision(True, "cpu", flags=ZEN4, capability="AVX512").reason.startswith("train.amp=true")


def test_cuda_picks_bfloat16_else_float16_with_a_scaler():
    assert choose_precision("auto", "cuda", cuda_bf16=True).mode == "bf16"
    fp16 = choose_precision("auto", "cuda", cuda_bf16=False)
    assert fp16.mode == "fp16" and fp16.needs_scaler and fp16.dtype == torch.float16
    assert choose_precision("auto", "mps").mode == "fp32"


def test_the_flags_override_is_read(monkeypatch):
    monkeypatch.setenv("GANKIT_CPU_FLAGS", "avx2 fma")
    assert cpu_flags() == {"avx2", "fma"}
    assert choose_precision("auto", "cpu").mode == "fp32"
    monkeypatch.setenv("GANKIT_CPU_FLAGS", "avx2 avx512_bf16")
    expected = "fp32" if torch.backends.cpu.get_cpu_capability() in ("AVX2", "DEFAULT") else "bf16"
    assert choose_precision("auto", "cpu").mode == expected


def test_dry_run_names_the_precision_and_why(capsys, monkeypatch):
    from cli_helpers import run_cli

    monkeypatch.setenv("GANKIT_CPU_FLAGS", "avx2")
    code, out, err = run_cli(capsys, "train", "dcgan-fashion", "--dry-run")
    assert code == 0
    line = next(l for l in (out + err).splitlines() if l.startswith("amp "))
    assert "float32" in line and "train.amp=auto" in line and "no AMX or AVX512-BF16" in line


def test_points_keep_float32_under_auto_even_where_bfloat16_is_native(capsys, monkeypatch):
    from cli_helpers import run_cli

    assert choose_precision("auto", "cpu", flags=ZEN4, capability="AVX512", data_kind="points").mode == "fp32"
    assert choose_precision(True, "cpu", flags=ZEN4, capability="AVX512", data_kind="points").mode == "bf16"
    monkeypatch.setenv("GANKIT_CPU_FLAGS", "avx2 avx512f avx512_bf16")
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")
    code, out, err = run_cli(capsys, "train", "gan-ring", "--dry-run")
    assert code == 0
    line = next(l for l in (out + err).splitlines() if l.startswith("amp "))
    assert "float32" in line and "points keep float32" in line


def test_a_run_refuses_to_resume_in_another_precision_unless_told(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CPU_FLAGS", "avx2 avx512f avx512_bf16")
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")
    run = train_tiny(tmp_path / "run", base=TINY_DIGITS)  # auto, images, a CPU with bf16: trained in bf16
    assert api.run_info(run)["step"] == 4
    monkeypatch.setenv("GANKIT_CPU_FLAGS", "avx2")  # the same run on a CPU without bf16
    before = fingerprint(run)
    capsys.readouterr()
    expect_user_error(capsys, "train", "--resume", "--out", run, "--set", "train.steps=6",
                      says=("cannot resume", "trained in bf16", "continue in fp32", "--set train.amp"))
    assert fingerprint(run) == before  # nothing written
    result = api.train(None, run, overrides=["train.steps=6", "train.amp=true"], resume=True)
    assert result.step == 6  # told explicitly: it resumes (in bf16, emulated)


def test_bfloat16_resume_is_bit_identical(tmp_path):
    from safetensors.torch import load_file

    from gankit.training import checkpoint as ckpt

    options = [o for o in TINY if o != "--set"] + ["train.amp=true", "train.ema=0.9", "train.ckpt_every=100"]
    api.train("gan-ring", tmp_path / "straight", overrides=options + ["train.steps=6"])
    api.train("gan-ring", tmp_path / "stopped", overrides=options + ["train.steps=3"])
    api.train("gan-ring", tmp_path / "stopped", overrides=options + ["train.steps=6"], resume=True)
    a, b = (load_file(str(ckpt.latest_checkpoint(tmp_path / r / "checkpoints") / ckpt.TENSORS_FILE))
            for r in ("straight", "stopped"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    _, state = ckpt.load_checkpoint(ckpt.latest_checkpoint(tmp_path / "stopped" / "checkpoints"))
    assert state["precision"] == "bf16"
