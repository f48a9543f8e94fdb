"""Experiments on codebook's coders: repeated seeded runs, sweeps, verdicts against docs/theory.md, reports.

``simulations`` builds on ``codebook`` (never the other way round):

* :mod:`simulations.experiment`: one experiment, (p, q, coders, n, trials, seed) -> records;
* :mod:`simulations.verdicts`: the checks of a record against the theory, as pure functions;
* :mod:`simulations.stats`: normal quantiles, family-wise (Bonferroni) levels;
* :mod:`simulations.sweep`: many experiments on a backend, identical for any worker count;
* :mod:`simulations.backends`: where they run (this process, local processes, Dask);
* :mod:`simulations.grid`, :mod:`simulations.grid_report`: user grid files (``sweep --grid``),
  streamed to disk and resumable (``docs/grids.md``);
* :mod:`simulations.catalog`: the named sweeps (``codebook sweep --list``);
* :mod:`simulations.figures`: the matplotlib figures (Agg), theory lines next to measurements;
* :mod:`simulations.report`: Markdown, JSON, CSV and PNG figures in one folder.

Record columns and verdict logic: ``docs/simulations.md``.
"""
