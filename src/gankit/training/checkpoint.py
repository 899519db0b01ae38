"""Checkpoints: tensors in safetensors, everything else in JSON, never a pickle.

A checkpoint is a folder ``checkpoints/step-00001000/`` holding ``tensors.safetensors`` and ``state.json``.
Any nested state (optimizer state dicts, RNG states, the data position) is split by `flatten`: tensors go to
the safetensors file under a dotted key and are replaced in the JSON by ``{"__tensor__": key}``. Loading a
checkpoint therefore cannot run code.

Writes are atomic: both files go into a hidden temporary folder, are fsynced, and the folder is renamed into
place; a crash leaves either the old set of checkpoints or the new one, never a half-written folder. Only
the newest ``keep`` checkpoints are kept.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from gankit.atomic import fsync_dir
from gankit.errors import CheckpointError

FORMAT = "gankit-checkpoint"
FORMAT_VERSION = 1
TENSORS_FILE = "tensors.safetensors"
STATE_FILE = "state.json"
_STEP_DIR = re.compile(r"^step-(\d+)$")


def flatten(obj: Any, tensors: dict[str, torch.Tensor], prefix: str) -> Any:
    """Move every tensor inside nested dicts/lists/tuples into `tensors`; return the JSON-able remainder."""
    if isinstance(obj, torch.Tensor):
        key = prefix.rstrip(".")
        tensors[key] = obj.detach().to("cpu", copy=True).contiguous()
        return {"__tensor__": key}
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in obj):
            return {k: flatten(v, tensors, f"{prefix}{k}.") for k, v in obj.items()}
        return {"__dict__": [[k, flatten(v, tensors, f"{prefix}{k}.")] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        items = [flatten(v, tensors, f"{prefix}{i}.") for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot store {type(obj).__name__} in a checkpoint")


def unflatten(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    """Inverse of `flatten`."""
    if isinstance(obj, dict):
        if "__tensor__" in obj:
            return tensors[obj["__tensor__"]]
        if "__dict__" in obj:
            return {k: unflatten(v, tensors) for k, v in obj["__dict__"]}
        if "__tuple__" in obj:
            return tuple(unflatten(v, tensors) for v in obj["__tuple__"])
        return {k: unflatten(v, tensors) for k, v in obj.items()}
    if isinstance(obj, list):
        return [unflatten(v, tensors) for v in obj]
    return obj


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def replace_dir(tmp: Path, final: Path) -> None:
    """Move the finished folder `tmp` to `final`, replacing any folder there with two renames (never a moment
    without a complete `final` folder but for the instant between them), then fsync the parent."""
    if final.exists():
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        os.rename(final, old)
        os.rename(tmp, final)
        shutil.rmtree(old)
    else:
        os.rename(tmp, final)
    fsync_dir(final.parent)


def step_dir_name(step: int) -> str:
    return f"step-{step:08d}"


def save_checkpoint(folder: Path, step: int, state: dict[str, Any], keep: int) -> Path:
    """Write ``state`` (nested, tensors anywhere) atomically as checkpoint `step` under `folder`; prune to `keep`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / step_dir_name(step)
    tmp = folder / f".tmp-{step_dir_name(step)}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    tensors: dict[str, torch.Tensor] = {}
    skeleton = flatten(state, tensors, "")
    save_file(tensors, str(tmp / TENSORS_FILE))
    with open(tmp / TENSORS_FILE, "rb+") as handle:
        os.fsync(handle.fileno())
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "step": step, "state": skeleton}
    _write_synced(tmp / STATE_FILE, json.dumps(meta).encode("utf-8"))
    fsync_dir(tmp)
    replace_dir(tmp, final)  # final exists when a step is saved again (a run resumed and stopped at once)
    for stale in list_checkpoints(folder)[:-keep]:
        shutil.rmtree(stale)
    return final


def list_checkpoints(folder: Path) -> list[Path]:
    """Complete checkpoint folders under `folder`, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if p.is_dir() and (m := _STEP_DIR.match(p.name))]
    return [p for _, p in sorted(found)]


def latest_checkpoint(folder: Path) -> Path | None:
    found = list_checkpoints(folder)
    return found[-1] if found else None


def load_checkpoint(path: Path) -> tuple[int, dict[str, Any]]:
    """Read a checkpoint folder; returns (step, state). Raises `CheckpointError` on anything malformed."""
    path = Path(path)
    state_file, tensor_file = path / STATE_FILE, path / TENSORS_FILE
    if not state_file.is_file() or not tensor_file.is_file():
        raise CheckpointError(f"not a gankit checkpoint: {path} (expected {STATE_FILE} and {TENSORS_FILE})")
    try:
        meta = json.loads(state_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CheckpointError(f"corrupt checkpoint: {state_file} is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"not a gankit checkpoint: {state_file}")
    if meta.get("version") != FORMAT_VERSION:
        raise CheckpointError(f"checkpoint {path} has format version {meta.get('version')}, expected {FORMAT_VERSION}")
    try:
        tensors = load_file(str(tensor_file))
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"corrupt checkpoint: {tensor_file} ({str(exc).splitlines()[0]})") from None
    try:
        state = unflatten(meta["state"], tensors)
    except (KeyError, ValueError, TypeError):
        raise CheckpointError(f"corrupt checkpoint: {state_file} does not match {TENSORS_FILE}") from None
    return int(meta["step"]), state


def load_module_state(module: torch.nn.Module, state: dict[str, torch.Tensor], what: str) -> None:
    """`module.load_state_dict(state)`, turning a mismatch into a one-line `CheckpointError`."""
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    wrong = [k for k in own if k in state and own[k].shape != state[k].shape]
    if missing or unexpected or wrong:
        parts = []
        if wrong:
            k = wrong[0]
            parts.append(f"{k} has shape {tuple(state[k].shape)} in the checkpoint, {tuple(own[k].shape)} in the model")
        if missing:
            parts.append(f"missing {missing[0]}" + (f" and {len(missing) - 1} more" if len(missing) > 1 else ""))
        if unexpected:
            parts.append(f"unexpected {unexpected[0]}" + (f" and {len(unexpected) - 1} more" if len(unexpected) > 1 else ""))
        raise CheckpointError(f"checkpoint does not fit the {what}: {'; '.join(parts)}")
    module.load_state_dict(state)
