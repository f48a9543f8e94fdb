"""The click group every subcommand is added to."""

from __future__ import annotations

import click

from .. import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="codebook")
def cli() -> None:
    """codebook: build a code from q, encode data from p, count the bits against H(p, q).

    \b
    Examples:
      codebook simulate                      # every coder on the default experiment, verified
      codebook sweep --list                  # the catalogue of experiments
      codebook measure --p zipf:256:1.1 --q "mix(zipf:256:1.1, uniform:256, 0.3)"
      codebook code --q 0.4,0.3,0.2,0.1 --coder huffman --p 0.1,0.2,0.3,0.4
      codebook compress in.txt out.cbk --model-from train.txt

    Distributions are given as specs (see 'codebook measure --help'); numbers are in bits.
    """
