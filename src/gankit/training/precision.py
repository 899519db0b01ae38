"""Which arithmetic a run computes in, and why: `train.amp` (auto | true | false) resolved for a device.

Mixed precision (Micikevicius et al. 2018, "Mixed Precision Training") runs the matmuls and convolutions of
the forward pass in a 16-bit type under ``torch.autocast`` while the weights, the optimizer state and the
gradients stay float32; losses, penalties and statistics are computed on logits cast back to float32
(`gankit.losses`). bfloat16 keeps float32's 8-bit exponent (Kalamkar et al. 2019, "A Study of BFLOAT16 for
Deep Learning Training"), so it needs no loss scaling; float16 (5-bit exponent) needs a gradient scaler.

``auto`` (the default) picks, per device:

- CUDA: bfloat16 when the device supports it (Ampere and later), else float16 with ``GradScaler``;
- CPU: bfloat16 when the processor executes it natively -- AMX (``amx_bf16``) or AVX512-BF16
  (``avx512_bf16``) on x86-64, the BF16 extension (``bf16``) on Arm -- read from the CPU's flags, never
  guessed from its model name; float32 otherwise, since emulated bfloat16 is slower than float32;
- anything else (MPS, ...): float32;
- point data (``data_kind="points"``) keep float32 on every device: bfloat16 keeps 8 significant bits, so a
  coordinate near 2 is rounded to a multiple of 1/64, as coarse as a toy mode's spread (0.01-0.05), and the
  networks of point games are too small for 16-bit arithmetic to be faster; series (``data_kind="series"``)
  likewise.

``true`` asks for 16-bit autocast whatever the hardware (bfloat16 on a CPU, even emulated); ``false`` for
float32. The flags come from /proc/cpuinfo (Linux) or sysctl (macOS); ``GANKIT_CPU_FLAGS`` (a space
separated list) replaces them, for tests. PyTorch kernels capped below AVX-512 (``ATEN_CPU_CAPABILITY=avx2``
or ``default``) count as a CPU without native bfloat16 on x86-64.
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from dataclasses import dataclass
from typing import ContextManager, Iterable

import torch

MODES = ("fp32", "bf16", "fp16")
NATIVE_BF16_FLAGS = ("amx_bf16", "avx512_bf16", "bf16")  # x86-64 AMX, x86-64 AVX512-BF16, Arm FEAT_BF16
_X86_BF16_FLAGS = ("amx_bf16", "avx512_bf16")
_LABELS = {"fp32": "float32", "bf16": "bfloat16 autocast", "fp16": "float16 autocast with a gradient scaler"}
_DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class Precision:
    """The arithmetic chosen for a device: `mode` (fp32 | bf16 | fp16) and the one-line `reason`."""

    mode: str
    reason: str
    device_type: str = "cpu"

    @property
    def dtype(self) -> torch.dtype | None:
        """The autocast type, None for float32."""
        return _DTYPES[self.mode]

    @property
    def needs_scaler(self) -> bool:
        """float16 gradients underflow without loss scaling; bfloat16 and float32 need none."""
        return self.mode == "fp16"

    @property
    def label(self) -> str:
        return _LABELS[self.mode]

    def describe(self) -> str:
        """E.g. ``bfloat16 autocast (train.amp=auto: this CPU executes bfloat16 natively (avx512_bf16))``."""
        return f"{self.label} ({self.reason})"

    def autocast(self) -> ContextManager:
        """The context the forward passes and losses run in: ``torch.autocast`` or nothing for float32."""
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device_type, dtype=self.dtype)


# ------------------------------------------------------------------------------------------------ detection
def _proc_cpuinfo_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip().lower() in ("flags", "features"):  # x86 "flags", Arm "Features"
                    return set(value.split())
    except OSError:
        pass
    return set()


def _macos_flags() -> set[str]:
    try:
        out = subprocess.run(["sysctl", "-n", "hw.optional.arm.FEAT_BF16"], capture_output=True, text=True,
                             timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return set()
    return {"bf16"} if out == "1" else set()


def cpu_flags() -> set[str]:
    """The CPU's feature flags: ``GANKIT_CPU_FLAGS`` when set, else /proc/cpuinfo or (macOS) sysctl."""
    override = os.environ.get("GANKIT_CPU_FLAGS")
    if override is not None:
        return set(override.replace(",", " ").split())
    return _macos_flags() if platform.system() == "Darwin" else _proc_cpuinfo_flags()


