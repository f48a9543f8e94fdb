"""Regenerate ``lighthouse.log``: a deterministic, log-like text (python tests/data/make_log.py).

Lines look like a service's access/event log: an ISO timestamp that advances by a random
number of seconds, a level, a component, and a message drawn from a small set of templates
with numbers filled in. Seeded, so the file is the same on every run; written for codebook.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

LEVELS = ["INFO"] * 14 + ["DEBUG"] * 4 + ["WARN"] * 2 + ["ERROR"]
COMPONENTS = ["lamp", "fogbell", "radio", "generator", "tide", "ledger"]
TEMPLATES = [
    "lamp lit, intensity={pct}% rotation={rpm}rpm",
    "lamp extinguished after {sec}s",
    "vessel {ship} passed {dir}bound at {nm:.1f} nm, bearing {deg:03d}",
    "tide gauge reads {m:.2f} m (predicted {p:.2f} m)",
    "generator load {pct}% fuel {fuel:.1f} l",
    "fog detected, visibility {nm:.1f} nm; bell sounding every {sec}s",
    "radio check with station {station}: signal {sig}/5",
    "GET /status 200 {ms}ms bytes={size}",
    "POST /ledger/entry 201 {ms}ms id={id}",
    "retrying upload to archive (attempt {try_}/5) after {ms}ms",
]
SHIPS = ["Kestrel", "Valiant", "Quail", "Marigold", "North Star", "Halcyon", "Peregrine"]
STATIONS = ["CAPE-N", "HARBOUR", "ISLE-3", "MAINLAND"]


def generate(seed: int = 20261123, lines: int = 420) -> str:
    rng = random.Random(seed)
    t = dt.datetime(2026, 1, 1, 0, 0, 0)
    out = []
    for _ in range(lines):
        t += dt.timedelta(seconds=rng.randint(1, 900))
        msg = rng.choice(TEMPLATES).format(
            pct=rng.randint(0, 100), rpm=rng.randint(1, 12), sec=rng.randint(5, 600),
            ship=rng.choice(SHIPS), dir=rng.choice(["north", "south", "east", "west"]),
            nm=rng.uniform(0.1, 12), deg=rng.randint(0, 359), m=rng.uniform(-1, 4),
            p=rng.uniform(-1, 4), fuel=rng.uniform(0, 900), station=rng.choice(STATIONS),
            sig=rng.randint(1, 5), ms=rng.randint(1, 2500), size=rng.randint(100, 90000),
            id=rng.randint(1, 10**6), try_=rng.randint(1, 5),
        )
        out.append(f"{t.isoformat()}Z {rng.choice(LEVELS):5s} [{rng.choice(COMPONENTS)}] {msg}\n")
    return "".join(out)


if __name__ == "__main__":
    Path(__file__).with_name("lighthouse.log").write_text(generate(), encoding="ascii")
