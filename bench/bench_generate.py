"""Benchmark: time to write about 1 million interchange records with `safetynet generate`.

Target: under 2 minutes for 1 million records on the project's 2-core machine.
Run: `PYTHONPATH=src .venv/bin/python bench/bench_generate.py [--children N] [--seed S]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from safetynet.synth.config import make_config
from safetynet.synth.generator import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=170_000, help="children (default 170000: about 1M records)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--memory", action="store_true", help="also trace peak Python memory (slower)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        out, truth = Path(directory) / "county.jsonl", Path(directory) / "county.truth.json"
        if args.memory:
            tracemalloc.start()
        started = time.perf_counter()
        summary = generate(make_config(children=args.children, years=3, seed=args.seed), out, truth)
        seconds = time.perf_counter() - started
        size = out.stat().st_size
        print(f"children            {args.children:,}")
        print(f"records             {summary.records:,} ({summary.persons:,} persons)")
        print(f"seconds             {seconds:.1f}")
        print(f"records/s           {summary.records / seconds:,.0f}")
        print(f"per 1M records      {seconds * 1_000_000 / summary.records:.1f} s (target < 120 s)")
        print(f"output              {size / 1e6:,.0f} MB, truth {truth.stat().st_size / 1e6:,.0f} MB")
        if args.memory:
            print(f"peak Python memory  {tracemalloc.get_traced_memory()[1] / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
