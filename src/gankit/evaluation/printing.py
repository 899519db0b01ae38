"""How ``gankit eval`` shows a result: one JSON object (``--json``) or a small table with a line saying what was
compared."""

from __future__ import annotations

import json
import math
from typing import Any


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def result_to_json(result: dict[str, Any]) -> str:
    """One JSON object (NaN and infinities become null, so any JSON reader accepts it)."""
    return json.dumps(_json_safe(result), sort_keys=False, allow_nan=False)


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.5g}"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def format_table(result: dict[str, Any]) -> str:
    """A small two-column table (metric, value; ``kid ± kid_std``) and a line saying what was compared."""
    rows = []
    for key, value in result.items():
        if key == "settings" or key.endswith("_std"):
            continue
        shown = _format_value(value)
        if f"{key}_std" in result:
            shown += f" ± {_format_value(result[key + '_std'])}"
        rows.append((key, shown))
    width = max([len("metric")] + [len(k) for k, _ in rows])
    lines = [f"{'metric':<{width}}  value"] + [f"{k:<{width}}  {v}" for k, v in rows]
    s = result["settings"]
    if "ref" not in s:  # the perceptual path length alone: no samples were compared with a reference
        lines.append(f"\nperceptual path length of {s['source']} over {s['ppl_pairs']} latent pairs in {s['ppl_space']} "
                     f"(ε = {s['ppl_epsilon']:g}); seed {s['seed']}")
        return "\n".join(lines)
    ref = s["ref"]
    where = f"{s['source']}" + (f" (step {s['step']})" if s.get("step") is not None else "")
    if s.get("truncation") is not None:
        where += f", latent codes truncated to ±{s['truncation']:g}"
    if s.get("jacobian_rejection"):
        where += f", {s['jacobian_rejection']:.0%} of latent codes rejected where G is steepest"
    features = f"features: {s['extractor_id']} in {s.get('precision', 'fp32')}; " if s['extractor_id'] != "none" else ""
    lines.append(f"\n{s['n_fake']} samples of {where} vs {ref['n']} of {ref['identity']} ({ref['split']}); "
                 f"{features}seed {s['seed']}")
    for note in s["skipped"]:
        lines.append(f"skipped {note}")
    return "\n".join(lines)
