"""What ``gankit eval`` and training-time evaluation do: pick the source's samples, the reference split, the
feature extractor and the metrics for a run (`run`), from the pieces in `sources`, `classifier` and `defaults`;
`hook` evaluates while a run trains (``eval.every``); `printing` shows a result.

>>> from gankit.evaluation import evaluate_source
>>> evaluate_source("runs/dcgan-fashion")
"""

from gankit.evaluation.printing import format_table, result_to_json
from gankit.evaluation.run import build_extractor, default_cache_dir, evaluate_source, parse_metrics
from gankit.evaluation.series import evaluate_series, series_scores

__all__ = ["build_extractor", "default_cache_dir", "evaluate_source", "format_table", "parse_metrics",
           "result_to_json", "evaluate_series", "series_scores"]
