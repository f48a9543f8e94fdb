"""``codebook simulate``: one verified experiment.

Thin: parse the options, run :mod:`simulations`, print the verification table or write the
report folder. Nothing random happens without a seed; the recorded command line reproduces
every number. Heavy modules (the simulations, matplotlib) are imported only once the options
are known to be valid.
"""

from __future__ import annotations

import shlex

import click

from ..spec import SOURCE_HELP, SPEC_HELP
from .sequence import MODEL_HELP
from . import progress
from .options import (FORCE, FORMAT, PRECISION, PRIOR, QUIET, SEED, UNITS, build_options, check_out_dir,
                      check_work, coder_option, n_option, out_option, split_coder, trials_option)
from .output import (WIDTH, exit_if_inconsistent, fmt_bits, in_units, print_result, verdict_notes,
                     verification_table, wrap)

DEFAULT_P = "zipf:256:1.1"
DEFAULT_Q = "mix(zipf:256:1.1, uniform:256, 0.3)"
DEFAULT_N = 1_000_000
DEFAULT_TRIALS = 10


def check_units(units: str, fmt: str) -> None:
    """Records (JSON, CSV, report files) are always in bits: their column names say so."""
    if units != "bits" and fmt != "table":
        raise click.UsageError(f"--units {units} changes the printed table only; --format {fmt} records are "
                               "always in bits (their fields are named so)")


def coder_specs(names: list[str], precision: int | None, prior: float | None) -> list:
    """The coders to run, with the build options each one takes (a usage error names an option
    that none of them takes, or a value a coder refuses)."""
    from simulations.experiment import CoderSpec

    parsed = [split_coder(entry) for entry in names]  # 'huffman(arity=3)': options written with the name win
    options = build_options([name for name, _ in parsed], precision, prior)
    return [CoderSpec(name, tuple(sorted({**options[name], **own}.items()))) for name, own in parsed]


def build_flags(precision: int | None, prior: float | None) -> list[str]:
    """The build options as they appear in a recorded command."""
    return (["--precision", str(precision)] if precision is not None else []) + \
           (["--prior", f"{prior:g}"] if prior is not None else [])


def verification_failed(exc) -> click.ClickException:
    return click.ClickException(f"verification failed: {exc}")


@click.command()
@click.option("--p", "p_spec", default=DEFAULT_P, show_default=True, metavar="SPEC",
              help="Where the data come from: " + SOURCE_HELP)
@click.option("--q", "q_spec", default=DEFAULT_Q, show_default=True, metavar="SPEC",
              help="Distribution the codes are built from (a distribution spec; for a Markov source the default is "
                   "the source's own stationary marginal). " + SPEC_HELP)
@click.option("--model", "model", default="static", show_default=True, metavar="NAME", help=MODEL_HELP)
@coder_option(help_intro="Coders to run, a comma list (default: the coders built from q; the code families, such as "
              "golomb, elias-delta, tunstall or lz78, run when named). A coder may carry build options in "
              "parentheses, which win over --precision / --prior: 'huffman(arity=3)', 'huffman(max_length=12)', "
              "'rans(precision=12)'.")
