"""The docs as tests: every `gankit` command in README.md and docs/*.md runs, in order, from an empty folder, and
what the text promises it prints, it prints.

Each document's shell blocks run in the order written (later commands use the runs earlier ones trained), in a
fresh working directory, in this process (`gankit.cli.main`). So that the suite stays short, training is cut
down: a recipe's own long schedule becomes 4 steps, and a `train.steps=N` above 400 becomes N // 250 (the README's
500 then 1000 of a resumed run become 2 then 4, so the resume still continues); an `eval --n` is capped at
200 samples (24 with Inception), a `sample --drs -n` at 100, an experiment runs `--quick` on one seed, and a
translation recipe trains on 256 pairs of its data (its held-out pairs stay whole). Runs of 400 steps or fewer run as written: their
findings are what the text quotes. A command's expected exit status is 0 unless its comment says
"exits N". Python blocks run too when a `<!-- test: run -->` line precedes them (the others illustrate an
interface with placeholders). Not run: `gankit assets install` (it downloads; tests/assets covers it with a
local wheel) and usage synopses (lines with `[`).
"""

from __future__ import annotations

import re
import shlex
import sys
import time
from pathlib import Path

import pytest
import yaml

from gankit.cli import main
from gankit.config import recipe_source

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "BENCHMARKS.md")]
RUN_MARK = "<!-- test: run -->"
FINDING = re.compile(r"^([a-z_]+) \((critical|warning), since step \d+\)$")


def blocks(text: str) -> list[tuple[str, str, bool]]:
    """(language, body, marked to run) of every fenced block, in order."""
    found = []
    for match in re.finditer(r"(?P<mark><!-- test: run -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", text, re.S):
        found.append((match["lang"], match["body"], bool(match["mark"])))
    return found


