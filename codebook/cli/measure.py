"""``codebook measure``: entropies, cross-entropies and divergences of two distributions."""

from __future__ import annotations

import click

from ..distributions import check_same_alphabet
from ..measures import cross_entropy, entropy, kl_divergence
from ..spec import SPEC_HELP, parse_distribution
from .output import FORMAT_OPTION, dump_json, fmt_bits, table


def measures_of(p, q) -> dict[str, float]:
    """The six quantities ``measure`` prints, in bits, under their JSON keys."""
    check_same_alphabet(p, q)
    return {
        "H_p": entropy(p),
        "H_q": entropy(q),
        "H_pq": cross_entropy(p, q),
        "H_qp": cross_entropy(q, p),
        "D_pq": kl_divergence(p, q),
        "D_qp": kl_divergence(q, p),
    }


LABELS = {
    "H_p": "H(p)",
    "H_q": "H(q)",
    "H_pq": "H(p,q)",
    "H_qp": "H(q,p)",
    "D_pq": "D(p||q)",
    "D_qp": "D(q||p)",
}


@click.command()
@click.option("--p", "p_spec", required=True, metavar="SPEC", help="True distribution p. " + SPEC_HELP)
@click.option("--q", "q_spec", required=True, metavar="SPEC", help="Proxy distribution q (same grammar).")
@FORMAT_OPTION
def measure(p_spec: str, q_spec: str, fmt: str) -> None:
    """H(p), H(q), H(p,q), H(q,p), D(p||q) and D(q||p), in bits.

    H(p,q) = H(p) + D(p||q) is the expected bits per symbol of data from p coded with an
    ideal code for q. A value is "inf" when one distribution gives probability 0 to a
    symbol the other can produce.

    \b
    Example:
      codebook measure --p zipf:256:1.1 --q "mix(zipf:256:1.1, uniform:256, 0.3)"
      codebook measure --p file:a.txt --q file+0.5:b.txt --format json
    """
    p = parse_distribution(p_spec, name="p")
    q = parse_distribution(q_spec, name="q")
    values = measures_of(p, q)
    if fmt == "json":
        click.echo(dump_json(values))
        return
    rows = [(LABELS[k], fmt_bits(v), "bits") for k, v in values.items()]
    click.echo(f"p = {p_spec}   q = {q_spec}   K = {len(p)}")
    click.echo(table(["quantity", "value", "unit"], rows, "lrl"))
