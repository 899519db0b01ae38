"""`gankit interpolate`, `gankit project` and `gankit mix`: the latent tools' commands (parse, call `gankit.api`,
print)."""

from __future__ import annotations

import argparse


def _cmd_interpolate(args: argparse.Namespace) -> int:
    from gankit import api

    seeds = api.parse_seeds(args.seeds)
    api.check_interpolation_output(args.out, force=args.force)
    api.use_threads(args.threads)
    walk = api.interpolate(args.run, seeds, frames=args.frames, label=args.label)
    out = api.save_interpolation(walk, args.out, force=args.force)
    print(f"wrote {len(walk.frames)} frames walking seeds {','.join(map(str, seeds))} in {walk.space} with the "
          f"generator of step {walk.loaded.step} to {out}")
    return 0


def _cmd_project(args: argparse.Namespace) -> int:
    from gankit import api

    api.check_projection_output(args.out, force=args.force)
    api.use_threads(args.threads)
    result = api.project(args.run, args.image, steps=args.steps, lr=args.lr, perceptual=args.perceptual,
                         label=args.label, seed=args.seed)
    out = api.save_projection(result, args.out, force=args.force)
    loss = float(result.projection.final[0])
    print(f"projected {args.image} into {result.projection.space} of the generator of step {result.loaded.step} "
          f"in {args.steps} steps (loss {loss:.4g}); latent, reconstruction and settings in {out}")
    return 0


def _cmd_mix(args: argparse.Namespace) -> int:
    from gankit import api

    api.use_threads(args.threads)
    out = api.mix(args.run, args.rows, args.cols, args.layers, args.out, psi=args.truncation_psi, force=args.force)
    print(f"wrote a style-mixing grid to {out}: rows {args.rows} take layers {args.layers} from columns {args.cols}")
    return 0


def add_latent_parsers(sub, threads_help: str) -> None:
    """The parsers of `gankit interpolate`, `gankit project` and `gankit mix` (`threads_help`: the CLI's --threads
    help)."""
    p = sub.add_parser("interpolate", help="walk a noise-to-image generator's latent space between seeds (slerp "
                       "in z; linear in w for style-based generators)")
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT")
    p.add_argument("--seeds", required=True, metavar="S1,S2,...", help="the seeds to walk between, in order: each "
                   "is the code `gankit sample -n 1 --seed S` draws, and its frame is that sample (drawn without "
                   "rejection sampling)")
    p.add_argument("--frames", type=int, default=16, help="frames per segment, both ends included (default 16)")
    p.add_argument("--out", required=True, metavar="WALK.gif|GRID.png|FRAMES.npy|DIR",
                   help="an animated GIF, a PNG grid (one segment per row), a .npy array or a folder of PNG frames")
    p.add_argument("--label", metavar="CLASS", help="conditional runs: walk within this class (default: each seed's "
                   "own class)")
    p.add_argument("--force", action="store_true", help="replace an existing output")
    p.add_argument("--threads", type=int, default=0, metavar="N", help=threads_help)
    p.set_defaults(func=_cmd_interpolate)

    p = sub.add_parser("project", help="find the latent whose image is closest to a real image (z; w for "
                       "style-based generators)")
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT")
    p.add_argument("image", metavar="IMAGE", help="a PNG/JPEG of the run's size and channel count")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for latent.npy, reconstruction.png, "
                   "target.png and projection.json")
    p.add_argument("--steps", type=int, default=300, help="Adam steps (default 300)")
    p.add_argument("--lr", type=float, default=0.05, help="learning rate, decayed to 0 by a cosine (default 0.05)")
    p.add_argument("--perceptual", type=float, default=0.0, metavar="WEIGHT", help="add WEIGHT x a VGG16 feature "
                   "distance to the pixel MSE (needs asset vgg16; default 0: pixels only)")
    p.add_argument("--label", metavar="CLASS", help="conditional runs: the image's class (required)")
    p.add_argument("--seed", type=int, default=0, help="the random codes the search starts from (default 0)")
    p.add_argument("--force", action="store_true", help="replace an earlier projection in --out")
    p.add_argument("--threads", type=int, default=0, metavar="N", help=threads_help)
    p.set_defaults(func=_cmd_project)

    p = sub.add_parser("mix", help="style-mixing grid (stylegan, stylegan2): columns' ws replace layers K..L of rows' ws")
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT")
    for option, metavar in (("--rows", "SEEDS"), ("--cols", "SEEDS"), ("--layers", "K-L"), ("--out", "FILE.png")):
        p.add_argument(option, required=True, metavar=metavar, help="seeds such as 1,2,5-7" * (metavar == "SEEDS"))
    p.add_argument("--truncation-psi", type=float, default=1.0, metavar="PSI", help="truncation in w, in [0, 1]")
    p.add_argument("--force", action="store_true", help="replace an existing output")
    p.add_argument("--threads", type=int, default=0, metavar="N", help=threads_help)
    p.set_defaults(func=_cmd_mix)
