"""What a catalogue sweep is: :class:`SweepDef`, and the usage error a sweep's parameters raise.

A sweep (``codebook sweep NAME``) reproduces one claim of docs/theory.md. Its :class:`SweepDef`
says what it shows (``describe``, Markdown for the report), which parameters a user may override
from the command line (``defaults``; ``quick``: their ``--quick`` values; ``notes``: what each one
means in this sweep), how to build its tasks (``make_tasks(seed, quick, params)``), how to draw
its figures and which findings to state in words.

This module sits below the catalogue (:mod:`simulations.catalog`, which collects the sweeps into
``CATALOG`` and re-exports these names) and the sub-catalogues that define sweeps of their own
(:mod:`simulations.sequence_catalog`, :mod:`simulations.families_catalog`), so each of them
imports it and none imports the catalogue. Standard library only: cheap to import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .experiment import ExperimentResult
    from .sweep import Task


class SweepParameterError(ValueError):
    """A sweep parameter the sweep does not have, or a combination it cannot run (a usage error)."""


@dataclass(frozen=True)
class SweepDef:
    name: str
    title: str
    summary: str
    describe: Callable[[dict], str]
    make_tasks: Callable[[int, bool, dict], list[Task]]
    figures: Callable[[list[ExperimentResult], Path], list[tuple[str, str]]]
    findings: Callable[[list[ExperimentResult]], list[str]] = lambda results: []
    defaults: dict[str, Any] = field(default_factory=dict)
    quick: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def parameters(self, quick: bool = False, **overrides) -> dict[str, Any]:
        """The sweep's parameters: defaults, then the --quick values, then ``overrides``
        (``None`` = not given). A parameter the sweep does not have is a ValueError naming
        the ones it has."""
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = [k for k in given if k not in self.defaults]
        if unknown:
            has = ", ".join(f"--{k}" for k in self.defaults) or "none"
            raise SweepParameterError(f"sweep {self.name!r} has no parameter {', '.join('--' + k for k in unknown)} "
                                      f"(its parameters: {has})")
        return {**self.defaults, **(self.quick if quick else {}), **given}

    def tasks(self, seed: int, quick: bool = False, **overrides) -> list[Task]:
        return self.make_tasks(seed, quick, self.parameters(quick, **overrides))

    def description(self, quick: bool = False, **overrides) -> str:
        return self.describe(self.parameters(quick, **overrides))

    def help(self) -> str:
        """The parameters and their defaults, one per line (``codebook sweep --list``)."""
        return "\n".join(f"--{k} {self.defaults[k]} (quick: {self.quick.get(k, self.defaults[k])}): {self.notes.get(k, '')}"
                         for k in self.defaults)


def lazy_figure(module: str, name: str):
    """The figure function ``name`` of ``simulations.<module>``, imported when first drawn
    (building the catalogue imports no matplotlib)."""
    def draw(results, out):
        import importlib

        return getattr(importlib.import_module(f"simulations.{module}"), name)(results, out)

    return draw


__all__ = ["SweepDef", "SweepParameterError", "lazy_figure"]
