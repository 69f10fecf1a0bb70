"""Training the linkage model with Splink 5 on DuckDB, and Splink's batch scoring.

Training recipe (see the linkage notes for why each step is there):
1. lambda (the probability two random records match) estimated once from deterministic
   rules, then FIXED during EM, so EM learns "same person" rather than "same household";
2. u from random sampling;
3. m by EM on two blocking rules that do not involve the address (blocking on the
   postcode teaches EM what a household looks like);
4. m from labels when there are any: reviewers' "same person" decisions, or the truth
   column of a synthetic county;
5. sanity bounds on m: a mismatch level must keep a non-zero m (a moved child, a sex
   recorded wrongly, a typo must not veto a true match).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from safetynet.identity.comparisons import (
    ALIAS_BLOCKING_COLUMNS,
    BLOCKING_RULES,
    COMPARISONS,
    register_spark_functions,
    splink_comparisons,
)
from safetynet.identity.features import IDENTIFIER_FIELDS, Features
from safetynet.identity.linkmodel import MODEL_FORMAT, LinkModel
from safetynet.lib.clock import system_clock

# Minimum m for a disagreeing level, as a share of true matches: measured on household data,
# EM otherwise drives "postcode differs" towards zero as the data grows and movers never link.
M_FLOORS: dict[tuple[str, str], float] = {
    ("name", "different names"): 0.005,
    ("name", "same given name, different family name"): 0.02,
    ("name", "same family name, different given name"): 0.005,
    ("dob", "different date of birth"): 0.01,
    ("dob", "year of birth within one"): 0.01,
    ("sex", "different sex"): 0.01,
    ("postcode", "different postcode"): 0.15,
    ("postcode", "same postcode district"): 0.05,
    ("identifiers", "different identifiers"): 0.005,
}
# The households of safeguarding data make shared family names common among non-matches:
# "same family name, different given name" (siblings) must never count as evidence for a
# match, nor must a different year of birth.
# Twins share family name, date of birth, address and often sex, worth about +26 together
# against a prior near -15: the sibling level must outweigh that to keep twins apart.
MAX_WEIGHT: dict[tuple[str, str], float] = {
    ("name", "same family name, different given name"): -12.0,
    ("dob", "year of birth within one"): 0.0,
}
MIN_LABELLED_PAIRS = 50

FEATURE_SCHEMA = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("given", pa.string()),
        ("given_initial", pa.string()),
        ("given_key", pa.string()),
        ("given_canons", pa.list_(pa.string())),
        ("family", pa.string()),
        ("family_sx", pa.string()),
        ("name_keys", pa.list_(pa.string())),
        ("dob", pa.string()),
        ("dob_y", pa.int32()),
        ("dob_m", pa.int32()),
        ("dob_d", pa.int32()),
        ("sex", pa.string()),
        ("postcode", pa.string()),
        ("pc_district", pa.string()),
        ("postcodes", pa.list_(pa.string())),
        ("nhs", pa.string()),
        ("pnc", pa.string()),
        ("upn", pa.string()),
        ("csc", pa.string()),
    ]
)


def features_table(features: Sequence[Features], truth: dict[int, str] | None = None) -> pa.Table:
    """Return the features as an Arrow table (with a `truth` column when given)."""
    table = pa.Table.from_pylist([dict(f) for f in features], schema=FEATURE_SCHEMA)
    if truth is not None:
        table = table.append_column("truth", pa.array([truth.get(f["unique_id"]) for f in features], pa.string()))
    return table


def blocking_rules() -> list[Any]:
    """Return the prediction blocking rules as Splink objects (SQL strings plus the exploded alias rule)."""
    from splink import block_on

    return [*BLOCKING_RULES, block_on(*ALIAS_BLOCKING_COLUMNS, arrays_to_explode=["name_keys"])]


def base_settings(lambda_: float = 1e-4) -> dict[str, Any]:
    """Return the untrained Splink settings for our comparisons."""
    from splink import SettingsCreator

    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[],
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=lambda_,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    settings = creator.get_settings("duckdb").as_dict()
    settings["comparisons"] = splink_comparisons()
    return settings


DUCKDB_MEMORY_SHARE = 0.4  # of physical memory, when SAFETYNET_DUCKDB_MEMORY is not set


def duckdb_api() -> Any:
    """A fresh in-memory DuckDB for Splink with a memory cap, spilling to a temporary
    directory beyond it. DuckDB's default (80% of memory) left nothing for this process's
    own feature list: an exact pair count at 2M person records exhausted the machine.
    `SAFETYNET_DUCKDB_MEMORY` (e.g. `8GB`) overrides the default of 40% of memory."""
    import duckdb
    from splink import DuckDBAPI

    limit = os.environ.get("SAFETYNET_DUCKDB_MEMORY", "").strip()
    if not limit:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        limit = f"{max(1, int(total * DUCKDB_MEMORY_SHARE / 2**20))}MB"
    spill = Path(tempfile.gettempdir()) / "safetynet-duckdb"
    spill.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(config={"memory_limit": limit, "temp_directory": str(spill)})
    return DuckDBAPI(connection=connection)


def new_linker(table: pa.Table, settings: dict[str, Any]) -> Any:
    """Return a Splink linker over the feature table on a fresh in-memory DuckDB."""
    return _linker_and_input(table, settings)[0]


def _linker_and_input(table: pa.Table, settings: dict[str, Any]) -> tuple[Any, Any]:
    """A new linker and the Splink table of its input (for SQL over both)."""
    from splink import Linker

    db_api = duckdb_api()
    sdf = db_api.register(table, dataset_display_name="persons")
    return Linker(sdf, settings, log_level="WARNING"), sdf


def train(
    features: Sequence[Features],
    *,
    labels: Sequence[tuple[int, int]] = (),
    truth: dict[int, str] | None = None,
    seed: int = 42,
    u_max_pairs: float = 5e6,
    em_max_pairs: float = 2e6,
    version: str | None = None,
    today: dt.date | None = None,
    say: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    """Train on the feature rows; return the model document (not yet saved).

    `labels` are pairs of unique ids a reviewer decided are the same person; `truth` maps
    unique ids to a true-person key (a synthetic county). Either, when large enough,
    replaces the EM estimate of m.
    """
    started = time.perf_counter()
    table = features_table(features, truth)
    linker = new_linker(table, base_settings())
    say(f"training on {len(features):,} person records")

    deterministic = [
        "l.nhs = r.nhs",
        "l.upn = r.upn",
        "l.given = r.given AND l.family = r.family AND l.dob = r.dob",
    ]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    say("estimated the probability two random records match (fixed from now on)")
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    say("estimated u by random sampling")

    by_id = {f["unique_id"]: f for f in features}
    labelled = [(by_id[a], by_id[b]) for a, b in labels if a in by_id and b in by_id]
    if truth:
        groups: dict[str, list[Features]] = {}
        for f in features:
            key = truth.get(f["unique_id"])
            if key:
                groups.setdefault(key, []).append(f)
        labelled += [(g[i], g[j]) for g in groups.values() for i in range(len(g)) for j in range(i + 1, len(g))]
    linker.training.estimate_parameters_using_expectation_maximisation(
        "l.dob = r.dob", fix_probability_two_random_records_match=True, max_pairs=em_max_pairs
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        "l.given_key = r.given_key AND l.family_sx = r.family_sx",
        fix_probability_two_random_records_match=True,
        max_pairs=em_max_pairs,
    )
    say("estimated m by expectation maximisation")
    method = "em"
    settings = linker.misc.save_model_to_json(out_path=None)
    if isinstance(settings, str):
        settings = json.loads(settings)
    if len(labelled) >= MIN_LABELLED_PAIRS:
        m_from_labelled_pairs(settings, labelled)
        method = "labelled pairs (truth file or review decisions)"
        say(f"estimated m from {len(labelled):,} labelled pairs")
    apply_m_floors(settings)
    now = system_clock.now()
    today = today or now.date()
    document = {
        "format": MODEL_FORMAT,
        "version": version or today.isoformat(),
        "trained_at": now.isoformat(timespec="seconds"),
        "training": {
            "records": len(features),
            "m_method": method,
            "labelled_pairs": len(labelled),
            "seconds": round(time.perf_counter() - started, 1),
            "m_floors": {f"{c}: {lvl}": v for (c, lvl), v in M_FLOORS.items()},
            "max_weights": {f"{c}: {lvl}": v for (c, lvl), v in MAX_WEIGHT.items()},
        },
        "splink_settings": settings,
    }
    LinkModel(document)  # refuse to return a model that does not fit the comparisons
    return document


def m_from_labelled_pairs(settings: dict[str, Any], pairs: Sequence[tuple[Features, Features]]) -> None:
    """Set each level's m to its share among pairs known to be the same person, in place.

    Counted with the Python mirror of the comparisons; a comparison's null level is left
    out of the shares (it carries no weight). Levels never seen keep their EM estimate.
    """
    for comparison, spec in zip(COMPARISONS, settings["comparisons"], strict=True):
        counts = [0] * len(comparison.levels)
        for left, right in pairs:
            counts[comparison.level_of(left, right)] += 1
        observed = sum(c for c, lvl in zip(counts, comparison.levels, strict=True) if not lvl.is_null)
        if not observed:
            continue
        for count, level, saved in zip(counts, comparison.levels, spec["comparison_levels"], strict=True):
            if not level.is_null and count:
                saved["m_probability"] = count / observed


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value > 0 else None


def apply_m_floors(settings: dict[str, Any]) -> None:
    """Make every level's m and u explicit and sane, in place.

    A level never observed in training gets m = u (weight 0: no evidence either way), so
    Splink and the Python scorer agree. Disagreeing levels get their m floor; levels that
    must not count for a match get m capped so their weight is at most `MAX_WEIGHT` (a
    shared family name with a different given name, the sibling or twin: strongly against).
    The other levels' m are rescaled so m sums to one.
    """
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        levels = [lvl for lvl in comparison["comparison_levels"] if not lvl.get("is_null_level")]
        fixed: set[int] = set()
        for level in levels:
            u = _number(level.get("u_probability")) or 1e-4
            m = _number(level.get("m_probability"))
            level["u_probability"] = u
            if m is None:
                m = u
                fixed.add(id(level))
            label = level["label_for_charts"]
            floor = M_FLOORS.get((name, label))
            if floor is not None and m < floor:
                m = floor
                fixed.add(id(level))
            max_weight = MAX_WEIGHT.get((name, label))
            if max_weight is not None and m > u * 2**max_weight:
                m = u * 2**max_weight
                fixed.add(id(level))
            level["m_probability"] = m
        others = [lvl for lvl in levels if id(lvl) not in fixed]
        if others:
            spare = max(1.0 - sum(lvl["m_probability"] for lvl in levels if id(lvl) in fixed), 1e-6)
            total = sum(lvl["m_probability"] for lvl in others)
            for level in others:
                level["m_probability"] *= spare / total


def save_model(document: dict[str, Any], directory: Path) -> Path:
    """Write the model as `model-<version>.json` in `directory`; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"model-{document['version']}.json"
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def write_charts(document: dict[str, Any], features: Sequence[Features], directory: Path) -> list[Path]:
    """Write Splink's match-weights and m/u charts of a model as offline HTML files."""
    directory.mkdir(parents=True, exist_ok=True)
    linker = new_linker(features_table(features[:1000]), document["splink_settings"])
    written = []
    for name, chart in (
        ("match-weights", linker.visualisations.match_weights_chart()),
        ("m-u-parameters", linker.visualisations.m_u_parameters_chart()),
    ):
        path = directory / f"{name}-{document['version']}.html"
        chart.save(str(path), inline=False)  # small files; the page loads Vega from its CDN
        written.append(path)
    return written


