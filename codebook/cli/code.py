"""``codebook code``: build a code from q and show its table and lengths against p."""

from __future__ import annotations

import click
import numpy as np

from ..spec import SPEC_HELP
from .options import FORMAT, PRECISION, UNITS, build_options, coder_option
from .output import dump_json, fmt_bits, in_units, table, write_csv


@click.command()
@click.option("--q", "q_spec", required=True, metavar="SPEC", help="Distribution the code is built from. " + SPEC_HELP)
@coder_option(several=False, default="huffman",
              help_intro="Coder whose table to show; stream coders show their quantized model.")
@PRECISION
@click.option("--p", "p_spec", metavar="SPEC", help="Also show E_p[l] next to H(p) and H(p,q) for data from p.")
@FORMAT
@UNITS
def code(q_spec: str, coder: str, precision: int | None, p_spec: str | None, fmt: str, units: str) -> None:
    """The code table (symbol, q, length, codeword), Kraft sum and expected lengths.

    For a stream coder (arithmetic, rans) the table is its quantized model instead: the integer
    frequency of each symbol, q_hat = frequency / 2**precision and the ideal length
    -log2 q_hat(x) in bits; expected lengths are then H(q, q_hat) and H(p, q_hat), which the
    coder reaches within a few bits per message. The adaptive coder has no static table.

    Codeword lengths are in bits (binary digits); E_q[l] is the mean codeword length under q.
    With --p, E_p[l] is printed next to H(p) (no uniquely decodable code beats it on average)
    and H(p,q). A Huffman code for q can lie below H(p,q) on some p: see theory §d. --units
    nats converts the expected lengths and entropies (not the codeword lengths). --format csv
    prints the per-symbol table; JSON has the table and the summary.

    \b
    Examples:
      codebook code --q 0.25,0.25,0.2,0.15,0.15           # Cover & Thomas Example 5.6.1
      codebook code --q dyadic:8 --coder sfe --p uniform:8 --format json
      codebook code --q zipf:16:1.1 --coder rans --precision 8 --format csv
    """
    from .. import coders
    from ..distributions import check_same_alphabet
    from ..spec import parse_distribution

    options = build_options([coder], precision, None)[coder]
    q = parse_distribution(q_spec, name="q")
    p = parse_distribution(p_spec, name="p") if p_spec is not None else None
    if p is not None:
        check_same_alphabet(p, q)
    kind = coders.info(coder).kind
    if kind == "stream":
        _stream_table(coder, coders.build(coder, q, **options), q, p, fmt, units)
        return
    if kind == "adaptive":
        raise click.UsageError(
            f"{coder!r} learns its model while coding and has no static code table; "
            "use 'codebook simulate --coder adaptive' or 'codebook compress --coder adaptive'"
        )
    if kind == "universal":
        raise click.UsageError(
            f"{coder!r} needs no model and builds its dictionary from the message itself, so it has no static "
            f"code table; use 'codebook simulate --coder {coder}' or 'codebook compress --coder {coder}'"
        )
    if kind == "vf":
        _phrase_table(coder, coders.build(coder, q), q, p, fmt, units)
        return
    built = coders.build(coder, q)
    from ..measures import cross_entropy, entropy

    result = {
        "coder": coder,
        "lengths": built.lengths.tolist(),
        "codewords": [w or "" for w in built.codewords],
        "kraft_sum": built.kraft_sum(),
        "expected_length_q": in_units(built.expected_length(q), units),
    }
    if p is not None:
        result.update(expected_length_p=in_units(built.expected_length(p), units), H_p=in_units(entropy(p), units),
                      H_pq=in_units(cross_entropy(p, q), units))
    rows = [(q.label(x), _prob(q.probs[x], fmt), built.lengths[x], built.codewords[x] or "(none: q = 0)")
            for x in range(len(q))]
    summary = [("Kraft sum", f"{result['kraft_sum']:.6g}", ""),
               ("E_q[l]", fmt_bits(result["expected_length_q"]), f"{units}/symbol")]
    if p is not None:
        summary += [("E_p[l]", fmt_bits(result["expected_length_p"]), f"{units}/symbol"),
                    ("H(p)", fmt_bits(result["H_p"]), units), ("H(p,q)", fmt_bits(result["H_pq"]), units)]
    _emit(result, ["symbol", "q", "length", "codeword"], rows, "lrrl", summary, fmt, units)


def _prob(value, fmt: str):
    """A probability: 6 significant digits in a table, in full in CSV."""
    return f"{value:.6g}" if fmt == "table" else float(value)