def _capability_below_avx512(capability: str | None) -> bool:
    """Whether PyTorch's kernels are capped below AVX-512 on x86-64 (e.g. ``ATEN_CPU_CAPABILITY=avx2``)."""
    if capability is None:
        return False
    return capability.upper() in ("DEFAULT", "AVX", "AVX2")


def native_bf16_flags(flags: Iterable[str] | None = None, capability: str | None = None) -> list[str]:
    """The flags among `flags` (default: this CPU's) that make bfloat16 native; [] when there are none.

    `capability` is PyTorch's CPU capability (default: ``torch.backends.cpu.get_cpu_capability()``); below
    AVX-512 the x86-64 flags do not count, since PyTorch's own kernels then run without them.
    """
    if flags is None:
        flags = cpu_flags()
        capability = torch.backends.cpu.get_cpu_capability() if capability is None else capability
    found = set(flags)
    native = [f for f in NATIVE_BF16_FLAGS if f in found]
    if _capability_below_avx512(capability):
        native = [f for f in native if f not in _X86_BF16_FLAGS]
    return native


# ------------------------------------------------------------------------------------------------ the choice
def amp_setting_text(setting: bool | str) -> str:
    """``auto``, ``true`` or ``false``, as written in a config."""
    return setting if isinstance(setting, str) else str(bool(setting)).lower()


def choose_precision(setting: bool | str, device: torch.device | str, *, flags: Iterable[str] | None = None,
                     capability: str | None = None, cuda_bf16: bool | None = None,
                     data_kind: str = "image") -> Precision:
    """The precision `train.amp` = `setting` gives on `device`, with the reason (see the module docstring).

    `flags`, `capability` and `cuda_bf16` replace what is detected (for tests and benchmarks).
    """
    device = torch.device(device)
    kind = device.type
    key = f"train.amp={amp_setting_text(setting)}"
    if setting is False or setting == "false":
        return Precision("fp32", key, kind)
    if setting == "auto" and data_kind == "points":
        return Precision("fp32", f"{key}: points keep float32 (bfloat16 would round coordinates coarser than a "
                                 "small mode's spread)", kind)
    if setting == "auto" and data_kind == "table":
        return Precision("fp32", f"{key}: tables keep float32 (their networks are small MLPs, and bfloat16 would "
                                 "round a normalised value to 1 part in 256)", kind)
    if setting == "auto" and data_kind == "series":
        return Precision("fp32", f"{key}: series keep float32 (bfloat16 would round a value to 1 part in 256, "
                                 "coarser than the dependence between steps)", kind)
    if kind == "cuda":
        bf16 = torch.cuda.is_bf16_supported() if cuda_bf16 is None else cuda_bf16
        if bf16:
            return Precision("bf16", f"{key}: this CUDA device supports bfloat16", kind)
        return Precision("fp16", f"{key}: this CUDA device has no bfloat16", kind)
    if kind == "cpu":
        native = native_bf16_flags(flags, capability)
        if native:
            return Precision("bf16", f"{key}: this CPU executes bfloat16 natively ({', '.join(native)})", kind)
        if setting == "auto":
            return Precision("fp32", f"{key}: this CPU has no AMX or AVX512-BF16, so bfloat16 would be emulated "
                                     "and slower", kind)
        return Precision("bf16", f"{key}, though this CPU has no AMX or AVX512-BF16 (bfloat16 is emulated)", kind)
    return Precision("fp32", f"{key}: no mixed precision on {kind}", kind)


def inference_autocast(mode: str, device: torch.device | str) -> ContextManager:
    """The autocast context of inference (sampling, feature extraction) in `mode` (fp32 | bf16 | fp16)."""
    return Precision(mode, "", torch.device(device).type).autocast()
