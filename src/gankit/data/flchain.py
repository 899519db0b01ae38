"""The flchain table (Dispenzieri et al. 2012, Mayo Clinic Proceedings 87(6)): serum free light chains of 7,874
residents of Olmsted County aged 50 or more, followed for death; and a binary patient × condition matrix
derived from it for medGAN (Choi et al. 2017).

``flchain`` is the ARFF file bundled in PyPI's ``scikit-survival`` 0.28.0 (asset ``flchain``, `gankit.assets`:
the file is read from the pinned, SHA-256-checked wheel; scikit-survival itself is never installed or
imported). 11 columns: age, sex (F/M), sample.yr, kappa and lambda (FLC, mg/dL), flc.grp (decile of
kappa + lambda), creatinine (mg/dL; 1,350 gaps), mgus (no/yes), futime (days), death (alive/dead), chapter
(the cause of death's ICD chapter; missing for the living). Nominal attributes whose values are all
integers (sample.yr, flc.grp) become int64 columns, the other nominals strings; gaps stay NaN.

``flchain-binary`` (26 columns of 0/1, int64), one row per patient, ``flchain_binary(frame)``:

- ``male``: sex M;  ``age_50_59``, ``age_60_69``, ``age_70_79``, ``age_80_plus``: age bands (one-hot);
- ``mgus``: monoclonal gammopathy diagnosed;  ``dead``: died during follow-up;  ``dead_within_5y``: died
  before day 1,826 of follow-up;
- ``kappa_high``: kappa > 1.94 mg/dL;  ``lambda_high``: lambda > 2.63 mg/dL (above the upper limits of the
  reference intervals, Katzmann et al. 2002);  ``kl_ratio_abnormal``: kappa/lambda < 0.26 or > 1.65 (the
  same reference);  ``flc_top_decile``: flc.grp = 10, the highest decile of total FLC (the study's high-FLC
  group);
- ``creatinine_high``: creatinine > 1.2 mg/dL;  ``creatinine_unknown``: creatinine not measured;
- ``cause_<chapter>``: the cause of death's ICD chapter, one-hot, for the 11 chapters with 25 or more deaths
  (circulatory, neoplasms, respiratory, mental, nervous, digestive, external causes, endocrine,
  genitourinary, ill defined, infectious); ``cause_other`` for the 5 rarer ones (injury and poisoning,
  musculoskeletal, blood, skin, congenital). All zero for a patient alive at the end of follow-up.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from gankit.errors import DataError

KAPPA_HIGH, LAMBDA_HIGH = 1.94, 2.63  # mg/dL, upper limits of the reference intervals (Katzmann et al. 2002)
RATIO_LOW, RATIO_HIGH = 0.26, 1.65  # kappa/lambda reference interval (same paper)
CREATININE_HIGH = 1.2  # mg/dL
FIVE_YEARS = 1826  # days
AGE_BANDS = ((50, 59), (60, 69), (70, 79), (80, 200))
MAJOR_CAUSES = ("Circulatory", "Neoplasms", "Respiratory", "Mental", "Nervous", "Digestive", "External Causes",
                "Endocrine", "Genitourinary", "Ill Defined", "Infectious")
_ATTRIBUTE = re.compile(r"@attribute\s+('[^']*'|\"[^\"]*\"|\S+)\s+(.*)$", re.IGNORECASE)


def read_arff(path: str | Path):
    """A dense ARFF file (numeric and nominal attributes, ``?`` for a gap) as a pandas DataFrame: numeric
    attributes as floats (int64 when every value is whole and none is missing), nominal ones as int64 when all
    their declared values are integers (nullable Int64 with gaps), else as strings."""
    import pandas as pd

    text = Path(path).read_text(encoding="utf-8")
    match = re.search(r"^@data\s*$", text, re.IGNORECASE | re.MULTILINE)
    if match is None:
        raise DataError(f"{path} is not an ARFF file (no @data line)")
    head, body = text[: match.start()], text[match.end():]
    names, nominal = [], {}
    for line in head.splitlines():
        match = _ATTRIBUTE.match(line.strip())
        if not match:
            continue
        name, kind = match[1].strip("'\""), match[2].strip()
        names.append(name)
        if kind.startswith("{"):
            nominal[name] = [v.strip().strip("'\"") for v in kind.strip("{}").split(",")]
    df = pd.read_csv(io.StringIO(body), header=None, names=names, na_values=["?"], keep_default_na=False,
                     dtype={n: str for n in nominal}, comment="%", skipinitialspace=True)
    for name, values in nominal.items():
        if all(re.fullmatch(r"-?\d+", v) for v in values):
            df[name] = df[name].astype("Int64" if df[name].isna().any() else "int64")
    for name in names:
        if name not in nominal and not df[name].isna().any() and np.array_equal(df[name], np.round(df[name])):
            df[name] = df[name].astype("int64")
    return df


def load_flchain():
    """The flchain table (module docstring), from the installed asset ``flchain``."""
    from gankit.assets import find_asset

    return read_arff(find_asset("flchain").path)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def flchain_binary(frame):
    """The binary patient × condition matrix of the flchain table ``frame`` (module docstring): 26 int64
    columns of 0/1, one row per patient, in the order the module docstring lists them."""
    import pandas as pd

    age, kappa, lam = frame["age"].to_numpy(), frame["kappa"].to_numpy(float), frame["lambda"].to_numpy(float)
    creatinine = frame["creatinine"].to_numpy(float, na_value=np.nan)
    dead = (frame["death"] == "dead").to_numpy()
    chapter = frame["chapter"]
    out = {"male": frame["sex"] == "M"}
    for low, high in AGE_BANDS:
        out[f"age_{low}_{high}" if high < 200 else f"age_{low}_plus"] = (age >= low) & (age <= high)
    ratio = kappa / lam
    out.update({
        "mgus": frame["mgus"] == "yes", "dead": dead, "dead_within_5y": dead & (frame["futime"].to_numpy() < FIVE_YEARS),
        "kappa_high": kappa > KAPPA_HIGH, "lambda_high": lam > LAMBDA_HIGH,
        "kl_ratio_abnormal": (ratio < RATIO_LOW) | (ratio > RATIO_HIGH), "flc_top_decile": frame["flc.grp"] == 10,
        "creatinine_high": creatinine > CREATININE_HIGH, "creatinine_unknown": np.isnan(creatinine),
    })
    for cause in MAJOR_CAUSES:
        out[f"cause_{_slug(cause)}"] = chapter == cause
    out["cause_other"] = chapter.notna() & ~chapter.isin(MAJOR_CAUSES)
    return pd.DataFrame({name: np.asarray(v, dtype=bool).astype(np.int64) for name, v in out.items()})
