"""The comparisons of the linkage model, each level written twice: as DuckDB SQL for
Splink (training and batch scoring) and as a Python test (incremental matching, search,
explanations). The Splink settings are generated from this one list, so the levels line up
by position and the saved model's m/u probabilities apply to both.

Design (see docs/identity.md and the linkage notes):
- one name comparison with levels that separate "same person" from "same family": a shared
  family name with a different given name (siblings) is its own, negative, level;
- date of birth: exact, day/month swap or one-character typo, partial agreement, near year;
- sex, with a non-zero m for a mismatch (one data-entry error must not veto a match);
- ONE address comparison on postcodes (correlated address fields link whole families);
- identifiers (NHS number, PNC id, UPN, CSC id) as one comparison: strongest when they
  agree, negative when they differ, neutral when either side has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import JaroWinkler, Levenshtein

from safetynet.identity.features import IDENTIFIER_FIELDS, Features

Test = Callable[[Features, Features], bool]
JW_NAME = 0.88  # Kayleigh~Kayley scores 0.89, Smith~Smyth 0.89


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    test: Test
    is_null: bool = False


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]

    def level_of(self, left: Features, right: Features) -> int:
        """Return the index of the first level whose test the pair passes."""
        for index, level in enumerate(self.levels):
            if level.test(left, right):
                return index
        return len(self.levels) - 1


def _jw(a: str | None, b: str | None) -> float:
    return JaroWinkler.similarity(a, b) if a and b else 0.0


def _overlap(a: list[str], b: list[str]) -> bool:
    return bool(a) and bool(b) and not set(a).isdisjoint(b)


def _else(left: Features, right: Features) -> bool:
    return True


# A one-letter slip inside a longer name (Chantelle / Chentelle: Jaro-Winkler 0.874, under
# JW_NAME) is a typo too; the first letter must agree, so rhyming names of twins (Mason /
# Jason, Hayden / Jayden) stay different names.
TYPO_MIN_LENGTH = 5


def _typo(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    if _jw(a, b) >= JW_NAME:
        return True
    return len(a) >= TYPO_MIN_LENGTH and a[0] == b[0] and Levenshtein.distance(a, b) <= 1


def _typo_sql(column: str) -> str:
    return (
        f"(jaro_winkler_similarity(l.{column}, r.{column}) >= {JW_NAME} OR "
        f"(length(l.{column}) >= {TYPO_MIN_LENGTH} AND substr(l.{column}, 1, 1) = substr(r.{column}, 1, 1) "
        f"AND levenshtein(l.{column}, r.{column}) <= 1))"
    )


NAME = Comparison(
    "name",
    "given and family name, with nicknames and aliases",
    (
        Level(
            "name missing",
            "l.given IS NULL OR r.given IS NULL OR l.family IS NULL OR r.family IS NULL",
            lambda a, b: not (a["given"] and b["given"] and a["family"] and b["family"]),
            is_null=True,
        ),
        Level(
            "same name",
            "l.given = r.given AND l.family = r.family",
            lambda a, b: a["given"] == b["given"] and a["family"] == b["family"],
        ),
        Level(
            "nickname or alias",
            "list_has_any(l.name_keys, r.name_keys)",
            lambda a, b: _overlap(a["name_keys"], b["name_keys"]),
        ),
        Level(
            "similar name (typo)",
            f"{_typo_sql('given')} AND {_typo_sql('family')}",
            lambda a, b: _typo(a["given"], b["given"]) and _typo(a["family"], b["family"]),
        ),
        Level(
            "given and family swapped",
            "l.given = r.family AND l.family = r.given",
            lambda a, b: a["given"] == b["family"] and a["family"] == b["given"],
        ),
        Level(
            "same given name, different family name",
            f"list_has_any(l.given_canons, r.given_canons) OR jaro_winkler_similarity(l.given, r.given) >= {JW_NAME}",
            lambda a, b: _overlap(a["given_canons"], b["given_canons"]) or _jw(a["given"], b["given"]) >= JW_NAME,
        ),
        Level(
            "same family name, different given name",
            f"jaro_winkler_similarity(l.family, r.family) >= {JW_NAME}",
            lambda a, b: _jw(a["family"], b["family"]) >= JW_NAME,
        ),
        Level("different names", "ELSE", _else),
    ),
)


def _dob_swap(a: Features, b: Features) -> bool:
    return a["dob_y"] == b["dob_y"] and a["dob_m"] == b["dob_d"] and a["dob_d"] == b["dob_m"]


DOB = Comparison(
    "dob",
    "date of birth, full or partial",
    (
        Level(
            "date of birth missing",
            "l.dob_y IS NULL OR r.dob_y IS NULL",
            lambda a, b: a["dob_y"] is None or b["dob_y"] is None,
            is_null=True,
        ),
        Level("same date of birth", "l.dob = r.dob", lambda a, b: a["dob"] is not None and a["dob"] == b["dob"]),
        Level(
            "day/month swapped or one digit different",
            "(l.dob_y = r.dob_y AND l.dob_m = r.dob_d AND l.dob_d = r.dob_m) OR levenshtein(l.dob, r.dob) <= 1",
            lambda a, b: (
                bool(a["dob"] and b["dob"])
                and (_dob_swap(a, b) or Levenshtein.distance(a["dob"] or "", b["dob"] or "") <= 1)
            ),
        ),
        Level(
            "partial date of birth agrees",
            "(l.dob IS NULL OR r.dob IS NULL) AND l.dob_y = r.dob_y "
            "AND (l.dob_m IS NULL OR r.dob_m IS NULL OR l.dob_m = r.dob_m)",
            lambda a, b: (
                (a["dob"] is None or b["dob"] is None)
                and a["dob_y"] == b["dob_y"]
                and (a["dob_m"] is None or b["dob_m"] is None or a["dob_m"] == b["dob_m"])
            ),
        ),
        Level(
            "year of birth within one",
            "abs(l.dob_y - r.dob_y) <= 1",
            lambda a, b: abs((a["dob_y"] or 0) - (b["dob_y"] or 0)) <= 1,
        ),
        Level("different date of birth", "ELSE", _else),
    ),
)

SEX = Comparison(
    "sex",
    "recorded sex",
    (
        Level("sex not recorded", "l.sex IS NULL OR r.sex IS NULL", lambda a, b: not (a["sex"] and b["sex"]), True),
        Level("same sex", "l.sex = r.sex", lambda a, b: a["sex"] == b["sex"]),
        Level("different sex", "ELSE", _else),
    ),
)

POSTCODE = Comparison(
    "postcode",
    "home postcode, current or previous (the one address comparison)",
    (
        Level(
            "no postcode",
            "len(l.postcodes) = 0 OR len(r.postcodes) = 0",
            lambda a, b: not (a["postcodes"] and b["postcodes"]),
            is_null=True,
        ),
        Level(
            "same postcode",
            "l.postcode = r.postcode",
            lambda a, b: a["postcode"] is not None and a["postcode"] == b["postcode"],
        ),
        Level(
            "postcode in address history",
            "list_has_any(l.postcodes, r.postcodes)",
            lambda a, b: _overlap(a["postcodes"], b["postcodes"]),
        ),
        Level(
            "same postcode district",
            "l.pc_district = r.pc_district",
            lambda a, b: a["pc_district"] is not None and a["pc_district"] == b["pc_district"],
        ),
        Level("different postcode", "ELSE", _else),
    ),
)


def _id_counts(a: Features, b: Features) -> tuple[int, int]:
    same = differ = 0
    for field in IDENTIFIER_FIELDS:
        x, y = a[field], b[field]  # type: ignore[literal-required]
        if x and y:
            if x == y:
                same += 1
            else:
                differ += 1
    return same, differ


_SAME_SQL = " + ".join(f"CASE WHEN l.{f} = r.{f} THEN 1 ELSE 0 END" for f in IDENTIFIER_FIELDS)
_DIFFER_SQL = " + ".join(f"CASE WHEN l.{f} <> r.{f} THEN 1 ELSE 0 END" for f in IDENTIFIER_FIELDS)

IDENTIFIERS = Comparison(
    "identifiers",
    "NHS number, PNC id, UPN, CSC id (well-formed only)",
    (
        Level(
            "no shared kind of identifier",
            f"({_SAME_SQL}) + ({_DIFFER_SQL}) = 0",
            lambda a, b: sum(_id_counts(a, b)) == 0,
            is_null=True,
        ),
        Level(
            "same identifier",
            f"({_SAME_SQL}) > 0 AND ({_DIFFER_SQL}) = 0",
            lambda a, b: _id_counts(a, b)[0] > 0 and _id_counts(a, b)[1] == 0,
        ),
        Level(
            "some identifiers agree, some differ",
            f"({_SAME_SQL}) > 0",
            lambda a, b: _id_counts(a, b)[0] > 0,
        ),
        Level("different identifiers", "ELSE", _else),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (NAME, DOB, SEX, POSTCODE, IDENTIFIERS)

# Candidate pairs: two records are compared when they share one of these (the same keys as
# features.blocking_keys, so the batch and incremental paths see the same pairs). Chosen by
# measured comparison counts: see docs/identity.md and bench/bench_identity.py.
BLOCKING_RULES: tuple[str, ...] = (
    "l.nhs = r.nhs",
    "l.pnc = r.pnc",
    "l.upn = r.upn",
    "l.csc = r.csc",
    "l.dob = r.dob AND l.family_sx = r.family_sx",
    "l.dob = r.dob AND l.given_key = r.given_key",
    "l.postcode = r.postcode AND l.given_key = r.given_key",
    "l.dob = r.dob AND l.postcode = r.postcode",
    "l.postcode = r.postcode AND l.family_sx = r.family_sx AND (l.dob IS NULL OR r.dob IS NULL)",
)
# Not a rule: "same given-name key and family-name soundex" alone. Its pairs grow with the
# square of the population (1.15 M at 100k records, 44 M at 1M, 177 M at 2M, where Splink
# ran out of memory) and at 100k it added no link the other rules miss (56,064 links with it
# and without it, F1 0.9879 both; 165 of 59,584 pairs at p >= 0.5 fewer). Search keeps its
# own name keys (features.search_keys).
# Alias keys are a list: Splink explodes them (one row per key) to block on them.
ALIAS_BLOCKING_COLUMNS = ("name_keys", "dob_y")


_SIDE = re.compile(r"\b([lr])\.(\w+)")


# DuckDB function -> Spark SQL function. The conditions are written for DuckDB. Jaro-Winkler
# is our own Spark function (`register_spark_functions`), not the jaro_winkler of Splink's
# UDF jar, which scores some typos lower than DuckDB does (aielia~aelia: DuckDB 0.89, over the
# 0.88 name level; the jar under it), so the two backends linked different pairs.
SPARK_JARO_WINKLER = "safetynet_jaro_winkler"
SPARK_FUNCTIONS = {
    "list_has_any(": "arrays_overlap(",
    "jaro_winkler_similarity(": f"{SPARK_JARO_WINKLER}(",
    "len(": "size(",
}


def register_spark_functions(spark: Any) -> None:
    """Register in a Spark session the functions the Spark conditions call: Jaro-Winkler
    computed exactly as DuckDB and the incremental matcher compute it (rapidfuzz)."""

    def similarity(a: str | None, b: str | None) -> float | None:
        return None if a is None or b is None else float(JaroWinkler.similarity(a, b))

    spark.udf.register(SPARK_JARO_WINKLER, similarity, "double")


def splink_sql(condition: str, dialect: str = "duckdb") -> str:
    """Return a level's condition in Splink's column style (`l.given` becomes `given_l`),
    in the SQL of `dialect` ("duckdb" or "spark")."""
    sql = _SIDE.sub(lambda m: f"{m.group(2)}_{m.group(1)}", condition)
    if dialect == "spark":
        for duck, spark in SPARK_FUNCTIONS.items():
            sql = sql.replace(duck, spark)
    return sql


def splink_comparisons(dialect: str = "duckdb") -> list[dict[str, Any]]:
    """Return the comparisons as Splink settings dictionaries (untrained)."""
    result = []
    for comparison in COMPARISONS:
        levels: list[dict[str, Any]] = []
        for level in comparison.levels:
            entry: dict[str, Any] = {"sql_condition": splink_sql(level.sql, dialect), "label_for_charts": level.label}
            if level.is_null:
                entry["is_null_level"] = True
            levels.append(entry)
        result.append(
            {
                "output_column_name": comparison.name,
                "comparison_description": comparison.description,
                "comparison_levels": levels,
            }
        )
    return result
