#!/usr/bin/env python3
"""False-alarm rate of the sequence verdicts (simulations/sequence.py) on correct coders.

    python scripts/sequence_calibration.py [--runs 1000] [--alpha 0.05]

For each case (a Markov source, a model, n, T messages), runs ``--runs`` seeded experiments
with one statistical test each (family size 1) at level ``--alpha`` and counts how often a
correct coder is called "not consistent". The test treats messages as the independent unit
(Student's t over the T per-message means); its level is exact only if those means are
normal, so the rate is measured here, per case, and quoted in docs/theory.md (k).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codebook import sources  # noqa: E402
from simulations.sequence import run_sequence_experiment  # noqa: E402

CASES = [
    ("markov:4:2:0.5:7, true chain", sources.Markov.random(4, 2, 0.5, seed=7), "true", 1000, 5),
    ("markov:4:2:0.5:7, true chain", sources.Markov.random(4, 2, 0.5, seed=7), "true", 100, 5),
    ("markov:4:2:0.5:7, static marginal", sources.Markov.random(4, 2, 0.5, seed=7), "static", 1000, 5),
    ("slow chain (stay 0.99), true", sources.Markov([[0.99, 0.01], [0.01, 0.99]]), "true", 1000, 5),
    ("slow chain (stay 0.99), true", sources.Markov([[0.99, 0.01], [0.01, 0.99]]), "true", 10000, 5),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--alpha", type=float, default=0.05)
    args = parser.parse_args()
    print(f"{'case':<36} {'n':>6} {'T':>3} {'runs':>5} {'alarms':>6} {'rate':>7}  (nominal {args.alpha:g})")
    for label, src, model, n, trials in CASES:
        coder = "arithmetic"
        q = src.marginal()
        alarms = 0
        for seed in range(args.runs):
            r = run_sequence_experiment(src, model, q, [coder], n, trials, seed, family_alpha=args.alpha,
                                        family_size=1)
            alarms += r.summaries[0]["verdict"] != "consistent"
        print(f"{label:<36} {n:>6} {trials:>3} {args.runs:>5} {alarms:>6} {alarms / args.runs:>7.3f}")


if __name__ == "__main__":
    main()
