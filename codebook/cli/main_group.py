"""The click group every subcommand is added to, loading each command's module on first use.

``codebook --help`` and a usage error must answer at once, so the group knows its commands by
name, module and one-line summary (:data:`COMMANDS`) and imports a command's module (NumPy,
the coders, matplotlib, ...) only when that command runs or shows its own help.

To add a command: write ``codebook/cli/NAME.py`` with a click command, and add one line to
:data:`COMMANDS` (name, ``"module:attribute"``, summary). The summary is what ``codebook
--help`` lists; a test checks that it is the command's own first docstring line. (A command
object may also be added eagerly with ``cli.add_command``.)
"""

from __future__ import annotations

import importlib

import click

from .. import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("codebook.cli.simulate:simulate",
                 "Encode seeded messages from p with codes built from q; verify every bit against theory."),
    "sweep": ("codebook.cli.sweep:sweep",
              "Run a named experiment from the catalogue (see --list), or your own grid (--grid), and report it."),
    "measure": ("codebook.cli.measure:measure", "H(p), H(q), H(p,q), H(q,p), D(p||q) and D(q||p) of two distributions."),
    "code": ("codebook.cli.code:code", "The code table (symbol, q, length, codeword), Kraft sum and expected lengths."),
    "compress": ("codebook.cli.compress:compress",
                 "Compress IN to OUT; '-' = stdin/stdout. The default model is cm (context mixing)."),
    "decompress": ("codebook.cli.compress:decompress",
                   "Decompress IN (written by 'codebook compress') to OUT; '-' = stdin/stdout."),
    "theory": ("codebook.cli.theory:theory",
               "Print a section of the theory that verdicts cite (\"theory §d\" is SECTION d), offline."),
}
"""name -> ("module:attribute", one-line summary), in the order ``codebook --help`` lists them."""


class LazyGroup(click.Group):
    """A click group whose commands are imported when first used (see the module docstring)."""

    def list_commands(self, ctx):
        return list(COMMANDS) + [name for name in super().list_commands(ctx) if name not in COMMANDS]

    def get_command(self, ctx, name):
        if name in self.commands or name not in COMMANDS:
            return super().get_command(ctx, name)
        module, attribute = COMMANDS[name][0].split(":")
        command = getattr(importlib.import_module(module), attribute)
        self.add_command(command, name)
        return command

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][1] if name in COMMANDS and name not in self.commands
                 else self.commands[name].get_short_help_str(limit=formatter.width))
                for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="codebook")
def cli() -> None:
    """codebook: build a code from q, encode data from p, count the bits against H(p, q).

    \b
    Examples:
      codebook simulate                      # every coder on the default experiment, verified
      codebook sweep --list                  # the catalogue of experiments
      codebook sweep --grid my.toml --out runs/my  # your own grid of experiments (docs/grids.md)
      codebook measure --p zipf:256:1.1 --q "mix(zipf:256:1.1, uniform:256, 0.3)"
      codebook code --q 0.4,0.3,0.2,0.1 --coder huffman --p 0.1,0.2,0.3,0.4
      codebook compress in.txt out.cbk --model-from train.txt

    Distributions are given as specs (see 'codebook measure --help'); numbers are in bits
    unless --units nats. Exit status: 0 ok, 1 bad data, 2 usage error, 3 a verdict is "not
    consistent", 130 interrupted.
    """
