import json

import numpy as np
import pytest
import torch

from gankit.assets import locate
from gankit.errors import CheckpointError, DataError
from gankit.metrics import (
    DomainClassifier,
    classifier_accuracy,
    evaluate,
    extract,
    get_feature_extractor,
    load_classifier,
    save_classifier,
    train_classifier,
)

FASHION_PRESENT = locate("fashion-mnist") is not None


def _stripes(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Two classes of 12x12 images: horizontal vs vertical stripes, with noise."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 2, (n,), generator=generator)
    pattern = (torch.arange(12) % 4 < 2).float() * 2 - 1
    horizontal, vertical = pattern[:, None].expand(12, 12), pattern[None, :].expand(12, 12)
    images = torch.where(labels[:, None, None] == 0, horizontal, vertical)[:, None]
    images = images + 0.5 * torch.randn(n, 1, 12, 12, generator=generator)
    return images.clamp(-1, 1), labels


def test_architecture_adapts_to_the_image_size():
    for size, spatial in ((28, 7), (32, 8), (64, 8), (8, 4)):
        model = DomainClassifier(in_channels=3, num_classes=5, img_size=size)
        out = model.body(torch.zeros(2, 3, size, size))
        assert out.shape[1] == model.embed.in_features
        assert model(torch.zeros(2, 3, size, size)).shape == (2, 5)
        assert model.features(torch.zeros(2, 3, size, size)).shape == (2, 128)
        assert model.embed.in_features % (spatial * spatial) == 0


def test_training_learns_a_simple_task_and_is_seeded():
    x, y = _stripes(400, seed=0)
    model = train_classifier(x, y, num_classes=2, epochs=3, batch_size=32, seed=3)
    x_test, y_test = _stripes(200, seed=1)
    assert classifier_accuracy(model, x_test, y_test) > 0.95
    assert not model.training
    again = train_classifier(x, y, num_classes=2, epochs=3, batch_size=32, seed=3)
    for a, b in zip(model.state_dict().values(), again.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_save_and_load_round_trip_without_pickle(tmp_path):
    torch.manual_seed(0)
    model = DomainClassifier(in_channels=1, num_classes=3, img_size=12).eval()
    path = save_classifier(model, tmp_path / "clf.safetensors", metadata={"dataset": "stripes"})
    sidecar = json.loads((tmp_path / "clf.json").read_text())
    assert sidecar["config"] == {"in_channels": 1, "num_classes": 3, "img_size": 12, "width": 16, "feature_dim": 128}
    assert sidecar["metadata"] == {"dataset": "stripes"}
    loaded = load_classifier(path)
    x = torch.rand(4, 1, 12, 12) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x))
    extractor = get_feature_extractor("classifier", path=str(path))
    assert extractor.feature_dim == 128 and extractor.has_logits
    assert extractor.cache_id() == get_feature_extractor("classifier", path=str(path)).cache_id()


def test_broken_classifier_files_raise_checkpoint_errors(tmp_path):
    model = DomainClassifier(in_channels=1, num_classes=3, img_size=12)
    path = save_classifier(model, tmp_path / "clf.safetensors")
    with pytest.raises(CheckpointError, match="not found"):
        load_classifier(tmp_path / "missing.safetensors")
    sidecar = tmp_path / "clf.json"
    good = sidecar.read_text()
    sidecar.write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load_classifier(path)
    record = json.loads(good)
    record["config"]["num_classes"] = 4
    sidecar.write_text(json.dumps(record))
    with pytest.raises(CheckpointError, match="do not fit"):
        load_classifier(path)
    sidecar.write_text(good)
    path.write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="corrupt"):
        load_classifier(path)


def test_bad_labels_raise_data_error():
    x, _ = _stripes(10, seed=0)
    with pytest.raises(DataError, match="0..1"):
        train_classifier(x, torch.full((10,), 2), num_classes=2, epochs=1)
    with pytest.raises(DataError, match=r"shape \(10,\)"):
        train_classifier(x, torch.zeros(9, dtype=torch.long), num_classes=2, epochs=1)


@pytest.mark.slow
@pytest.mark.skipif(not FASHION_PRESENT, reason="Fashion-MNIST not installed (gankit assets install fashion-mnist)")
def test_fashion_mnist_classifier_reaches_90_percent(fashion_judge):
    """`train_classifier`'s defaults (5 epochs, batch 128, seed 0) on the 60,000 training garments, as
    `gankit eval`'s domain classifier trains them (the shared cache's, `fashion_judge`): ≥ 90% on the test split."""
    from gankit.data import load_dataset

    path, info = fashion_judge
    assert (info["epochs"], info["batch_size"], info["seed"], info["n_train"]) == (5, 128, 0, 60_000)
    test = load_dataset("fashion-mnist", split="test")
    model = load_classifier(path)
    accuracy = classifier_accuracy(model, test.x, test.y)
    assert accuracy >= 0.90
    assert accuracy == pytest.approx(info["test_accuracy"], abs=1e-6)

    # Its features and logits drive the classifier metrics: the test set against itself split in two
    # scores far better than a "generator" that outputs one test image.
    half_a, half_b = test.x[:2000], test.x[2000:4000]
    collapsed = test.x[:1].expand(2000, -1, -1, -1)
    good = evaluate(half_a, half_b, extractor="classifier", extractor_kwargs={"path": str(path)}, kid_subsets=10)
    bad = evaluate(collapsed, half_b, extractor="classifier", extractor_kwargs={"path": str(path)}, kid_subsets=10)
    assert good["fid"] < 0.1 * bad["fid"]
    assert good["is"] > 7 and bad["is"] == pytest.approx(1.0, abs=1e-6)
    assert good["classes_covered"] == 10 and bad["classes_covered"] == 1
    assert good["recall"] > 0.5 and bad["recall"] < 0.01
    features = extract(get_feature_extractor("classifier", path=str(path)), test.x[:100])
    assert features.shape == (100, 128) and np.isfinite(features).all()
