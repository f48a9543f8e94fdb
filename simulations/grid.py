"""User-defined grids of experiments (``codebook sweep --grid FILE.toml``): streamed, resumable.

A grid file (TOML, documented with examples in ``docs/grids.md``) names lists of p specs, q
specs and message lengths n; the grid is their product, with placeholders ``{seed}``, ``{p}``
and user axes (``[axes]``) expanded inside the specs. :func:`load_grid` reads and validates
the file (every error names the key); :meth:`Grid.cells` enumerates the cells lazily, so a grid
of 10^6 cells never exists in memory at once.

Seeding: the cell with coordinates (p, q, n, block) samples trial t with
``SeedSequence([S, h1, h2, t])``, where S is the grid seed and ``(h1, h2)`` the 8-byte BLAKE2b
digest (``digest_size=8``) of ``"p=...\\nq=...\\nn=...\\nblock=..."`` as two big-endian 32-bit
words (:func:`cell_key`). A
cell's numbers therefore depend only on the grid seed and its own coordinates: not on the
backend, the worker count, the order cells finish in, or which other cells the grid holds.

Running (:func:`run_grid`): each finished cell is appended as one JSON line to the journal
``OUT/.grid/cells.jsonl`` as soon as it arrives (any order), so memory stays flat in the
number of cells and an interrupted run loses at most the cells in flight. ``resume=True``
reads the journal, skips the cells already there, and computes only the rest. When every cell
is in, :mod:`simulations.grid_report` writes report.md, results.csv, results.json and the
figures from the journal in cell order, then removes ``.grid/``: an interrupted-and-resumed
run writes the same bytes as an uninterrupted one, on any backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import re
import shutil
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from codebook import coders as coder_registry
from codebook.distributions import Distribution
from codebook.errors import CodebookError
from codebook.jsonio import jsonable
from codebook.spec import parse_distribution

from .backends import Backend, make_backend
from .experiment import CoderSpec, family_count, run_experiment
from .sweep import Task

KEYS = ("name", "title", "description", "coders", "p", "q", "n", "trials", "seed", "seeds", "block", "axes", "x")
"""Every top-level key a grid file may hold (anything else is a typo and an error)."""

MEASURES = ("H_p", "H_pq", "D_pq", "alphabet_size")
"""Quantities the figures can use as their horizontal axis besides the coordinates (``x = ...``)."""

RESERVED = {"p", "q", "seed", "n", "block", "trials"} | set(MEASURES)
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
AXIS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
STATE_DIR = ".grid"
FORMAT_VERSION = 1


class GridError(CodebookError):
    """A grid file is malformed, or a grid run's folder cannot be used as asked."""


# ------------------------------------------------------------------------------------------ the grid


@dataclass(frozen=True)
class Cell:
    """One experiment of a grid: its index in cell order and its coordinates."""

    index: int
    p: str
    q: str
    n: int
    block: int
    values: tuple[tuple[str, Any], ...] = ()  # the placeholders this cell expanded, e.g. (("seed", 3),)

    @property
    def label(self) -> str:
        text = f"p={self.p} q={self.q} n={self.n}"
        return text + (f" block={self.block}" if self.block != 1 else "")

    @property
    def key(self) -> tuple[int, int]:
        return cell_key(self.p, self.q, self.n, self.block)


def cell_key(p: str, q: str, n: int, block: int) -> tuple[int, int]:
    """Two big-endian 32-bit words of the 8-byte BLAKE2b digest of the cell's coordinates: its
    seed, with the grid seed."""
    digest = hashlib.blake2b(f"p={p}\nq={q}\nn={n}\nblock={block}".encode(), digest_size=8).digest()
    return int.from_bytes(digest[:4], "big"), int.from_bytes(digest[4:], "big")


