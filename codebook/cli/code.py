"""``codebook code``: build a code from q and show its table and lengths against p."""

from __future__ import annotations

import click
import numpy as np

from .. import coders
from ..distributions import check_same_alphabet
from ..measures import cross_entropy, entropy
from ..spec import SPEC_HELP, parse_distribution
from .output import FORMAT_OPTION, dump_json, fmt_bits, table


@click.command()
@click.option("--q", "q_spec", required=True, metavar="SPEC", help="Distribution the code is built from. " + SPEC_HELP)
@click.option(
    "--coder",
    default="huffman",
    show_default=True,
    metavar="NAME",
    help="Coder: " + ", ".join(coders.names()) + ". Stream coders show their quantized model.",
)
@click.option("--precision", type=int, metavar="BITS", help="Stream coders: frequencies sum to 2**BITS (default: the coder's).")
@click.option("--p", "p_spec", metavar="SPEC", help="Also show E_p[l] next to H(p) and H(p,q) for data from p.")
@FORMAT_OPTION
def code(q_spec: str, coder: str, precision: int | None, p_spec: str | None, fmt: str) -> None:
    """The code table (symbol, q, length, codeword), Kraft sum and expected lengths.

    For a stream coder (arithmetic, rans) the table is its quantized model instead: the integer
    frequency of each symbol, q_hat = frequency / 2**precision and the ideal length
    -log2 q_hat(x) in bits; expected lengths are then H(q, q_hat) and H(p, q_hat), which the
    coder reaches within a few bits per message. The adaptive coder has no static table.

    Lengths are in bits; E_q[l] is the mean codeword length under q. With --p, E_p[l] is
    printed next to H(p) (no uniquely decodable code beats it on average) and H(p,q).
    A Huffman code for q can lie below H(p,q) on some p: see THEORY.md (d).

    \b
    Example:
      codebook code --q 0.25,0.25,0.2,0.15,0.15           # Cover & Thomas Example 5.6.1
      codebook code --q dyadic:8 --coder sfe --p uniform:8 --format json
    """
    q = parse_distribution(q_spec, name="q")
    p = parse_distribution(p_spec, name="p") if p_spec is not None else None
    if p is not None:
        check_same_alphabet(p, q)
    kind = coders.info(coder).kind
    if kind != "stream" and precision is not None:
        raise click.UsageError(f"--precision applies to stream coders, not to {kind} coder {coder!r}")
    if kind == "stream":
        options = {} if precision is None else {"precision": precision}
        _stream_table(coder, coders.build(coder, q, **options), q, p, fmt)
        return
    if kind == "adaptive":
        raise click.UsageError(
            f"{coder!r} learns its model while coding and has no static code table; "
            "use 'codebook simulate --coders adaptive' or 'codebook compress --coder adaptive'"
        )
    built = coders.build(coder, q)
    result = {
        "coder": coder,
        "lengths": built.lengths.tolist(),
        "codewords": [w or "" for w in built.codewords],
        "kraft_sum": built.kraft_sum(),
        "expected_length_q": built.expected_length(q),
    }
    if p is not None:
        result.update(expected_length_p=built.expected_length(p), H_p=entropy(p), H_pq=cross_entropy(p, q))
    if fmt == "json":
        click.echo(dump_json(result))
        return
    rows = [
        (q.label(x), f"{q.probs[x]:.6g}", built.lengths[x], built.codewords[x] or "(none: q = 0)")
        for x in range(len(q))
    ]
    click.echo(table(["symbol", "q", "length", "codeword"], rows, "lrrl"))
    click.echo()
    summary = [
        ("Kraft sum", f"{result['kraft_sum']:.6g}", ""),
        ("E_q[l]", fmt_bits(result["expected_length_q"]), "bits/symbol"),
    ]
    if p_spec is not None:
        summary += [
            ("E_p[l]", fmt_bits(result["expected_length_p"]), "bits/symbol"),
            ("H(p)", fmt_bits(result["H_p"]), "bits"),
            ("H(p,q)", fmt_bits(result["H_pq"]), "bits"),
        ]
    click.echo(table(["", "value", "unit"], summary, "lrl"))


def _stream_table(coder: str, built, q, p, fmt: str) -> None:
    """The quantized model of a stream coder, and ideal lengths under q (and p)."""
    q_hat = built.model
    ideal = -np.log2(q_hat.probs, where=q_hat.probs > 0, out=np.full(len(q_hat), np.inf))
    result = {
        "coder": coder,
        "precision": built.precision,
        "frequencies": built.frequencies.tolist(),
        "ideal_lengths": ideal.tolist(),
        "expected_length_q": cross_entropy(q, q_hat),
        "H_q": entropy(q),
    }
    if p is not None:
        result.update(expected_length_p=cross_entropy(p, q_hat), H_p=entropy(p), H_pq=cross_entropy(p, q))
    if fmt == "json":
        click.echo(dump_json(result))
        return
    rows = [
        (q.label(x), f"{q.probs[x]:.6g}", int(built.frequencies[x]), f"{q_hat.probs[x]:.6g}", fmt_bits(ideal[x], 4))
        for x in range(len(q))
    ]
    click.echo(table(["symbol", "q", "frequency", "q_hat", "-log2 q_hat"], rows, "lrrrr"))
    click.echo()
    summary = [
        ("precision", str(built.precision), "bits (frequencies sum to 2**precision)"),
        ("H(q,q_hat)", fmt_bits(result["expected_length_q"]), "bits/symbol, ideal under q"),
        ("H(q)", fmt_bits(result["H_q"]), "bits"),
    ]
    if p is not None:
        summary += [
            ("H(p,q_hat)", fmt_bits(result["expected_length_p"]), "bits/symbol, ideal under p"),
            ("H(p)", fmt_bits(result["H_p"]), "bits"),
            ("H(p,q)", fmt_bits(result["H_pq"]), "bits"),
        ]
    click.echo(table(["", "value", "unit"], summary, "lrl"))
