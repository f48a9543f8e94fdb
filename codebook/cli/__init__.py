"""The ``codebook`` command line: one click group; subcommands mirror the library's verbs.

Thin by design: parse, call the library, print. Every error a user can cause ends as one line
on stderr and a non-zero exit (1 for bad data, 2 for bad usage), never a traceback. Commands
are imported on first use (:mod:`codebook.cli.main_group`), so ``codebook --help`` and usage
errors answer at once; shared options live in :mod:`codebook.cli.options`, progress on stderr
in :mod:`codebook.cli.progress`.
"""

from __future__ import annotations

import sys

from .. import __version__
from .errors import run_cli
from .main_group import cli


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``codebook``)."""
    sys.exit(run_cli(cli, argv))


__all__ = ["cli", "main", "__version__"]