@dataclass(frozen=True)
class Grid:
    """A validated grid file. Build with :func:`load_grid` or :func:`parse_grid`."""

    name: str
    coders: tuple[CoderSpec, ...]
    p: tuple[str, ...]
    q: tuple[str, ...]
    n: tuple[int, ...]
    trials: int = 1
    seed: int = 0
    seeds: tuple[int, int] | None = None
    block: tuple[int, ...] = (1,)
    axes: tuple[tuple[str, tuple], ...] = ()
    x: str = "H_pq"
    title: str = ""
    description: str = ""
    source: str = field(default="", compare=False)
    path: str = field(default="grid.toml", compare=False)

    # ----------------------------------------------------------------- shape

    def axis_values(self, name: str) -> tuple:
        if name == "seed":
            assert self.seeds is not None
            return tuple(range(*self.seeds))
        return dict(self.axes)[name]

    def _axis_len(self, name: str) -> int:
        return self.seeds[1] - self.seeds[0] if name == "seed" else len(dict(self.axes)[name])

    def pairs(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """(p template, q template, placeholders they use) in cell order; user axes in the order
        they are declared, ``seed`` last."""
        order = [a for a, _ in self.axes] + ["seed"]
        out = []
        for pt in self.p:
            for qt in self.q:
                used = set(_placeholders(pt)) | (set(_placeholders(qt)) - {"p"})  # {p} brings p's own
                out.append((pt, qt, tuple(a for a in order if a in used)))
        return out

    def __len__(self) -> int:
        per = len(self.block) * len(self.n)
        return sum(math.prod(self._axis_len(a) for a in used) * per for _, _, used in self.pairs())

    @property
    def family_size(self) -> int:
        """Upper count of the tests the whole grid judges (Bonferroni), as
        :func:`simulations.sweep.family_size`: :func:`experiment.family_count` per cell."""
        return len(self) * family_count(len(self.coders), self.trials)

    def expansions(self) -> Iterator[tuple[int, str, str, str, str, dict]]:
        """(first cell index, p template, q template, p spec, q spec, values) per (p, q) expansion."""
        index = 0
        per = len(self.block) * len(self.n)
        for pt, qt, used in self.pairs():
            for combo in itertools.product(*(self.axis_values(a) for a in used)):
                values = dict(zip(used, combo))
                p_spec = _substitute(pt, values)
                q_spec = _substitute(qt, values, p_spec)
                yield index, pt, qt, p_spec, q_spec, values
                index += per

    def cells(self) -> Iterator[Cell]:
        """Every cell in cell order: p template, q template, placeholder values, block, n (innermost)."""
        for index, _, _, p_spec, q_spec, values in self.expansions():
            for b in self.block:
                for n in self.n:
                    yield Cell(index, p_spec, q_spec, n, b, tuple(values.items()))
                    index += 1

    # ----------------------------------------------------------------- identity

    def canonical(self) -> dict:
        """The grid as JSON-ready data, every default filled in (what results.json records)."""
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "coders": [{"name": c.name, **dict(c.options), **({"label": c.label} if c.label else {})}
                       for c in self.coders],
            "p": list(self.p), "q": list(self.q), "n": list(self.n), "trials": self.trials, "seed": self.seed,
            "seeds": list(self.seeds) if self.seeds else None, "block": list(self.block),
            "axes": {k: list(v) for k, v in self.axes}, "x": self.x,
        }

    def digest(self) -> str:
        """SHA-256 of the canonical grid: a resumed run must have the same one."""
        return hashlib.sha256(json.dumps(self.canonical(), sort_keys=True).encode()).hexdigest()

    def with_seed(self, seed: int | None) -> Grid:
        if seed is None or seed == self.seed:
            return self
        return _replace(self, seed=_whole(seed, "seed", self.path, minimum=0))

    def shape_text(self) -> str:
        """How the cells come about, in words: "2 p x 2 q x 2 n, {seed} over range(0, 1000) where a spec
        uses it: 4004 cells"."""
        parts = [f"{len(self.p)} p", f"{len(self.q)} q"] + ([f"{len(self.block)} block lengths"]
                                                            if len(self.block) > 1 else []) + [f"{len(self.n)} n"]
        names = [f"{{{a}}} over {len(v)} values" for a, v in self.axes]
        if self.seeds:
            names.append("{seed} over range(%d, %d)" % self.seeds)
        where = f", {' and '.join(names)} where a spec uses {'it' if len(names) == 1 else 'them'}" if names else ""
        return " x ".join(parts) + where + f": {len(self)} cells"

    # ----------------------------------------------------------------- checking

    def check_specs(self, progress: Callable[[int], None] | None = None) -> None:
        """Parse every expanded p and q spec once and check their alphabets agree: a typo in the
        last cell is an error before the first cell runs, naming the key and the values."""
        constant: dict[str, int] = {}
        for index, pt, qt, p_spec, q_spec, values in self.expansions():
            kp = self._alphabet(p_spec, "p", self.p.index(pt), pt, values, constant)
            kq = self._alphabet(q_spec, "q", self.q.index(qt), qt, values, constant)
            if kp != kq:
                raise GridError(f"{self.path}: cell p = {p_spec!r}, q = {q_spec!r}{_where(values)}: the alphabets "
                                f"differ (K = {kp} and {kq}); p and q of a cell must have the same number of symbols")
            if kp ** max(self.block) > 2**20:
                raise GridError(f"{self.path}: block = {max(self.block)} with K = {kp} (p = {p_spec!r}) codes "
                                f"{kp}^{max(self.block)} tuples; at most 2^20 are allowed")
            if progress is not None:
                progress(len(self.block) * len(self.n))

    def _alphabet(self, spec, key, i, template, values, constant) -> int:
        if spec in constant:
            return constant[spec]
        try:
            k = len(parse_distribution(spec, name=key))
        except CodebookError as exc:
            shown = f"{template!r}" + (f" -> {spec!r}" if spec != template else "")
            raise GridError(f"{self.path}: {key}[{i}] = {shown}{_where(values)}: {exc}") from None
        if spec == template or len(constant) < 4096:  # constant specs are parsed once; memory stays bounded
            constant[spec] = k
        return k

    def task(self, cell: Cell) -> Task:
        """The experiment of ``cell`` (specs parsed here, in the process that submits it)."""
        values = dict(cell.values)
        x = cell.n if self.x == "n" else cell.block if self.x == "block" else values.get(self.x)
        return Task(cell.label, parse_distribution(cell.p, name="p"), parse_distribution(cell.q, name="q"),
                    self.coders, cell.n, self.trials, x=float(x) if x is not None else None, block=cell.block,
                    p_spec=cell.p, q_spec=cell.q)