def count_candidate_pairs(features: Sequence[Features], sample: float = 1.0) -> list[dict[str, Any]]:
    """Return Splink's marginal and cumulative comparison counts for each blocking rule."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    db_api = duckdb_api()
    sdf = db_api.register(features_table(features), dataset_display_name="persons")
    records = count_comparisons_from_blocking_rules(
        sdf, blocking_rules=blocking_rules(), link_type="dedupe_only", record_sample_proportion=sample
    )
    return [dict(r) if isinstance(r, dict) else dict(vars(r)) for r in records]


def settings_for_dialect(model: LinkModel, dialect: str) -> dict[str, Any]:
    """Return the model's Splink settings with every level's SQL and the blocking rules as
    this release writes them, for `dialect` ("duckdb" or "spark"); m and u are unchanged.

    The saved SQL is not used as it stands: the comparison functions differ by backend (see
    comparisons.SPARK_FUNCTIONS), and a level's condition or a blocking rule may be refined in
    a release while the level keeps its position and meaning (the saved m and u apply by
    position, as in the incremental matcher), so a model trained before still scores the same
    pairs on both paths."""
    import copy

    settings = copy.deepcopy(model.splink_settings)
    settings["sql_dialect"] = dialect
    rewritten = splink_comparisons(dialect)
    for saved, fresh in zip(settings["comparisons"], rewritten, strict=True):
        for level, new_level in zip(saved["comparison_levels"], fresh["comparison_levels"], strict=True):
            level["sql_condition"] = new_level["sql_condition"]
    exploded = [
        rule
        for rule in settings.get("blocking_rules_to_generate_predictions", [])
        if isinstance(rule, dict) and rule.get("arrays_to_explode")
    ]
    # Written for DuckDB (as the saved rules are): Splink translates them for another backend.
    settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in BLOCKING_RULES
    ] + exploded
    return settings


def local_spark(memory: str = "2g") -> Any:
    """A Spark session on this machine's cores for Splink's Spark backend (needs pyspark,
    the `spark` extra, and Java 17). The same settings run on a cluster's session."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers need this environment's packages
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("safetynet-identity")
        .config("spark.jars", similarity_jar_location())  # Splink registers its own functions from it
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="spark-warehouse-"))
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="spark-checkpoints-"))
    return spark


