"""SDMetrics' quality report of a synthetic table (DataCebo's ``sdmetrics``, the score the SDV ecosystem and the
CTGAN paper's successors report), computed by the library itself so the figures compare with published ones.

The report averages two properties, each a mean over columns or pairs of columns of a score in [0, 1]
(1: identical):

- **Column Shapes**: KSComplement = 1 - KS statistic for numerical and datetime columns, TVComplement
  = 1 - total variation distance for categorical and boolean ones (gankit's own ``shape_score`` is the same
  formula, `gankit.metrics.table.fidelity`);
- **Column Pair Trends**: CorrelationSimilarity = 1 - |ρ_real - ρ_fake| / 2 (Pearson) for two numerical columns,
  ContingencySimilarity = 1 - TV distance of the two-way frequency tables for two categorical ones (numerical
  columns binned for mixed pairs).

``quality`` = (Column Shapes + Column Pair Trends) / 2. Column types (sdtypes) follow
`gankit.metrics.table.is_numeric_column`: booleans are ``boolean``, datetimes ``datetime``, numbers with more than
10 distinct values ``numerical``, everything else ``categorical``.
"""

from __future__ import annotations

import warnings

from gankit.metrics.table import is_numeric_column


def sdv_metadata(real) -> dict:
    """SDMetrics' single-table metadata for the columns of ``real`` (sdtypes as in the module docstring)."""
    import pandas as pd

    columns = {}
    for name in real.columns:
        dtype = real[name].dtype
        if pd.api.types.is_bool_dtype(dtype):
            sdtype = "boolean"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            sdtype = "datetime"
        elif is_numeric_column(real[name]):
            sdtype = "numerical"
        else:
            sdtype = "categorical"
        columns[str(name)] = {"sdtype": sdtype}
    return {"columns": columns}


def quality_report(real, synthetic) -> dict[str, float]:
    """``sdv_quality``, ``sdv_column_shapes`` and ``sdv_pair_trends`` of ``synthetic`` against ``real``
    (module docstring); pair trends are absent for a one-column table."""
    from sdmetrics.reports import QualityReport

    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the library's deprecation and pandas FutureWarnings, not the user's
        report.generate({"table": real}, {"table": synthetic[real.columns]},
                        {"tables": {"table": sdv_metadata(real)}}, verbose=False)
        properties = dict(zip(report.get_properties()["Property"], report.get_properties()["Score"]))
        out = {"sdv_quality": float(report.get_score()),
               "sdv_column_shapes": float(properties["Column Shapes"])}
    pairs = properties.get("Column Pair Trends")
    if pairs is not None and pairs == pairs:  # NaN for a table with a single column
        out["sdv_pair_trends"] = float(pairs)
    return out