def _where(values: dict) -> str:
    return " (" + ", ".join(f"{k} = {v!r}" for k, v in values.items()) + ")" if values else ""


def _replace(grid: Grid, **changes) -> Grid:
    import dataclasses

    return dataclasses.replace(grid, **changes)


def _placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def _format(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _substitute(template: str, values: dict, p_spec: str | None = None) -> str:
    def one(m):
        name = m.group(1)
        if name == "p":
            return p_spec
        return _format(values[name])

    return PLACEHOLDER.sub(one, template)


# ------------------------------------------------------------------------------------------ reading


def load_grid(path: str | os.PathLike) -> Grid:
    """Read and validate a grid file; :class:`GridError` names the file, the key and the value."""
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise GridError(f"{path}: cannot read the grid file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise GridError(f"{path}: not a UTF-8 text file ({exc.reason} at byte {exc.start})") from None
    return parse_grid(text, path)


def parse_grid(text: str, path: str = "grid.toml") -> Grid:
    """Validate the TOML ``text`` of a grid file (``path`` is only used in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GridError(f"{path}: not valid TOML: {exc}") from None
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise GridError(f"{path}: unknown key {unknown[0]!r}; a grid file has the keys {', '.join(KEYS)} "
                        "(see docs/grids.md)")
    for key in ("name", "coders", "p", "q", "n"):
        if key not in data:
            raise GridError(f"{path}: the key {key!r} is missing; a grid needs at least name, coders, p, q and n "
                            "(see docs/grids.md)")
    name = _text(data["name"], "name", path)
    if not NAME.match(name):
        raise GridError(f"{path}: name must start with a letter and hold only letters, digits, '.', '_', '-'; "
                        f"got {name!r}")
    axes = _axes(data.get("axes", {}), path)
    grid = Grid(
        name=name,
        title=_text(data.get("title", ""), "title", path, empty=True),
        description=_text(data.get("description", ""), "description", path, empty=True),
        coders=_coders(data["coders"], path),
        p=_specs(data["p"], "p", path),
        q=_specs(data["q"], "q", path),
        n=tuple(_whole(v, k, path, minimum=1) for k, v in _listed(data["n"], "n", path)),
        trials=_whole(data.get("trials", 1), "trials", path, minimum=1),
        seed=_whole(data.get("seed", 0), "seed", path, minimum=0),
        seeds=_seed_range(data["seeds"], path) if "seeds" in data else None,
        block=tuple(_whole(v, k, path, minimum=1) for k, v in _listed(data.get("block", 1), "block", path)),
        axes=axes,
        source=text, path=path,
    )
    _unique(grid.n, "n", path)
    _unique(grid.block, "block", path)
    for n in grid.n:
        for b in grid.block:
            if n % b:
                raise GridError(f"{path}: n = {n} is not a multiple of block = {b}; every n must be a multiple of "
                                "every block length (a message is n/k tuples of k symbols)")
    _check_placeholders(grid, path)
    x = _text(data["x"], "x", path) if "x" in data else _default_x(grid)
    choices = ["n", "block"] + [a for a, v in axes if all(_number(u) for u in v)] + \
        (["seed"] if grid.seeds else []) + list(MEASURES)
    if x not in choices:
        raise GridError(f"{path}: x = {x!r} is not a number the figures can use as their horizontal axis; "
                        f"choose one of {', '.join(choices)}")
    return _replace(grid, x=x)


def _default_x(grid: Grid) -> str:
    """The first coordinate with several values (n, block, a numeric axis), else H(p,q)."""
    if len(grid.n) > 1:
        return "n"
    if len(grid.block) > 1:
        return "block"
    for a, values in grid.axes:
        if len(values) > 1 and all(_number(v) for v in values):
            return a
    return "H_pq"


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _text(value, key: str, path: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise GridError(f"{path}: {key} must be a {'' if empty else 'non-empty '}string; got {value!r}")
    return value


def _listed(value, key: str, path: str) -> list[tuple[str, Any]]:
    """A scalar or a non-empty list, as (key as written, value) pairs: ``n``, ``n[1]``."""
    if isinstance(value, list):
        if not value:
            raise GridError(f"{path}: {key} must not be an empty list")
        return [(f"{key}[{i}]", v) for i, v in enumerate(value)]
    return [(key, value)]


def _whole(value, key: str, path: str, *, minimum: int) -> int:
    """A whole number >= minimum; TOML floats such as 1e6 are accepted when they are whole."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not (math.isfinite(value) and value.is_integer())):
        raise GridError(f"{path}: {key} must be a whole number >= {minimum}; got {value!r}")
    if value < minimum:
        raise GridError(f"{path}: {key} must be a whole number >= {minimum}; got {value!r}")
    return int(value)


def _unique(values, key: str, path: str) -> None:
    seen = set()
    for i, v in enumerate(values):
        if v in seen:
            raise GridError(f"{path}: {key}[{i}] = {v!r} appears twice in {key}; list each value once")
        seen.add(v)


def _specs(value, key: str, path: str) -> tuple[str, ...]:
    out = []
    for where, v in _listed(value, key, path):
        if not isinstance(v, str) or not v.strip():
            raise GridError(f"{path}: {where} must be a distribution spec string such as \"zipf:16:1.1\"; got {v!r}")
        if v.count("{") != v.count("}"):
            raise GridError(f"{path}: {where} = {v!r}: unbalanced braces; placeholders are written {{name}}")
        out.append(v.strip())
    _unique(out, key, path)
    return tuple(out)


def _seed_range(value, path: str) -> tuple[int, int]:
    if isinstance(value, list):
        if len(value) != 2:
            raise GridError(f"{path}: seeds must be [START, STOP] ({{seed}} takes range(START, STOP)) or a count N; "
                            f"got {value!r}")
        start = _whole(value[0], "seeds[0]", path, minimum=0)
        stop = _whole(value[1], "seeds[1]", path, minimum=0)
        if stop <= start:
            raise GridError(f"{path}: seeds = [{start}, {stop}] is empty; STOP must be larger than START")
        return start, stop
    return 0, _whole(value, "seeds", path, minimum=1)


def _axes(value, path: str) -> tuple[tuple[str, tuple], ...]:
    if not isinstance(value, dict):
        raise GridError(f"{path}: axes must be a table of lists, as [axes] K = [16, 256]; got {value!r}")
    out = []
    for name, values in value.items():
        if not AXIS_NAME.match(name) or name in RESERVED:
            raise GridError(f"{path}: axes.{name}: an axis name is a letter or '_' then letters, digits, '_', and "
                            f"none of {', '.join(sorted(RESERVED))}")
        if not isinstance(values, list) or not values:
            raise GridError(f"{path}: axes.{name} must be a non-empty list of values; got {values!r}")
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, (int, float, str)) or \
                    (isinstance(v, float) and not math.isfinite(v)):
                raise GridError(f"{path}: axes.{name}[{i}] must be a number or a string; got {v!r}")
        _unique(values, f"axes.{name}", path)
        out.append((name, tuple(values)))
    return tuple(out)


def _coders(value, path: str) -> tuple[CoderSpec, ...]:
    items = _listed(value, "coders", path)
    out = []
    for where, v in items:
        if isinstance(v, str):
            name, options, label = v.strip(), {}, ""
        elif isinstance(v, dict):
            if not isinstance(v.get("name"), str):
                raise GridError(f"{path}: {where} needs a string key 'name', as {{name = \"rans\", precision = 12}}; "
                                f"got {v!r}")
            options = {k: o for k, o in v.items() if k not in ("name", "label")}
            name, label = v["name"].strip(), v.get("label", "")
            if not isinstance(label, str):
                raise GridError(f"{path}: {where}.label must be a string; got {label!r}")
        else:
            raise GridError(f"{path}: {where} must be a coder name or a table {{name = ..., OPTION = ...}}; got {v!r}")
        try:
            coder_registry.info(name)
        except CodebookError as exc:
            raise GridError(f"{path}: {where}: {exc}") from None
        for k, o in options.items():
            if isinstance(o, (dict, list)):
                raise GridError(f"{path}: {where}.{k} must be a single value; got {o!r}")
        try:  # option names and values a 2-symbol model already refuses are errors of the file
            coder_registry.build(name, Distribution.uniform(2), **options)
        except ValueError as exc:
            raise GridError(f"{path}: {where} ({name}): {exc}") from None
        except (TypeError, OverflowError) as exc:
            raise GridError(f"{path}: {where} ({name}): bad option value: {exc}") from None
        out.append(CoderSpec(name, tuple(sorted(options.items())), label))
    shown = [c.display for c in out]
    for i, s in enumerate(shown):
        if s in shown[:i]:
            raise GridError(f"{path}: coders[{i}] ({s}) appears twice; give each coder once (or a distinct label)")
    return tuple(out)


def _check_placeholders(grid: Grid, path: str) -> None:
    known = {a for a, _ in grid.axes} | ({"seed"} if grid.seeds else set())
    used: set[str] = set()
    for key, specs in (("p", grid.p), ("q", grid.q)):
        for i, spec in enumerate(specs):
            for name in _placeholders(spec):
                if name == "p" and key == "q":
                    continue
                if name == "seed" and not grid.seeds:
                    raise GridError(f"{path}: {key}[{i}] = {spec!r} uses {{seed}} but the grid has no seeds; add "
                                    "seeds = [START, STOP] ({seed} takes every value of range(START, STOP))")
                if name not in known:
                    names = sorted(known) + (["p (in q only)"] if key == "q" else [])
                    raise GridError(f"{path}: {key}[{i}] = {spec!r}: unknown placeholder {{{name}}}"
                                    + (f"; known: {', '.join('{' + n + '}' for n in names)}" if names else
                                       "; declare it under [axes] (see docs/grids.md)"))
                used.add(name)
    for name in sorted(known - used):
        what = "seeds" if name == "seed" else f"axes.{name}"
        raise GridError(f"{path}: {what} is declared but no spec uses {{{name}}}")


# ------------------------------------------------------------------------------------------ one cell


def run_cell(task: Task, seed: tuple[int, ...], index: int, family: int) -> str:
    """Run one cell (in a worker) and return its journal line: JSON, one line, ending in a newline.

    Top-level and self-contained, so any backend can ship it; the line carries the cell index
    first (``{"i":INDEX,...``) so a journal can be indexed without parsing whole lines.
    """
    from .report import compact

    result = run_experiment(task.p, task.q, task.coders, task.n, task.trials, seed, block=task.block,
                            label=task.label, p_spec=task.p_spec, q_spec=task.q_spec, x=task.x, family_size=family)
    body = json.dumps(jsonable({"e": compact(result), "s": [s["statement"] for s in result.summaries]}),
                      separators=(",", ":"))
    return f'{{"i":{index},{body[1:]}\n'


# ------------------------------------------------------------------------------------------ the run


@dataclass
class RunInfo:
    """What :func:`run_grid` did: cells in the grid, already done before, computed now, where."""

    cells: int
    done_before: int
    computed: int = 0
    backend: str = ""
    dashboard: str | None = None
    finished_already: bool = False
    summary: Any = None  # a grid_report.Summary once the report is written


class Journal:
    """The append-only journal of finished cells: one JSON line per cell, any order.

    ``offsets[i]`` is the byte offset of cell i's line (-1 while not done): 8 bytes per cell,
    the only per-cell memory of a run. A line cut short by a kill is dropped on opening.
    """

    def __init__(self, path: Path, cells: int):
        self.path = path
        self.offsets = np.full(cells, -1, dtype=np.int64)
        self.done = 0
        if path.exists():
            self._scan()
        self._fh = open(path, "ab")
        self._synced = time.monotonic()

    def _scan(self) -> None:
        good = 0
        with open(self.path, "rb") as fh:
            pos = 0
            for line in fh:
                if not line.endswith(b"\n"):
                    break  # the last line, cut short by a kill: computed again
                head = line[:32]
                try:
                    i = int(head[5:head.index(b",")]) if head.startswith(b'{"i":') else -1
                except ValueError:
                    i = -1
                if not 0 <= i < len(self.offsets):
                    raise GridError(f"{self.path}: line at byte {pos} is not a cell of this grid; the journal is "
                                    "damaged (delete the folder's .grid to start over)")
                if self.offsets[i] < 0:
                    self.offsets[i] = pos
                    self.done += 1
                pos += len(line)
                good = pos
        if good != self.path.stat().st_size:
            with open(self.path, "r+b") as fh:
                fh.truncate(good)

    def add(self, line: str) -> None:
        data = line.encode()
        i = int(data[5:data.index(b",")])
        self.offsets[i] = self._fh.tell()
        self._fh.write(data)
        self._fh.flush()
        self.done += 1
        now = time.monotonic()
        if now - self._synced > 1.0:  # on disk at least once a second, even through a power cut
            os.fsync(self._fh.fileno())
            self._synced = now

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()

    def lines(self) -> Iterator[bytes]:
        """Every cell's line, in cell order."""
        with open(self.path, "rb") as fh:
            for offset in self.offsets:
                fh.seek(int(offset))
                yield fh.readline()


def _state(grid: Grid, command: str) -> dict:
    from .report import versions

    return {"format": FORMAT_VERSION, "digest": grid.digest(), "seed": grid.seed, "cells": len(grid),
            "versions": versions(), "command": command}


REPORT_FILES = ("report.md", "results.csv", "results.json")


def folder_status(out: Path, grid: Grid, command: str, *, resume: bool, force: bool) -> str:
    """What to do with ``out``: ``"new"``, ``"resume"`` or ``"finished"`` (nothing left to do).
    Only looks: nothing is written until the backend is up (:func:`start_folder`).

    The overwrite policy: a folder with an interrupted run needs ``resume`` (continue) or
    ``force`` (start over); a folder with anything else needs ``force``, and then only the
    report's own files are replaced.
    """
    state_dir = out / STATE_DIR
    state_file = state_dir / "state.json"
    if out.exists() and not out.is_dir():
        raise GridError(f"--out {out}: exists and is not a folder")
    if state_file.exists() and not force:
        if not resume:
            raise GridError(f"--out {out}: holds an interrupted run of a grid; add --resume to continue it, "
                            "or --force to start it over")
        try:
            old = json.loads(state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GridError(f"{state_file}: unreadable ({exc}); use --force to start over") from None
        new = _state(grid, command)
        if old.get("format") != FORMAT_VERSION or old.get("digest") != new["digest"] or old.get("seed") != grid.seed:
            raise GridError(f"--out {out}: was started with another grid or seed ({old.get('command', '?')}); "
                            "resume it with the same grid file and seed, or use --force to start over")
        if old.get("versions") != new["versions"]:
            changed = [f"{k} {old['versions'].get(k)} -> {v}" for k, v in new["versions"].items()
                       if old["versions"].get(k) != v]
            raise GridError(f"--out {out}: was started with other package versions ({', '.join(changed)}); its "
                            "numbers could differ in the last digit from this installation's; use --force to start over")
        return "resume"
    if out.exists() and any(out.iterdir()) and not force:
        if resume and (out / "report.md").exists() and not state_dir.exists():
            return "finished"
        raise GridError(f"--out {out}: exists and is not empty; use --force to replace its report, "
                        "or choose another folder")
    return "new"


def start_folder(out: Path, grid: Grid, command: str) -> None:
    """Create ``out/.grid`` with the run's state (grid digest, seed, versions); drop an old one."""
    state_dir = out / STATE_DIR
    if state_dir.exists():
        shutil.rmtree(state_dir)
    state_dir.mkdir(parents=True)
    (state_dir / "state.json").write_text(json.dumps(_state(grid, command), indent=1) + "\n", encoding="utf-8")


@contextlib.contextmanager
def _locked(state_dir: Path):
    """One run per folder: a second run on the same folder fails at once instead of mixing journals."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(state_dir / "lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise GridError(f"{state_dir.parent}: another codebook run is writing to this folder") from None
        yield


def run_grid(
    grid: Grid,
    out: str | os.PathLike,
    *,
    command: str,
    workers: int = 1,
    dask: str | None = None,
    backend: Backend | None = None,
    resume: bool = False,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[RunInfo], None] | None = None,
) -> RunInfo:
    """Run every cell of ``grid`` not yet in ``out``'s journal, then write the report folder.

    ``command`` is the command line recorded in the report (it must not mention the backend,
    so every backend writes the same bytes). Cells run on ``backend``, or else on Dask
    (``dask="local:N"`` or a scheduler address) or ``workers`` local processes. ``on_start``
    gets the :class:`RunInfo` once the backend is up (cells done before, dashboard), and
    ``progress(1)`` is called per finished cell. On an interruption (KeyboardInterrupt) or an
    error, the cells already finished stay in the journal for ``resume=True``.
    """
    from . import grid_report

    out = Path(out)
    grid.check_specs()
    status = folder_status(out, grid, command, resume=resume, force=force)
    info = RunInfo(cells=len(grid), done_before=len(grid) if status == "finished" else 0,
                   finished_already=status == "finished")
    if status == "finished":
        return info
    state_dir = out / STATE_DIR
    with contextlib.ExitStack() as stack:
        if status == "new":  # the backend is up before the folder is touched: a bad address leaves nothing
            if backend is None:
                backend = stack.enter_context(make_backend(workers, dask, calls=len(grid)))
            start_folder(out, grid, command)
        stack.enter_context(_locked(state_dir))
        journal = Journal(state_dir / "cells.jsonl", len(grid))
        stack.callback(journal.close)
        info.done_before = journal.done
        if backend is None and journal.done < len(grid):
            backend = stack.enter_context(make_backend(workers, dask, calls=len(grid) - journal.done))
        info.backend = backend.description if backend is not None else ""
        info.dashboard = backend.dashboard if backend is not None else None
        if on_start is not None:
            on_start(info)
        if journal.done < len(grid):
            family, seeded = grid.family_size, (grid.seed,)
            calls = ((cell.index, (grid.task(cell), (*seeded, *cell.key), cell.index, family))
                     for cell in grid.cells() if journal.offsets[cell.index] < 0)
            for _, line in backend.imap_unordered(run_cell, calls):
                journal.add(line)
                info.computed += 1
                if progress is not None:
                    progress(1)
        journal.close()
        info.summary = grid_report.write(out, grid, command, journal)
    shutil.rmtree(state_dir)
    return info


__all__ = ["Cell", "Grid", "GridError", "RunInfo", "cell_key", "load_grid", "parse_grid", "run_cell", "run_grid"]
