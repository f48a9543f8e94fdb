"""``codebook code``: build a code from q and show its table and lengths against p."""

from __future__ import annotations

import click

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
    help="Prefix coder: " + ", ".join(coders.names("prefix")) + ".",
)
@click.option("--p", "p_spec", metavar="SPEC", help="Also show E_p[l] next to H(p) and H(p,q) for data from p.")
@FORMAT_OPTION
def code(q_spec: str, coder: str, p_spec: str | None, fmt: str) -> None:
    """The code table (symbol, q, length, codeword), Kraft sum and expected lengths.

    Lengths are in bits; E_q[l] is the mean codeword length under q. With --p, E_p[l] is
    printed next to H(p) (no uniquely decodable code beats it on average) and H(p,q).
    A Huffman code for q can lie below H(p,q) on some p: see THEORY.md (d).

    \b
    Example:
      codebook code --q 0.25,0.25,0.2,0.15,0.15           # Cover & Thomas Example 5.6.1
      codebook code --q dyadic:8 --coder sfe --p uniform:8 --format json
    """
    q = parse_distribution(q_spec, name="q")
    if coders.info(coder).kind != "prefix":
        raise click.UsageError(f"--coder {coder!r} is not a prefix code; choose one of {', '.join(coders.names('prefix'))}")
    built = coders.build(coder, q)
    result = {
        "coder": coder,
        "lengths": built.lengths.tolist(),
        "codewords": [w or "" for w in built.codewords],
        "kraft_sum": built.kraft_sum(),
        "expected_length_q": built.expected_length(q),
    }
    if p_spec is not None:
        p = parse_distribution(p_spec, name="p")
        check_same_alphabet(p, q)
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