def commands(body: str) -> list[tuple[str, str]]:
    """(command, its comment) for each `gankit` line of a shell block, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", body)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        command, _, comment = line.partition("  #")
        if not line.startswith("gankit ") or any(token.startswith("[") for token in shlex.split(command)):
            continue  # not a gankit command, or a usage synopsis ("gankit eval SOURCE [--ref ...]")
        out.append((command.strip(), comment.strip().lstrip("# ")))
    return out


def _recipe_steps(name: str) -> int:
    try:
        values, _ = recipe_source(name)
    except Exception:  # noqa: BLE001 (a YAML path of the docs, or a bad name the command itself reports)
        return 0
    return int(values.get("train", {}).get("steps", 2000))


TRANSLATION_DATA = ("edges2fashion", "sneaker2boot", "colorize")


def _recipe_data(name: str) -> str | None:
    try:
        values, _ = recipe_source(name)
    except Exception:  # noqa: BLE001 (as in _recipe_steps)
        return None
    return values.get("data", {}).get("name")


def _fewer(steps: int) -> int:
    """A step count the suite can afford: as written up to 400, else steps // 250 (at least 2)."""
    return steps if steps <= 400 else max(2, steps // 250)


def shrink(argv: list[str]) -> list[str]:
    """The command with training, evaluation and experiments cut down as the module docstring says."""
    argv = list(argv)
    if argv[:1] == ["train"]:
        has_steps = False
        for i, arg in enumerate(argv):
            if arg.startswith("train.steps="):
                has_steps = True
                steps = int(arg.split("=", 1)[1])
                argv[i] = f"train.steps={_fewer(steps)}"
        if not has_steps and "--resume" not in argv and _recipe_steps(argv[1]) > 400:
            argv[2:2] = ["--set", "train.steps=4"]
        if _recipe_data(argv[1]) in TRANSLATION_DATA and not any(a.startswith("data.limit=") for a in argv):
            argv[2:2] = ["--set", "data.limit=256"]  # 60,000 edge maps take a minute; 4 steps need few pairs
    if argv[:1] == ["eval"]:
        cap = 24 if "inception" in argv else 200  # Inception-v3 at 299 px: about 0.2 s an image on one thread
        if "--n" in argv:
            i = argv.index("--n") + 1
            argv[i] = str(min(int(argv[i]), cap))
        else:
            argv += ["--n", str(cap)]
    if argv[:1] == ["sample"] and "--drs" in argv and "-n" in argv:
        i = argv.index("-n") + 1
        argv[i] = str(min(int(argv[i]), 100))  # a 4-step generator's D accepts few proposals
    if argv[:1] == ["experiment"]:
        argv += ["--quick", "--seeds", "1"]
    return argv


def doc_ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_docs_have_commands():
    assert sum(len(commands(body)) for doc in DOCS for lang, body, _ in blocks(doc.read_text()) if lang != "python") > 30


@pytest.mark.parametrize("doc", DOCS, ids=doc_ids)
def test_every_command_of_the_doc_runs(doc, tmp_path, monkeypatch, capsys, shared_cache):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GANKIT_CACHE", str(shared_cache))
    text = doc.read_text(encoding="utf-8")
    ran = 0
    for index, (lang, body, marked) in enumerate(blocks(text)):
        if lang == "python":
            if marked:
                body = re.sub(r"train\.steps=(\d+)", lambda m: f"train.steps={_fewer(int(m[1]))}", body)
                exec(compile(body, f"{doc.name} block {index}", "exec"), {"__name__": "docs"})  # noqa: S102
                ran += 1
            continue
        for command, comment in commands(body):
            argv = shlex.split(command)[1:]
            if argv[:2] == ["assets", "install"]:
                continue
            redirect = None
            if ">" in argv:  # `gankit eval RUN --json > eval.json`: what the shell would write
                redirect = Path(argv[argv.index(">") + 1])
                argv = argv[:argv.index(">")]
            expected = int(re.search(r"exits (\d+)", comment)[1]) if re.search(r"exits (\d+)", comment) else 0
            started = time.perf_counter()
            code = main(shrink(argv))
            out, err = capsys.readouterr()
            print(f"{time.perf_counter() - started:6.1f} s  {command}", file=sys.__stderr__)
            assert code == expected, f"{doc.name}: `{command}` exited {code}: {err.strip()[-500:]}"
            if redirect is not None:
                redirect.write_text(out, encoding="utf-8")
            ran += 1
            _check_promises(doc, text, command, comment, out)
    if doc.name == "README.md":
        assert ran >= 15


def _check_promises(doc: Path, text: str, command: str, comment: str, out: str) -> None:
    """What the text says a command prints: the doctor's findings (names and severities)."""
    if not command.startswith("gankit doctor") or "--json" in command:
        return
    printed = {m[1]: m[2] for line in out.splitlines() if (m := FINDING.match(line.strip()))}
    promised = FINDING.match(comment)
    if promised:  # "gankit doctor runs/ring-nan   # nan (critical, since step 3)"
        assert printed.get(promised[1]) == promised[2], f"{doc.name}: `{command}` printed {printed}"
    quoted = _quoted_findings(text, command)
    if quoted:
        assert printed == quoted, f"{doc.name}: the text quotes {quoted}, `{command}` printed {printed}"


def _quoted_findings(text: str, command: str) -> dict[str, str]:
    """The findings a doc shows as the output of `command`: the plain block that follows its block."""
    position = text.find(command)
    if position < 0:  # a command joined from continuation lines: look from its first words
        position = text.find(command[:40])
    following = blocks(text[text.find("```", position) + 3:])
    if not following or following[0][0]:
        return {}
    return {m[1]: m[2] for line in following[0][1].splitlines() if (m := FINDING.match(line))}


def test_shrink_cuts_long_runs_only():
    assert shrink(["train", "gan-ring", "--out", "r"]) == ["train", "gan-ring", "--set", "train.steps=4", "--out", "r"]
    assert shrink(["train", "x", "--set", "train.steps=150"]) == ["train", "x", "--set", "train.steps=150"]
    assert shrink(["train", "x", "--resume", "--set", "train.steps=1000"])[-1] == "train.steps=4"
    assert shrink(["eval", "r", "--n", "2000"]) == ["eval", "r", "--n", "200"]


def test_yaml_examples_in_the_docs_parse():
    for doc in DOCS:
        for lang, body, _ in blocks(doc.read_text(encoding="utf-8")):
            if lang == "yaml":
                assert isinstance(yaml.safe_load(body), dict), doc.name


def test_the_readme_table_names_every_config_key():
    from gankit.config import all_keys

    table = "\n".join(line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
                      if line.startswith("| `"))
    missing = [k for k in all_keys() if f"`{k}`" not in table and f"`{k.split('.')[0]}.*`" not in table]
    assert not missing, f"README's key table leaves out {missing}"


def test_every_config_key_the_docs_name_exists():
    from gankit.config import all_keys

    keys = set(all_keys())
    sections = sorted({k.split(".")[0] for k in keys if "." in k})
    pattern = re.compile(r"`(?:--set )?((?:%s)\.[a-z_0-9]+)(?:=[^`]*)?`" % "|".join(sections))
    for doc in DOCS:
        named = set(pattern.findall(doc.read_text(encoding="utf-8")))
        unknown = sorted(k for k in named if k not in keys and not k.endswith((".json", ".jsonl")))
        assert not unknown, f"{doc.name} names keys that do not exist: {unknown}"