def spark_predict(
    features: Sequence[Features], model: LinkModel, threshold: float, spark: Any
) -> list[tuple[int, int, float]]:
    """`splink_predict` on Splink's Spark backend: the same model, blocking and comparisons
    (conditions rewritten for Spark SQL); returns (id_l, id_r, match_weight) above the threshold."""
    from splink import Linker, SparkAPI

    register_spark_functions(spark)
    db_api = SparkAPI(spark_session=spark)
    frame = spark.createDataFrame(features_table(features))  # Spark 4 takes an Arrow table
    name = f"persons_{uuid.uuid4().hex[:12]}"  # a session keeps the tables of earlier calls
    linker = Linker(db_api.register(frame, dataset_display_name=name), settings_for_dialect(model, "spark"))
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    rows = predictions.as_spark_dataframe().select("unique_id_l", "unique_id_r", "match_weight").collect()
    return [(int(a), int(b), float(w)) for a, b, w in rows]


def splink_predict(
    features: Sequence[Features], model: LinkModel, threshold: float
) -> tuple[list[tuple[int, int, float]], Any]:
    """Score every candidate pair with Splink; return (id_l, id_r, match_weight) above the
    probability threshold, and the linker (for Splink's own clustering in benchmarks)."""
    linker = new_linker(features_table(features), settings_for_dialect(model, "duckdb"))
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    table = linker.misc.query_sql(
        f"SELECT unique_id_l, unique_id_r, match_weight FROM {predictions.physical_name}"
    ).as_pyarrow_table()
    pairs = list(
        zip(
            table.column("unique_id_l").to_pylist(),
            table.column("unique_id_r").to_pylist(),
            table.column("match_weight").to_pylist(),
            strict=True,
        )
    )
    return pairs, (linker, predictions)


