"""The trained linkage model: versioned JSON holding Splink's settings (m and u per level)
and our metadata; applied in Python to score one pair (incremental matching, search and
explanations) and handed to Splink for batch scoring.

The shipped model is `identity/model/model-v1.json`; `safetynet link train` writes
retrained models under `<data dir>/identity/models/` and the newest one is used. Retraining
is deliberate: nothing retrains on its own.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from safetynet.identity.comparisons import COMPARISONS
from safetynet.identity.features import Features
from safetynet.settings.env import data_dir

SHIPPED_MODEL = Path(__file__).resolve().parent / "model" / "model-v1.json"
MODEL_FORMAT = "safetynet-link-model"


class ModelError(Exception):
    """The model file is missing, unreadable or does not fit the comparisons in code."""


@dataclass(frozen=True)
class Step:
    """One bar of the waterfall: a comparison, the level the pair fell in, its weight."""

    comparison: str
    level: str
    weight: float


@dataclass(frozen=True)
class Score:
    """A scored pair: the prior and each comparison's step, summed to a match weight."""

    prior_weight: float
    steps: tuple[Step, ...]
    levels: tuple[int, ...]

    @property
    def match_weight(self) -> float:
        return self.prior_weight + sum(s.weight for s in self.steps)

    @property
    def probability(self) -> float:
        return probability_from_weight(self.match_weight)


def probability_from_weight(weight: float) -> float:
    """Return the match probability of a match weight (log2 Bayes factor incl. the prior)."""
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = 2.0**weight
    return odds / (1.0 + odds)


class LinkModel:
    """The m/u weights of each comparison level, and the metadata of one saved model."""

    def __init__(self, document: dict[str, Any], path: Path | None = None) -> None:
        if document.get("format") != MODEL_FORMAT:
            raise ModelError("not a safetynet linkage model file")
        self.document = document
        self.path = path
        self.version: str = str(document.get("version", "?"))
        settings = document["splink_settings"]
        self.lambda_ = float(settings["probability_two_random_records_match"])
        self.prior_weight = math.log2(self.lambda_ / (1.0 - self.lambda_))
        saved = {c["output_column_name"]: c for c in settings["comparisons"]}
        self.weights: list[list[float]] = []
        for comparison in COMPARISONS:
            spec = saved.get(comparison.name)
            if spec is None or len(spec["comparison_levels"]) != len(comparison.levels):
                raise ModelError(f"the model does not fit comparison '{comparison.name}'; retrain it")
            self.weights.append([_level_weight(level) for level in spec["comparison_levels"]])

    @property
    def splink_settings(self) -> dict[str, Any]:
        return dict(self.document["splink_settings"])

    def score(self, left: Features, right: Features) -> Score:
        """Return the pair's score: level reached and weight for every comparison."""
        steps = []
        levels = []
        for comparison, weights in zip(COMPARISONS, self.weights, strict=True):
            index = comparison.level_of(left, right)
            levels.append(index)
            steps.append(Step(comparison.name, comparison.levels[index].label, weights[index]))
        return Score(self.prior_weight, tuple(steps), tuple(levels))


def _level_weight(level: dict[str, Any]) -> float:
    if level.get("is_null_level"):
        return 0.0
    m, u = level.get("m_probability"), level.get("u_probability")
    if not m or not u:
        return 0.0
    return math.log2(float(m) / float(u))


def models_dir() -> Path:
    """Return the directory that holds retrained models (under the data directory)."""
    base = Path(getattr(settings, "SAFETYNET_DATA_DIR", None) or data_dir())
    return base / "identity" / "models"


def current_model_path() -> Path:
    """Return the model in use: the newest retrained model, else the shipped one."""
    retrained = sorted(models_dir().glob("model-*.json")) if models_dir().exists() else []
    return retrained[-1] if retrained else SHIPPED_MODEL


@cache
def _load(path: Path, mtime: float) -> LinkModel:
    try:
        return LinkModel(json.loads(path.read_text(encoding="utf-8")), path)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot read the linkage model {path.name}: {type(exc).__name__}") from exc


def load_model(path: Path | None = None) -> LinkModel:
    """Return the linkage model at `path` (default: the model in use), cached per file."""
    chosen = path or current_model_path()
    if not chosen.exists():
        raise ModelError(f"no linkage model at {chosen}; run 'safetynet link train'")
    return _load(chosen, chosen.stat().st_mtime)
