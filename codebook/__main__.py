"""``python -m codebook`` runs the command line, as the ``codebook`` script does."""

from .cli import main

main()
