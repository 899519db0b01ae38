"""Processes that share a cache train a missing domain classifier once: the others wait, then load it."""

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys, torch
torch.set_num_threads(1)
from pathlib import Path
from gankit.evaluation.classifier import domain_classifier
from gankit.evaluation.sources import load_reference
messages = []
domain_classifier(load_reference("digits", None, 100), Path(sys.argv[1]), torch.device("cpu"), messages.append)
print("trained" if any(m.startswith("training the domain classifier") for m in messages) else "loaded")
"""


def test_two_processes_asking_at_once_train_the_classifier_once(tmp_path: Path) -> None:
    started = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path)], stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    said = sorted(process.communicate(timeout=300)[0].strip() for process in started)
    assert [process.returncode for process in started] == [0, 0]
    assert said == ["loaded", "trained"]
    assert len(list((tmp_path / "classifiers").glob("*.safetensors"))) == 1
