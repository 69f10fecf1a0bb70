"""`safetynet link`: record linkage of person records into individuals.

safetynet link                 link records not yet linked (or changed) incrementally
safetynet link --full          re-score every candidate pair (Splink) and re-cluster
safetynet link train           train a new model on the records (deliberate; versioned)
safetynet link evaluate        precision / recall / F1 against a truth file and labels
safetynet link blocking        candidate pairs per blocking rule
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from safetynet.cli.errors import UsageError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "link",
        help="link person records into individuals (train, link, evaluate)",
        description="Link every source person record into one individual. Without a sub-command, links "
        "records not yet linked (or changed since); --full re-scores all candidate pairs and re-clusters.",
    )
    p.add_argument("--full", action="store_true", help="re-score every candidate pair and re-cluster everything")
    p.set_defaults(func=run_link, needs_django=True)
    actions = p.add_subparsers(dest="link_action", metavar="ACTION", parser_class=type(p))
    t = actions.add_parser("train", help="train a new linkage model on the person records (saved, versioned)")
    t.add_argument("--truth", type=Path, help="synthetic truth file: train m from its labelled pairs")
    t.add_argument("--out", type=Path, help="directory for the model (default: <data dir>/identity/models)")
    t.add_argument("--charts", type=Path, help="directory for the match-weights and m/u charts (HTML)")
    t.add_argument("--version", help="model version label (default: today's date and time)")
    t.set_defaults(func=run_train, needs_django=True)
    e = actions.add_parser("evaluate", help="pairwise precision, recall and F1 against truth and review labels")
    e.add_argument("--truth", type=Path, help="synthetic truth file (docs/synth.md)")
    e.add_argument("--json", action="store_true", help="print the figures as JSON")
    e.set_defaults(func=run_evaluate, needs_django=True)
    b = actions.add_parser("blocking", help="count candidate pairs per blocking rule (Splink)")
    b.set_defaults(func=run_blocking, needs_django=True)


class _Progress:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.tty or (time.monotonic() - self.last < 0.2 and done < total):
            return
        self.last = time.monotonic()
        end = "\n" if done >= total else ""
        print(f"\rlink: {stage} {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)


def run_link(args: argparse.Namespace) -> int:
    from safetynet.identity.batch import link_all
    from safetynet.identity.linking import link_persons
    from safetynet.identity.linkmodel import ModelError
    from safetynet.identity.models import LinkFeatures
    from safetynet.records.models import Person

    try:
        if args.full:
            report = link_all(progress=_Progress())
            print(
                f"linked {report.persons:,} person records into {report.individuals:,} individuals: "
                f"{report.candidate_pairs:,} pairs scored, {report.links:,} links, {report.changes:,} changes, "
                f"{report.created:,} new individuals, {report.queued:,} pairs queued for review"
            )
            timings = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
            print(f"time: {timings}")
            return 0
        pending = list(
            Person.live.filter(membership__isnull=True).values_list("pk", flat=True)
        ) + _changed_since_linked(LinkFeatures)
        changed = link_persons(sorted(set(pending)), reason="link command")
        print(f"linked {len(set(pending)):,} new or changed person records; {len(changed):,} individuals changed")
        return 0
    except ModelError as exc:
        raise UsageError(str(exc)) from exc


def _changed_since_linked(link_features: Any) -> list[int]:
    """Return live persons changed after their features were last computed."""
    from django.db.models import F

    from safetynet.records.models import Person

    return list(
        Person.live.filter(link_features__isnull=False, changed_at__gt=F("link_features__computed_at")).values_list(
            "pk", flat=True
        )
    )


def read_truth(path: Path) -> dict[int, str]:
    """Return person pk -> true person key from a synthetic truth file.

    The file is JSON with `persons`: {"<source>:<id>": "<true person key>"} (docs/synth.md).
    """
    from safetynet.records.models import Person

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the truth file {path}: {type(exc).__name__}") from exc
    persons = document.get("persons") if isinstance(document, dict) else None
    if not isinstance(persons, dict):
        raise UsageError(f"{path}: expected a JSON object with 'persons' mapping '<source>:<id>' to a person key")
    result: dict[int, str] = {}
    for pk, source, source_id in Person.live.values_list("pk", "source", "source_id"):
        key = persons.get(f"{source}:{source_id}")
        if key is not None:
            result[pk] = str(key)
    return result


def run_train(args: argparse.Namespace) -> int:
    import datetime as dt

    from safetynet.identity.blocking import features_for_persons
    from safetynet.identity.linkmodel import models_dir
    from safetynet.identity.models import PairDecision
    from safetynet.identity.training import save_model, train, write_charts

    today = dt.date.today()
    features = features_for_persons(None, today)
    if len(features) < 100:
        raise UsageError(f"only {len(features)} person records: load data before training (100 or more)")
    truth = read_truth(args.truth) if args.truth else None
    labels = [(a, b) for a, b in PairDecision.objects.filter(same=True).values_list("person_a_id", "person_b_id")]
    version = args.version or dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    document = train(features, labels=labels, truth=truth, version=version, today=today, say=print)
    path = save_model(document, args.out or models_dir())
    print(f"model saved: {path} (now in use)")
    if args.charts:
        for chart in write_charts(document, features, args.charts):
            print(f"chart: {chart}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from safetynet.identity.evaluation import evaluate_labels, evaluate_truth

    results: dict[str, Any] = {}
    if args.truth:
        results["truth"] = evaluate_truth(read_truth(args.truth)).as_dict()
    results["review_labels"] = evaluate_labels().as_dict()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for name, figures in results.items():
        if figures["true_pairs"] == 0 and figures["predicted_pairs"] == 0:
            print(f"{name}: no labelled pairs")
            continue
        print(
            f"{name}: precision {figures['precision']:.4f}  recall {figures['recall']:.4f}  F1 {figures['f1']:.4f}  "
            f"({figures['true_pairs']:,} true pairs, {figures['predicted_pairs']:,} linked pairs)"
        )
    return 0


def run_blocking(args: argparse.Namespace) -> int:
    import datetime as dt

    from safetynet.identity.blocking import features_for_persons
    from safetynet.identity.training import count_candidate_pairs

    features = features_for_persons(None, dt.date.today())
    if not features:
        raise UsageError("no person records loaded")
    for record in count_candidate_pairs(features):
        marginal, cumulative = record["marginal_comparison_count"], record["cumulative_comparison_count"]
        print(f"{marginal:>12,} {cumulative:>12,}  {record['blocking_rule']}")
    return 0
