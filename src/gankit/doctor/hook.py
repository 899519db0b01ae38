"""`DoctorHook`: the doctor at work during training.

On every logging interval it re-runs `diagnose` over the statistics seen so far; every ``probe_every``
intervals it first probes the generator's samples for diversity. Each finding is logged once (by name) as a
``finding`` record of metrics.jsonl and printed as one console line; at the end it writes
``report/doctor.json`` and ``report/doctor.md``.

The hook draws its latent vectors and real samples from its own seeded generator, never from the trainer's
random streams, so a run trains bit-for-bit the same with or without it.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch

from gankit.doctor.findings import Finding
from gankit.doctor.monitors import diagnose, merged_thresholds
from gankit.doctor.probes import sample_diversity
from gankit.doctor.report import write_report
from gankit.training.stats import read_metrics
from gankit.training.hooks import Hook
from gankit.training.hooks import Trainer


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _console(line: str) -> None:
    try:
        from tqdm import tqdm

        tqdm.write(line)  # keeps a running progress bar intact
    except ImportError:  # tqdm is a dependency; a trimmed install still gets the line
        print(line)


class DoctorHook(Hook):
    """Diagnoses a run while it trains (see the module docstring).

    `probe_every`: probe the samples every this many logging intervals (0 turns probing off);
    `num_samples`: generated and real samples per probe; `modes`, `mode_std`: a mixture's known modes (2-D
    toys: `DoctorHook.for_dataset` takes them from the dataset); `classifier`: images -> logits, for class
    coverage; `loss`: the config's loss name (default: the trainer's); `thresholds`: overrides of
    `gankit.doctor.DEFAULT_THRESHOLDS`; `console`: print each new finding; `report`: write report/doctor.*.

    `diagnose` reads the whole history, so it runs on every interval of the first `DIAGNOSE_HISTORY` intervals
    and then on every (n / DIAGNOSE_HISTORY)-th: its total cost stays linear in the length of the run.
    """

    DIAGNOSE_HISTORY = 500

    def __init__(
        self,
        *,
        probe_every: int = 5,
        num_samples: int = 256,
        modes: torch.Tensor | None = None,
        mode_std: float | None = None,
        classifier: Callable[[torch.Tensor], torch.Tensor] | None = None,
        loss: str | None = None,
        thresholds: dict[str, dict[str, float]] | None = None,
        seed: int = 0,
        console: bool = True,
        report: bool = True,
    ) -> None:
        if probe_every < 0:
            raise ValueError(f"probe_every must be 0 or more, got {probe_every}")
        if num_samples < 2:
            raise ValueError(f"num_samples must be at least 2, got {num_samples}")
        if modes is not None and mode_std is None:
            raise ValueError("modes need mode_std")
        self.probe_every = probe_every
        self.num_samples = num_samples
        self.modes, self.mode_std = modes, mode_std
        self.classifier = classifier
        self.loss = loss
        self.thresholds = merged_thresholds(thresholds)
        self.seed = seed
        self.console = console
        self.report = report
        self.records: list[dict] = []
        self.probes: list[dict] = []
        self.final_probe: dict | None = None
        self.findings: list[Finding] = []
        self.reported: set[str] = set()
        self._intervals = 0
        self._started = False
        self._noise: torch.Tensor | None = None
        self._labels: torch.Tensor | None = None
        self._real: torch.Tensor | None = None

    @classmethod
    def for_dataset(cls, dataset, **options) -> DoctorHook:
        """A hook that also counts the modes of a toy mixture (`ArrayDataset.modes` / `mode_std`, when set)."""
        if getattr(dataset, "modes", None) is not None:
            options.setdefault("modes", dataset.modes)
            options.setdefault("mode_std", dataset.mode_std)
        return cls(**options)

    # -------------------------------------------------------------------------------------------- set-up
    def _start(self, trainer: Trainer) -> None:
        """Pick up what an earlier part of a resumed run logged, and fix the probe's latents and real batch."""
        self._started = True
        for record in read_metrics(trainer.run_dir, kind=None):
            if int(record.get("step", 0)) >= trainer.step:  # the current interval is not written yet
                continue
            kind = record.get("kind")
            if kind == "train":
                self.records.append(record)
            elif kind == "probe":
                self.probes.append(record)
            elif kind == "finding" and "name" in record:
                self.reported.add(record["name"])
        self._intervals = len(self.records)
        game = trainer.game
        if not game.takes_noise:  # a translation's outputs follow its inputs: no latent probe of diversity
            return
        generator = torch.Generator().manual_seed(self.seed)
        n = self.num_samples
        self._noise = torch.randn(n, *game.latent_shape(), generator=generator).to(trainer.device)
        self._labels = (torch.arange(n) % game.num_classes).to(trainer.device) if game.num_classes else None
        names = getattr(trainer.stream, "field_names", ("x",))
        field = "x" if "x" in names else game.needs[0]  # a table's real field is `row`
        size = trainer.stream.field_size(field)
        index = torch.randperm(size, generator=generator)[: min(n, size)]
        self._real = (trainer.stream.samples(index) if field == "x" else trainer.stream.samples(index, field)).detach()

    # -------------------------------------------------------------------------------------------- probing
    def probe(self, trainer: Trainer) -> dict[str, Any] | None:
        """`sample_diversity` of `num_samples` generated samples against as many real ones (None if not finite)."""
        if not self._started:
            self._start(trainer)
        if self._noise is None:
            return None
        samples = trainer.sample(self._noise, self._labels).cpu()
        if not torch.isfinite(samples).all():
            return None
        stats = sample_diversity(samples, self._real, modes=self.modes, mode_std=self.mode_std,
                                 classifier=self.classifier)
        return {k: _json_safe(v) for k, v in stats.items()}

    # -------------------------------------------------------------------------------------------- hook
    def diagnose(self, trainer: Trainer) -> list[Finding]:
        return diagnose(self.records, probes=self.probes, final_probe=self.final_probe,
                        loss=self.loss or trainer.config.loss, thresholds=self.thresholds)

    def on_log(self, trainer: Trainer, stats: dict[str, float]) -> None:
        if not self._started:
            self._start(trainer)
        self._intervals += 1
        self.records.append({"step": trainer.step, "kind": "train", **stats})
        if self.probe_every and self._intervals % self.probe_every == 0:
            probe = self.probe(trainer)
            if probe is not None:
                self.probes.append({"step": trainer.step, "kind": "probe", **probe})
                trainer.log_event("probe", probe)
        if self._intervals % max(1, len(self.records) // self.DIAGNOSE_HISTORY) == 0:
            self._report_new(trainer)

    def _report_new(self, trainer: Trainer) -> None:
        self.findings = self.diagnose(trainer)
        for finding in self.findings:
            if finding.name in self.reported:
                continue
            self.reported.add(finding.name)
            trainer.log_event("finding", finding.to_dict())
            if self.console:
                _console(f"doctor: step {trainer.step}: {finding.name} ({finding.severity}): {finding.message} "
                         f"Try: {', '.join(finding.remedy_names[:3])}.")

    def on_end(self, trainer: Trainer) -> None:
        if not self._started:
            self._start(trainer)
        if self.probe_every:  # the samples the user gets, judged on their own by the mode-collapse monitor
            probe = self.probe(trainer)
            if probe is not None:
                self.final_probe = {"step": trainer.step, "kind": "final_probe", **probe}
                trainer.log_event("final_probe", probe)
        self._report_new(trainer)
        if self.report:
            write_report(trainer.run_dir, self.findings, step=trainer.step)
