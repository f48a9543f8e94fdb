"""``codebook simulate`` for sources and models with memory (``--p markov:...``, ``--model``).

Thin, like the rest of the CLI: parse the source and the model, run
:func:`simulations.sequence.run_sequence_experiment`, print its table or write its report.
"""

from __future__ import annotations

import shlex

import click

from . import progress
from .options import check_work
from .output import WIDTH, exit_if_inconsistent, fmt_bits, in_units, table, wrap

MODEL_HELP = (
    "What the coders believe: 'static' (the i.i.d. q of --q, the default), 'true' (the source's own "
    "chain) or 'context:K' (an adaptive order-K context model with KT counts; --prior A sets its pseudo-count, "
    "a multiple of 2**-16). With a model "
    "other than static only the coders that follow a model run (arithmetic, rans)."
)


def simulate_sequence(p_spec, q_spec, q_given: bool, model_name, coder, n, trials, seed, precision, prior, fmt, units,
                      out_dir, quiet, specs_for) -> None:
    """Run and print one sequence experiment (``specs_for(names, precision, prior)`` builds the
    coder specs exactly as the i.i.d. path does)."""
    from simulations.sequence import ModelNameError, default_coders, parse_model_name

    from ..spec import parse_distribution, parse_source

    try:
        kind, _ = parse_model_name(model_name)
    except ModelNameError as exc:
        raise click.BadParameter(str(exc), param_hint="'--model'") from None
    names = coder or default_coders(model_name)
    check_work(n * trials * len(names), "this run")
    opts = dict(precision=precision, prior=None if kind == "context" else prior)
    specs = specs_for(names, **opts)
    source = parse_source(p_spec, name="p")
    if q_given or kind == "static" and source.order == 0:
        q = parse_distribution(q_spec, name="q")
    else:
        q = source.marginal()  # the best i.i.d. model of the source
        q_spec = "the source's stationary marginal (the best i.i.d. q)"
    if len(q) != source.alphabet_size:
        raise click.BadParameter(f"q has {len(q)} symbols but the source has {source.alphabet_size}", param_hint="'--q'")

    from simulations.experiment import VerificationError
    from simulations.sequence import run_sequence_experiment

    progress.compile_coders(names, quiet=quiet)
    try:
        with progress.bar(trials, f"simulate ({len(names)} coder{'s' * (len(names) > 1)}, n = {n})", quiet=quiet) as bar:
            result = run_sequence_experiment(source, model_name, q, specs, n, trials, seed,
                                             prior=prior if prior is not None else 0.5, p_spec=p_spec,
                                             q_spec=q_spec if kind == "static" else "", progress=bar.update)
    except VerificationError as exc:
        raise click.ClickException(f"verification failed: {exc}") from None
    command = ["codebook", "simulate", "--p", p_spec, "--model", model_name, "--coder", ",".join(names),
               "--n", str(n), "--trials", str(trials), "--seed", str(seed)]
    if q_given:
        command[4:4] = ["--q", q_spec]
    command += (["--precision", str(precision)] if precision is not None else []) + \
               (["--prior", f"{prior:g}"] if prior is not None else [])
    command_text = shlex.join(command)
    from .output import print_result

    print_result(result, command_text, fmt, lambda: sequence_table(result, units))
    if out_dir:
        from simulations.report import write_report

        write_report(out_dir, title="codebook simulate: verification report (a source with memory)",
                     description=f"Messages of n = {n} symbols drawn from the source `{p_spec}` (stationary from the "
                                 f"start), coded with the model {result.q_spec}, {trials} trials per coder, every "
                                 "bitstream decoded and compared. In the tables below H(p) is the source's entropy "
                                 "rate and H(p,q) the model's cross-entropy rate.",
                     command=command_text,
                     seed_note=f"master seed {seed}; trial t samples with numpy SeedSequence([{seed}, t]) on PCG64.",
                     results=[result], figures=lambda rs, out: [])
        if not quiet:
            click.echo(f"report written to {out_dir}", err=True)
    exit_if_inconsistent([result], "simulate")


def sequence_table(result, units: str = "bits") -> str:
    """The verification table of a sequence experiment (one row per coder)."""
    u = units

    def v(x):
        return "n/a" if x is None or x != x else f"{fmt_bits(in_units(x, u))} {u}"

    def num(x):
        return "-" if x is None else fmt_bits(in_units(x, u))

    rows = []
    for s in result.summaries:
        ci = f"+- {fmt_bits(in_units(s['ci_half'], u))}" if s["ci_half"] is not None else ""
        rows.append([s["coder"], num(s["bits_per_symbol"]), ci, num(s["expected"]), num(s["bound_low"]), s["verdict"]])
    lines = [f"source = {result.p_spec}   model = {result.q_spec}",
             f"K = {result.alphabet_size}   n = {result.n}   trials = {result.trials}   seed = {result.seed[0]}",
             f"H rate = {v(result.H_p)}   H(X) = {v(result.H_q)}   cross-entropy rate of the model = {v(result.H_pq)}",
             "",
             table(["coder", f"{u}/symbol", "95% CI", "exact E[ideal]/n", "floor H(X^n)/n", "verdict"], rows)]
    for item in result.skipped:
        lines.append(f"{item['coder']}: not run: {item['reason']}")
    lines.append("")
    lines.append(f"Every message is checked exactly against its coder's window; the mean over messages (the "
                 f"independent unit: symbols within a message are dependent) against the exact expectation and "
                 f"the floor H(X^n)/n, by Student's t at family-wise level {result.family_alpha:g} (Bonferroni over "
                 f"{result.intervals_judged} intervals).")
    for s in result.summaries:
        if s["verdict"] != "consistent":
            lines.append(f"{s['coder']}: {s['reason']}")
    return "\n".join(line if len(line) <= WIDTH else wrap(line, indent="") for line in "\n".join(lines).splitlines())


__all__ = ["MODEL_HELP", "sequence_table", "simulate_sequence"]