def _shared_identifier_sql() -> str:
    return " OR ".join(f"(l.{f} <> '' AND l.{f} = r.{f})" for f in IDENTIFIER_FIELDS)


def splink_predict_with_facts(
    features: Sequence[Features], model: LinkModel, threshold: float
) -> tuple[list[tuple[int, int, float]], list[tuple[bool, bool]]]:
    """`splink_predict`, strongest pairs first, with two facts about each pair read in the
    same DuckDB: whether the records share an identifier, and whether both carry a usable
    given and family name (`pairs.judge_all` needs only these to judge a pair that shares
    no identifier, which saves reading both records' features in Python for each pair)."""
    linker, persons = _linker_and_input(features_table(features), settings_for_dialect(model, "duckdb"))
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    table = linker.misc.query_sql(
        f"""
        SELECT p.unique_id_l, p.unique_id_r, p.match_weight,
               coalesce({_shared_identifier_sql()}, false) AS shares_identifier,
               coalesce(l.given <> '' AND l.family <> '' AND r.given <> '' AND r.family <> '', false) AS both_named
        FROM {predictions.physical_name} p
        JOIN {persons.physical_name} l ON l.unique_id = p.unique_id_l
        JOIN {persons.physical_name} r ON r.unique_id = p.unique_id_r
        ORDER BY p.match_weight DESC, p.unique_id_l, p.unique_id_r
        """
    ).as_pyarrow_table()
    column = table.column
    pairs = list(
        zip(
            column("unique_id_l").to_pylist(),
            column("unique_id_r").to_pylist(),
            column("match_weight").to_pylist(),
            strict=True,
        )
    )
    facts = list(zip(column("shares_identifier").to_pylist(), column("both_named").to_pylist(), strict=True))
    return pairs, facts


__all__ = [
    "COMPARISONS",
    "train",
    "save_model",
    "write_charts",
    "count_candidate_pairs",
    "splink_predict",
    "splink_predict_with_facts",
]