@n_option(DEFAULT_N)
@trials_option(DEFAULT_TRIALS)
@SEED
@PRECISION
@PRIOR
@FORMAT
@UNITS
@out_option("Also write report.md, results.json, results.csv and a figure into DIR.")
@FORCE
@QUIET
def simulate(p_spec, q_spec, model, coder, n, trials, seed, precision, prior, fmt, units, out_dir, force, quiet):
    """Encode seeded messages from p with codes built from q; verify every bit against theory.

    Each coder encodes and decodes the same messages (decode must return the original).
    Prefix codes are checked exactly (bits = Σ n_x l(x)) and their bits/symbol against the
    exact E_p[l]; stream and adaptive coders message by message against their ideal length plus
    their documented overhead, and the ideal length against its exact expectation. Verdicts
    use a family-wise (Bonferroni) level with tests valid for every n (theory §i); the interval
    column is a 95 % interval for the exact expectation. Theory: 'codebook theory' or
    docs/theory.md.

    A source with memory (--p markov:...) or a model other than the static q
    (--model true, context:K) runs a sequence experiment: every message within
    its coder's window around the model's log-loss, the mean over messages
    (the independent unit) against the exact expectation and the floor
    H(X^n)/n (theory §l).

    Limits, checked before any work: n <= 1e8 symbols, trials <= 1e5, and n x trials x coders
    <= 1e11 symbols coded. Progress goes to stderr when it is a terminal. Exit status 3 when
    any verdict is "not consistent" ("not codable", a refusal theory predicts, is not), 1 for
    bad data, 2 for a bad option.

    \b
    Examples:
      codebook simulate                                   # the default experiment
      codebook simulate --p 0.4,0.3,0.2,0.1 --q uniform:4 --n 1e5 --trials 5 --format json
      codebook simulate --coder huffman,shannon --out report/
      codebook simulate --coder 'huffman,huffman(arity=3),huffman(max_length=9)' --n 1e5
      codebook simulate --p zipf:4096:1.1 --q uniform:4096 --coder rans --precision 24
      codebook simulate --p markov:4:2:0.5:7 --model true --n 1e5   # a source with memory, its own chain
      codebook simulate --p markov:4:2:0.5:7 --model context:2      # an adaptive context model learns it
    """
    from .. import coders
    from ..spec import parse_distribution

    check_units(units, fmt)
    check_out_dir(out_dir, force)
    if model.strip().lower() != "static" or p_spec.strip().lower().startswith("markov"):
        from .sequence import simulate_sequence

        q_given = click.get_current_context().get_parameter_source("q_spec") != click.core.ParameterSource.DEFAULT
        simulate_sequence(p_spec, q_spec, q_given, model, coder, n, trials, seed, precision, prior, fmt, units,
                          out_dir, quiet, coder_specs)
        return
    names = coder or coders.default_names()
    specs = coder_specs(names, precision, prior)
    check_work(n * trials * len(names), "this run")
    p = parse_distribution(p_spec, name="p")
    q = parse_distribution(q_spec, name="q")

    from simulations.experiment import VerificationError, run_experiment

    progress.compile_coders(names, quiet=quiet)
    try:
        with progress.bar(trials, f"simulate ({len(names)} coder{'s' * (len(names) > 1)}, n = {n})", quiet=quiet) as bar:
            result = run_experiment(p, q, specs, n, trials, seed, p_spec=p_spec, q_spec=q_spec,
                                    progress=bar.update)
    except VerificationError as exc:
        raise verification_failed(exc) from None
    command = ["codebook", "simulate", "--p", p_spec, "--q", q_spec, "--coder", ",".join(names),
               "--n", str(n), "--trials", str(trials), "--seed", str(seed)] + build_flags(precision, prior)
    command_text = shlex.join(command)
    print_result(result, command_text, fmt, lambda: _table(result, units))
    if out_dir:
        from simulations.figures import summary_figure
        from simulations.report import write_report

        write_report(out_dir, title="codebook simulate: verification report",
                     description=f"Messages of n = {n} symbols drawn from p = `{p_spec}`, coded with codes built "
                                 f"from q = `{q_spec}`, {trials} trials per coder, every bitstream decoded and "
                                 "compared with the original.",
                     command=command_text,
                     seed_note=f"master seed {seed}; trial t samples with numpy SeedSequence([{seed}, t]) on PCG64.",
                     results=[result], figures=lambda rs, out: summary_figure(rs[0], out))
        if not quiet:
            click.echo(f"report written to {out_dir}", err=True)
    exit_if_inconsistent([result], "simulate")


def _table(result, units: str = "bits") -> str:
    u = units

    def v(x):
        return f"{fmt_bits(in_units(x, u))} {u}"

    lines = [f"p = {result.p_spec}   q = {result.q_spec}",
             f"K = {result.alphabet_size}   n = {result.n}   trials = {result.trials}   seed = {result.seed[0]}",
             f"H(p) = {v(result.H_p)}   H(p,q) = {v(result.H_pq)}   D(p||q) = {v(result.D_pq)}", "",
             verification_table([result], units)]
    for item in result.skipped:
        lines.append(f"{item['coder']}: not run: {item['reason']}")
    lines.append("")
    lines.append(f"Verdicts at family-wise level {result.family_alpha:g} (Bonferroni over {result.intervals_judged} "
                 f"tests, each at {result.family_alpha / max(1, result.intervals_judged):.2g} by the exact law of "
                 "the sum, Bernstein's or McDiarmid's inequality); bits/symbol are pooled over all trials.")
    if result.sample:
        lines.append(f"The sample: {result.sample['verdict']}: {result.sample['reason']}")
    lines += verdict_notes([result])
    return "\n".join(line if len(line) <= WIDTH else wrap(line, indent="")
                     for line in "\n".join(lines).splitlines())
