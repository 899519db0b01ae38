"""The training doctor: GAN failure modes diagnosed from the statistics the engine logs.

>>> from gankit.doctor import diagnose_run, DoctorHook
>>> for finding in diagnose_run("runs/ring"):
...     print(finding.name, finding.message, finding.remedy_names)
>>> trainer = Trainer(..., hooks=[DoctorHook.for_dataset(dataset)])   # findings while it trains

Failure modes: ``mode_collapse``, ``vanishing_gradients``, ``discriminator_overpowering``,
``non_convergence`` and ``nan``; see docs/doctor.md for the evidence, thresholds, remedies and papers.
"""

from gankit.doctor.findings import FINDING_NAMES, REMEDIES, Finding, Remedy
from gankit.doctor.hook import DoctorHook
from gankit.doctor.monitors import (
    DEFAULT_THRESHOLDS,
    check_discriminator_overpowering,
    check_mode_collapse,
    check_nan,
    check_non_convergence,
    check_vanishing_gradients,
    diagnose,
)
from gankit.doctor.probes import mean_pairwise_distance, sample_diversity
from gankit.doctor.report import diagnose_run, render_markdown, render_text, write_report

__all__ = [
    "DEFAULT_THRESHOLDS",
    "FINDING_NAMES",
    "REMEDIES",
    "DoctorHook",
    "Finding",
    "Remedy",
    "check_discriminator_overpowering",
    "check_mode_collapse",
    "check_nan",
    "check_non_convergence",
    "check_vanishing_gradients",
    "diagnose",
    "diagnose_run",
    "mean_pairwise_distance",
    "render_markdown",
    "render_text",
    "sample_diversity",
    "write_report",
]