def _emit(result: dict, headers: list[str], rows: list, align: str, summary: list, fmt: str, units: str) -> None:
    """Print the code as JSON (table and summary), CSV (the per-symbol table) or two tables."""
    if fmt == "json":
        click.echo(dump_json({**result, "units": units}))
    elif fmt == "csv":
        click.echo(write_csv(headers, rows), nl=False)
    else:
        click.echo(table(headers, rows, align))
        click.echo()
        click.echo(table(["", "value", "unit"], summary, "lrl"))


def _phrase_table(coder: str, built, q, p, fmt: str, units: str) -> None:
    """A variable-to-fixed code (Tunstall): its phrases, their codewords and the rate m/E[L] (theory §p)."""
    from ..measures import entropy

    m = built.codeword_bits
    node_q = built.node_probabilities(q)
    phrases = built.phrases()
    leaf_q = node_q[~built.internal_nodes]  # leaves in creation order: match them to the codewords
    by_code = dict(zip(built.leaf_nodes.tolist(), range(len(phrases))))
    prob = np.empty(len(phrases))
    for node, pr in zip(np.flatnonzero(~built.internal_nodes).tolist(), leaf_q.tolist()):
        prob[by_code[node]] = pr
    result = {
        "coder": coder, "codeword_bits": m, "phrases": [[int(s) for s in ph] for ph in phrases],
        "expected_phrase_length_q": built.expected_phrase_length(q),
        "rate_q": in_units(built.rate(q), units), "H_q": in_units(entropy(q), units),
    }
    if p is not None:
        result.update(rate_p=in_units(built.rate(p), units), H_p=in_units(entropy(p), units))
    rows = [(format(c, f"0{m}b"), " ".join(q.label(s) for s in ph), len(ph), _prob(prob[c], fmt))
            for c, ph in enumerate(phrases)]
    summary = [("phrases M", str(len(phrases)), f"of {1 << m} {m}-bit codewords"),
               ("E_q[L]", fmt_bits(result["expected_phrase_length_q"]), "symbols/phrase"),
               ("m/E_q[L]", fmt_bits(result["rate_q"]), f"{units}/symbol"), ("H(q)", fmt_bits(result["H_q"]), units)]
    if p is not None:
        summary += [("m/E_p[L]", fmt_bits(result["rate_p"]), f"{units}/symbol"), ("H(p)", fmt_bits(result["H_p"]), units)]
    _emit(result, ["codeword", "phrase", "length", "P_q"], rows, "llrr", summary, fmt, units)


def _stream_table(coder: str, built, q, p, fmt: str, units: str) -> None:
    """The quantized model of a stream coder, and ideal lengths under q (and p)."""
    from ..measures import cross_entropy, entropy

    q_hat = built.model
    ideal = in_units(-np.log2(q_hat.probs, where=q_hat.probs > 0, out=np.full(len(q_hat), np.inf)), units)
    result = {
        "coder": coder,
        "precision": built.precision,
        "frequencies": built.frequencies.tolist(),
        "ideal_lengths": ideal.tolist(),
        "expected_length_q": in_units(cross_entropy(q, q_hat), units),
        "H_q": in_units(entropy(q), units),
    }
    if p is not None:
        result.update(expected_length_p=in_units(cross_entropy(p, q_hat), units), H_p=in_units(entropy(p), units),
                      H_pq=in_units(cross_entropy(p, q), units))
    log = "-log2 q_hat" if units == "bits" else "-ln q_hat"
    rows = [(q.label(x), _prob(q.probs[x], fmt), int(built.frequencies[x]), _prob(q_hat.probs[x], fmt),
             fmt_bits(ideal[x], 4) if fmt == "table" else float(ideal[x])) for x in range(len(q))]
    summary = [("precision", str(built.precision), "bits (frequencies sum to 2**precision)"),
               ("H(q,q_hat)", fmt_bits(result["expected_length_q"]), f"{units}/symbol, ideal under q"),
               ("H(q)", fmt_bits(result["H_q"]), units)]
    if p is not None:
        summary += [("H(p,q_hat)", fmt_bits(result["expected_length_p"]), f"{units}/symbol, ideal under p"),
                    ("H(p)", fmt_bits(result["H_p"]), units), ("H(p,q)", fmt_bits(result["H_pq"]), units)]
    _emit(result, ["symbol", "q", "frequency", "q_hat", log], rows, "lrrrr", summary, fmt, units)
