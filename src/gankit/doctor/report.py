"""Diagnosing a run folder after the fact, and writing findings as text, Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gankit.doctor.findings import Finding
from gankit.doctor.monitors import diagnose
from gankit.errors import GankitError, RunFolderError
from gankit.atomic import atomic_write_text
from gankit.training.stats import read_metrics


def _config_loss(run: Path) -> str | None:
    """The loss named in the run's config.yaml, or None when it cannot be read (then it is inferred)."""
    from gankit.config import read_yaml

    path = run / "config.yaml"
    if not path.is_file():
        return None
    try:
        loss = read_yaml(path.read_text(encoding="utf-8"), str(path)).get("loss")
    except (GankitError, OSError, UnicodeDecodeError):
        return None
    return loss if isinstance(loss, str) else None


def _latest_per_step(records: list[dict]) -> list[dict]:
    """Train and probe records with one record per (kind, step), the last written winning, in step order.

    A run stopped after its last checkpoint and resumed logs the steps after that checkpoint twice.
    """
    keep: dict[tuple[str, int], dict] = {}
    others = []
    for record in records:
        kind = record.get("kind")
        if kind in ("train", "probe"):
            keep[(kind, int(record.get("step", 0)))] = record
        else:
            others.append(record)
    return sorted(keep.values(), key=lambda r: int(r.get("step", 0))) + others


def diagnose_run(run_dir: str | Path, *, thresholds: dict[str, dict[str, float]] | None = None) -> list[Finding]:
    """The findings of a finished or running run: `diagnose` over its metrics.jsonl (train statistics, the
    probes and a ``diverged`` record), plus the findings logged during training that the final statistics no
    longer show (a problem that passed). Raises `RunFolderError` when `run_dir` is not a run folder.
    """
    run = Path(run_dir)
    if not run.is_dir() or not ((run / "config.yaml").is_file() or (run / "metrics.jsonl").is_file()):
        raise RunFolderError(f"not a run folder: {run} (no config.yaml or metrics.jsonl)")
    records = _latest_per_step(read_metrics(run, kind=None))
    findings = diagnose(records, loss=_config_loss(run), thresholds=thresholds)
    names = {f.name for f in findings}
    for record in records:
        if record.get("kind") == "finding" and record.get("name") not in names:
            try:
                logged = Finding.from_dict(record)
            except (KeyError, ValueError, TypeError):
                continue  # a record this version does not understand
            names.add(logged.name)
            findings.append(logged)
    return sorted(findings, key=lambda f: f.since_step)


def _evidence_text(evidence: dict[str, Any]) -> str:
    skip = ("statistic", "since_step", "until_step", "ongoing")
    parts = []
    for key, value in evidence.items():
        if key in skip:
            continue
        if isinstance(value, dict) and len(value) > 4:
            items = list(value.items())
            value = "{" + ", ".join(f"{k}: {v}" for k, v in items[:2]) + ", ..., " + \
                    ", ".join(f"{k}: {v}" for k, v in items[-2:]) + "}"
        parts.append(f"{key}={value}")
    return "; ".join(parts)


def render_text(findings: list[Finding]) -> str:
    """The console diagnosis: one block per finding, or ``no findings``."""
    if not findings:
        return "no findings"
    blocks = []
    for f in findings:
        lines = [f"{f.name} ({f.severity}, since step {f.since_step})", f"  {f.message}",
                 f"  evidence: {_evidence_text(f.evidence)}"]
        lines += [f"  try {r.name}: {r.why}" for r in f.remedies]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_markdown(findings: list[Finding], *, step: int | None = None) -> str:
    """report/doctor.md: a heading, then one section per finding with its evidence (JSON) and remedies."""
    head = "# Doctor's report" + (f" (step {step})" if step is not None else "")
    if not findings:
        return f"{head}\n\nNo findings: none of the monitors saw a failure mode.\n"
    sections = [head, ""]
    for f in findings:
        sections += [f"## {f.name} ({f.severity}, since step {f.since_step})", "", f.message, "",
                     "Evidence:", "", "```json", json.dumps(f.evidence, indent=2), "```", "", "Remedies:", ""]
        sections += [f"- `{r.name}`: {r.why}" for r in f.remedies]
        sections.append("")
    return "\n".join(sections)


def write_report(run_dir: str | Path, findings: list[Finding], *, step: int | None = None) -> tuple[Path, Path]:
    """Write ``report/doctor.json`` (the list of `Finding.to_dict`) and ``report/doctor.md``, each atomically."""
    folder = Path(run_dir) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "doctor.json", folder / "doctor.md"
    atomic_write_text(json_path, json.dumps([f.to_dict() for f in findings], indent=2))
    atomic_write_text(md_path, render_markdown(findings, step=step))
    return json_path, md_path
