"""The trainer: runs the phases of any `Game`, and owns what every game needs.

It knows nothing about a particular GAN: not what a sample is (the game builds its probe and renders its
previews), nor which fields a batch holds (the game reads them by name). Per generator step it runs each due
phase (`Phase.every`) its number of times (`Phase.repeats`): freeze every network the phase does not update
(requires_grad off, so gradients flow *through* a frozen network but never into its weights), compute the
phase's loss under the run's precision, back-propagate, average gradients across ranks, check the loss is
finite, record gradient norms, and step the optimizers of the updated networks (networks may share one
optimizer, as CycleGAN's two generators do). With ``train.accumulate`` = K, each phase sums the gradients of
K micro-batches (losses divided by K; noise and data drawn as for one batch K times larger) before its one step.
A phase with a gate (`Phase.gate`) drops its gradients while its loss is at or below the gate. After the step it
updates the EMA copies, and on intervals logs statistics, writes previews and checkpoints (rank 0 only).

The full state (weights, optimizers, EMA, the game's own state such as a pool of past fakes, the noise
generator, the global RNGs, the data position, the step) is checkpointed, so a resumed run is bit-for-bit the
run that was never stopped.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import torch
from torch import nn

from gankit.config import Config
from gankit.games.base import Game, Phase, PhaseContext
from gankit.training import checkpoint as ckpt
from gankit.training.data_stream import DataStream
from gankit.training.distributed import (
    DistInfo,
    average_gradients,
    broadcast_module,
    convert_sync_batchnorm,
    mean_across_ranks,
)
from gankit.training.ema import EMA
from gankit.training.hooks import Hook, TrainingDiverged, TrainingInterrupted, TrainResult  # noqa: F401
from gankit.training.noise import NoiseSource
from gankit.training.optimizers import base_lr, make_adam, match_state_layout, optimizer_groups
from gankit.training.precision import Precision, choose_precision
from gankit.training.progress import Progress
from gankit.training.report import write_run_summary
from gankit.training.schedule import lr_factor
from gankit.training.stats import MetricsWriter, StatsCollector, mean_stats


def _has_conv(module: nn.Module) -> bool:
    return any(p.dim() == 4 for p in module.parameters())


class Trainer:
    def __init__(
        self,
        game: Game,
        stream: DataStream,
        config: Config,
        run_dir: Path,
        device: torch.device,
        dist: DistInfo = DistInfo(),
        examples: dict[str, torch.Tensor] | None = None,
        metadata: dict | None = None,
        hooks: list[Hook] | None = None,
        precision: Precision | None = None,
    ) -> None:
        self.game = game
        self.stream = stream
        self.config = config
        self.train_cfg = config.train
        self.run_dir = Path(run_dir)
        self.device = device
        self.dist = dist
        self.metadata = metadata or {}  # JSON-able facts stored with every checkpoint (e.g. the data's shape)
        self.hooks = list(hooks or [])
        self.step = 0
        self.accumulate = config.train.accumulate  # micro-batches per update (gradient accumulation)
        self.noise = NoiseSource(config.seed + 1, device, dist.rank, dist.world_size)
        self._prepare_networks()
        self.group_members = optimizer_groups(game)
        self.optimizers = {group: self._make_optimizer(group) for group in self.group_members}
        self.emas = {
            name: EMA(spec.module, self.train_cfg.ema, self.train_cfg.ema_start, self.train_cfg.ema_rampup)
            for name, spec in game.networks.items()
            if spec.ema and self.train_cfg.ema > 0
        }
        # the arithmetic: chosen by the caller (who knows the data), else train.amp resolved for the device
        self.precision = precision or choose_precision(self.train_cfg.amp, device)
        self.amp_dtype = self.precision.dtype  # gankit.training.precision: train.amp resolved for the device
        self.scaler = torch.amp.GradScaler("cuda") if self.precision.needs_scaler else None
        # the fixed inputs of every preview, from their own seed (no draw from the training streams)
        self.probe = game.make_probe(self.train_cfg.num_samples, config.seed + 2, device, examples or {})
        self.collector = StatsCollector()
        self.writer: MetricsWriter | None = None
        self._logged_stage: str | None = None  # the game's stage last named in metrics.jsonl

    # ------------------------------------------------------------------------------------------ set-up
    def _prepare_networks(self) -> None:
        for spec in self.game.networks.values():
            module = spec.module.to(self.device)
            if self.dist.enabled and self.train_cfg.sync_bn:
                module = convert_sync_batchnorm(module, self.device)
            if self.train_cfg.channels_last and _has_conv(module):
                module = module.to(memory_format=torch.channels_last)
            if self.dist.enabled:
                broadcast_module(module)
            spec.module = module.train()

    def _base_lr(self, group: str) -> float:
        return base_lr(self.config.optim, self.game.networks[self.group_members[group][0]].role)

    def _apply_lr_schedule(self) -> None:
        """Set every optimizer's rate for the current step (gankit.training.schedule)."""
        optim = self.config.optim
        factor = lr_factor(optim.decay, self.step, self.train_cfg.steps, optim.decay_start)
        for name, optimizer in self.optimizers.items():
            for group in optimizer.param_groups:
                group["lr"] = self._base_lr(name) * factor

    def _make_optimizer(self, group: str) -> torch.optim.Optimizer:
        params = [p for name in self.group_members[group] for p in self.game.module(name).parameters()]
        return make_adam(params, self._base_lr(group), self.config.optim, self.device)

    def _autocast(self):
        return self.precision.autocast()

    # ------------------------------------------------------------------------------------------ one step
    def _set_trainable(self, updates: tuple[str, ...]) -> None:
        for name, spec in self.game.networks.items():
            spec.module.requires_grad_(name in updates)

    def _phase_groups(self, phase: Phase) -> list[str]:
        """The optimizers a phase steps: the groups of the networks it updates, each once."""
        return list(dict.fromkeys(self.game.optimizer_group(name) for name in phase.updates))

    def _run_phase(self, phase: Phase) -> dict[str, torch.Tensor]:
        """One update of `phase`: its gradients accumulated over `train.accumulate` micro-batches (each loss
        divided by their number, so the sum is the gradient of the mean over the whole batch), then one step."""
        self._set_trainable(phase.updates)
        groups = self._phase_groups(phase)
        for group in groups:  # None, not zero: a network of a shared group that this phase freezes is not stepped
            self.optimizers[group].zero_grad(set_to_none=True)
        parts = self.accumulate
        batches = self.stream.next_parts(parts) if phase.needs_batch else [None] * parts
        micro_stats, micro_losses = [], []
        for part, batch in enumerate(batches):
            with self.noise.parts(part, parts):
                loss, part_stats = self._backward(phase, batch, parts)
            micro_stats.append(part_stats)
            micro_losses.append(loss)
        stats = mean_stats(micro_stats)
        if phase.gate is not None:  # update only while the loss is above the gate, one decision on every rank
            loss = torch.stack(micro_losses).float().mean()
            passed = bool(mean_across_ranks(loss, self.dist.world_size if self.dist.enabled else 1) > phase.gate)
            stats[f"updated/{phase.name}"] = torch.tensor(float(passed))
            if not passed:  # the gradients are dropped, not applied
                for group in groups:
                    self.optimizers[group].zero_grad(set_to_none=True)
                return stats
        modules = [self.game.module(n) for n in phase.updates]
        if self.scaler is not None:
            for group in groups:
                self.scaler.unscale_(self.optimizers[group])
        if self.dist.enabled:
            average_gradients(modules, self.dist.world_size)
        for name, module in zip(phase.updates, modules):
            grads = [p.grad for p in module.parameters() if p.grad is not None]
            if grads:
                norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
                if self.scaler is None and not torch.isfinite(norm).item():  # overflow would write garbage
                    raise TrainingDiverged(
                        f"gradient norm of '{name}' became {norm.item()} in phase {phase.name} at step {self.step}; "
                        f"stopped without saving (last good checkpoint: {self._last_checkpoint_text()})")
                stats[f"grad_norm/{name}"] = norm
        for group in groups:
            if self.scaler is not None:
                self.scaler.step(self.optimizers[group])
            else:
                self.optimizers[group].step()
        if self.scaler is not None:
            self.scaler.update()
        self.game.after_phase(phase.name)
        return stats

    def _backward(self, phase: Phase, batch, parts: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The loss of `phase` on one (micro-)batch, checked finite and back-propagated divided by `parts`; returns
        the (undivided, detached) loss and the phase's statistics."""
        ctx = PhaseContext(batch=batch, batch_size=self.stream.batch_size, noise=self.noise, step=self.step)
        with self._autocast():
            loss, stats = self.game.phase_loss(phase.name, ctx)
        if not torch.isfinite(loss.detach()).item():
            raise TrainingDiverged(
                f"loss of phase {phase.name} became {loss.item()} at step {self.step}; stopped without saving "
                f"(last good checkpoint: {self._last_checkpoint_text()})"
            )
        scaled = loss / parts if parts > 1 else loss
        (self.scaler.scale(scaled) if self.scaler is not None else scaled).backward()
        return loss.detach(), stats

    def train_step(self) -> None:
        """One generator step: every due phase, its number of times; then the EMA update."""
        changed = self.game.on_step_start(self.step)
        for group in dict.fromkeys(self.game.optimizer_group(name) for name in changed):
            self.optimizers[group] = self._make_optimizer(group)
        if self.game.stage != self._logged_stage:  # a staged game: name the stage in the log when it starts
            self._logged_stage = self.game.stage
            self.log_event("stage", {"stage": self._logged_stage})
        if self.config.optim.decay != "none":
            self._apply_lr_schedule()
        for phase in self.game.phases():
            if self.step % phase.every:
                continue
            for _ in range(phase.repeats):
                self.collector.add(self._run_phase(phase))
        self.step += 1
        for name, ema in self.emas.items():
            ema.update(self.game.module(name), self.step)

    # ------------------------------------------------------------------------------------------ sampling
    def sampler(self) -> nn.Module:
        """The network samples come from: its EMA when kept, else the live one."""
        name = self.game.sampler_name
        return self.emas[name].module if name in self.emas else self.game.module(name)

    @torch.inference_mode()
    def sample(self, noise: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        module = self.sampler()
        was_training = module.training
        module.eval()
        try:
            return self.game.generate(module, noise, labels).float()
        finally:
            module.train(was_training)

    @torch.inference_mode()
    def write_samples(self, path: Path) -> None:
        """The game's preview of its fixed probe, drawn by the sampling network in eval mode."""
        module = self.sampler()
        was_training = module.training
        module.eval()
        try:
            self.game.render_preview(module, self.probe, path, title=f"step {self.step}")
        finally:
            module.train(was_training)

    # ------------------------------------------------------------------------------------------ state
    def state_dict(self) -> dict:
        state = {
            "step": self.step,
            "config": self.config.to_dict(),
            "networks": {n: s.module.state_dict() for n, s in self.game.networks.items()},
            "ema": {n: e.module.state_dict() for n, e in self.emas.items()},
            "optimizers": {n: o.state_dict() for n, o in self.optimizers.items()},
            "game": self.game.state_dict(),
            "noise": self.noise.state_dict(),
            "data": self.stream.state_dict(),
            "rng": {"torch": torch.get_rng_state()},
            "world_size": self.dist.world_size,
            "precision": self.precision.mode,
            **self.metadata,
        }
        if torch.cuda.is_available() and self.device.type == "cuda":
            state["rng"]["cuda"] = torch.cuda.get_rng_state(self.device)
        if self.scaler is not None:
            state["scaler"] = self.scaler.state_dict()
        return state

    def load_state_dict(self, state: dict, source: Path) -> None:
        for name, spec in self.game.networks.items():
            if name not in state["networks"]:
                raise ckpt.CheckpointError(f"checkpoint {source} has no network '{name}'")
            ckpt.load_module_state(spec.module, state["networks"][name], f"network '{name}' of {source}")
        for name, ema in self.emas.items():
            if name in state["ema"]:
                ckpt.load_module_state(ema.module, state["ema"][name], f"EMA of '{name}' in {source}")
            else:
                ema.module.load_state_dict(self.game.module(name).state_dict())
        for name, opt in self.optimizers.items():
            try:
                opt.load_state_dict(state["optimizers"][name])
            except (KeyError, ValueError) as exc:
                raise ckpt.CheckpointError(f"checkpoint {source}: optimizer of '{name}' does not fit ({exc})") from None
            match_state_layout(opt)
        self.game.load_state_dict(state.get("game", {}))
        self.noise.load_state_dict(state["noise"])
        self.stream.load_state_dict(state["data"])
        torch.set_rng_state(state["rng"]["torch"])
        if "cuda" in state["rng"] and self.device.type == "cuda":
            torch.cuda.set_rng_state(state["rng"]["cuda"], self.device)
        if self.scaler is not None and "scaler" in state:
            self.scaler.load_state_dict(state["scaler"])
        self.step = int(state["step"])

    def log_event(self, kind: str, payload: dict) -> None:
        """Append a non-scalar record (a finding, an evaluation) to metrics.jsonl, on rank 0."""
        if self.dist.is_main and self.writer is not None:
            self.writer.write_event(self.step, kind, payload)

    def _last_checkpoint_text(self) -> str:
        last = ckpt.latest_checkpoint(self.run_dir / "checkpoints")
        return str(last) if last else "none"

    def save_checkpoint(self) -> Path | None:
        if not self.dist.is_main:
            return None
        return ckpt.save_checkpoint(self.run_dir / "checkpoints", self.step, self.state_dict(), self.train_cfg.keep)

    # ------------------------------------------------------------------------------------------ loop
    def _progress(self) -> Progress | None:
        if not (self.dist.is_main and self.train_cfg.progress):
            return None
        return Progress(self.train_cfg.steps, self.step, self.config.name)

    def _past(self, deadline: float) -> bool:
        """Whether the wall-clock budget is spent; on several ranks, rank 0's clock decides for all."""
        if deadline == math.inf:
            return False
        if self.dist.world_size == 1:
            return time.perf_counter() >= deadline
        if self.step % self.train_cfg.log_every:  # ranks agree at log intervals only: one collective per interval
            return False
        over = torch.tensor([float(time.perf_counter() >= deadline)], device=self.device)
        torch.distributed.broadcast(over, src=0)
        return bool(over.item())

    def run(self) -> TrainResult:
        """Train until `train.steps` generator steps (or `train.max_minutes` of wall clock), logging, sampling
        and checkpointing on intervals."""
        cfg = self.train_cfg
        main = self.dist.is_main
        if main:
            (self.run_dir / "samples").mkdir(parents=True, exist_ok=True)
            self.writer = MetricsWriter(self.run_dir)
        bar = self._progress()
        images_per_step = self.stream.global_batch * self.accumulate * sum(
            p.repeats for p in self.game.phases() if p.needs_batch and p.every == 1)
        start_step, start_time = self.step, time.perf_counter()
        interval_start, interval_time = self.step, start_time
        last: dict[str, float] = {}
        deadline = start_time + 60.0 * cfg.max_minutes if cfg.max_minutes > 0 else math.inf
        try:
            while self.step < cfg.steps and not self._past(deadline):
                self.train_step()
                if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                    now = time.perf_counter()
                    last = self.collector.reset()
                    last["images_per_sec"] = images_per_step * (self.step - interval_start) / max(now - interval_time, 1e-9)
                    interval_start, interval_time = self.step, now
                    if main:
                        for hook in self.hooks:
                            hook.on_log(self, last)
                        self.writer.write(self.step, last)
                    if bar is not None:
                        bar.log(self.step, last)
                if bar is not None:
                    bar.step()
                if main and (self.step % cfg.sample_every == 0):
                    self.write_samples(self.run_dir / "samples" / f"{ckpt.step_dir_name(self.step)}.png")
                if self.step % cfg.ckpt_every == 0 and self.step != cfg.steps:
                    self.save_checkpoint()
            seconds = time.perf_counter() - start_time
            throughput = images_per_step * (self.step - start_step) / max(seconds, 1e-9)
            if main:  # the trainer's report first, so that a hook's on_end (the run report) sees it
                self._write_report(seconds, throughput, last)
                for hook in self.hooks:
                    hook.on_end(self)
        except TrainingDiverged as exc:
            self.log_event("diverged", {"message": str(exc)})
            if main:
                for hook in self.hooks:  # e.g. the doctor's report names the divergence
                    hook.on_end(self)
            raise
        except KeyboardInterrupt:
            self.save_checkpoint()
            if main:
                seconds = time.perf_counter() - start_time
                throughput = images_per_step * (self.step - start_step) / max(seconds, 1e-9)
                self._write_report(seconds, throughput, last, interrupted=True)
                for hook in self.hooks:  # the doctor's report covers the steps that were trained
                    hook.on_end(self)
            raise TrainingInterrupted(
                f"interrupted at step {self.step}; checkpoint written, continue with --resume") from None
        finally:
            if bar is not None:
                bar.close()
            if self.writer is not None:
                self.writer.close()
                self.writer = None
        self.save_checkpoint()
        return TrainResult(self.game, self.run_dir, self.step, seconds, throughput, last)

    def _write_report(self, seconds: float, throughput: float, last: dict[str, float],
                      interrupted: bool = False) -> None:
        """The final sample grid, the training curves and report/summary.json."""
        self.write_samples(self.run_dir / "samples" / "final.png")
        write_run_summary(self.run_dir, {"step": self.step, "seconds": round(seconds, 2),
                                         "images_per_second": round(throughput, 2), "world_size": self.dist.world_size,
                                         "final_stats": last, "interrupted": interrupted})
