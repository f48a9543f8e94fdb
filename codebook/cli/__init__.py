"""The ``codebook`` command line: one click group; subcommands mirror the library's verbs.

Thin by design: parse, call the library, print. Every error a user can cause ends as one line
on stderr and a non-zero exit (1 for bad data, 2 for bad usage), never a traceback.
"""

from __future__ import annotations

import sys

from .. import __version__
from .code import code
from .compress import compress, decompress
from .main_group import cli
from .measure import measure
from .errors import run_cli
from .simulate import simulate, sweep
from .theory import theory

cli.add_command(measure)
cli.add_command(code)
cli.add_command(simulate)
cli.add_command(sweep)
cli.add_command(compress)
cli.add_command(decompress)
cli.add_command(theory)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``codebook``)."""
    sys.exit(run_cli(cli, argv))


__all__ = ["cli", "main", "__version__"]
