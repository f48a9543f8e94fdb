"""``codebook measure``: entropies, cross-entropies and divergences of two distributions."""

from __future__ import annotations

import click

from ..spec import SPEC_HELP
from .options import FORMAT, UNITS
from .output import dump_json, fmt_bits, in_units, table, write_csv


def measures_of(p, q) -> dict[str, float]:
    """The six quantities ``measure`` prints, in bits, under their JSON keys."""
    from ..distributions import check_same_alphabet
    from ..measures import cross_entropy, entropy, kl_divergence

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
@FORMAT
@UNITS
def measure(p_spec: str, q_spec: str, fmt: str, units: str) -> None:
    """H(p), H(q), H(p,q), H(q,p), D(p||q) and D(q||p) of two distributions.

    H(p,q) = H(p) + D(p||q) is the expected bits per symbol of data from p coded with an
    ideal code for q. A value is "inf" when one distribution gives probability 0 to a
    symbol the other can produce. In bits unless --units nats; JSON carries a "units" field,
    CSV a units column.

    \b
    Examples:
      codebook measure --p zipf:256:1.1 --q "mix(zipf:256:1.1, uniform:256, 0.3)"
      codebook measure --p file:a.txt --q file+0.5:b.txt --format json
      codebook measure --p 0.5,0.5 --q 0.9,0.1 --units nats --format csv
    """
    from ..spec import parse_distribution

    p = parse_distribution(p_spec, name="p")
    q = parse_distribution(q_spec, name="q")
    values = {k: in_units(v, units) for k, v in measures_of(p, q).items()}
    if fmt == "json":
        click.echo(dump_json({**values, "units": units}))
    elif fmt == "csv":
        click.echo(write_csv(["quantity", "value", "units"], [(k, v, units) for k, v in values.items()]), nl=False)
    else:
        rows = [(LABELS[k], fmt_bits(v), units) for k, v in values.items()]
        click.echo(f"p = {p_spec}   q = {q_spec}   K = {len(p)}")
        click.echo(table(["quantity", "value", "unit"], rows, "lrl"))
