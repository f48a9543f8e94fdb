"""``codebook compress`` / ``decompress``: real files, a byte model learned from another file.

Thin over :mod:`codebook.container`: read the input, build the model and the coder, call the
library, write the output safely, print what it cost against H(p_IN), H(p_IN, q) and
D(p_IN || q).

Output safety (both commands, :mod:`codebook.cli.files`): OUT appears only when everything
succeeded, a kill leaves no partial file that lasts, an existing OUT is never overwritten
without ``--force``; ``-`` reads stdin / writes stdout, and on stdout nothing is written
unless the whole result was computed and verified first.

NumPy, the coders and the container are imported when a command runs, not when this module
is imported, so ``--help`` and usage errors answer at once.
"""

from __future__ import annotations

import math
import shlex
from fractions import Fraction

import click

from . import options as opt
from . import progress
from .files import (
    DEFAULT_MAX_SIZE,
    Status,
    check_output,
    count_bytes,
    human_size,
    read_container,
    read_input,
    source_name,
    write_output,
)

DEFAULT_CODER_PREFERENCE = ("rans", "arithmetic", "huffman")
"""``--coder`` default: the first of these that is registered. rANS and arithmetic coding get
within a few bits of -log2 q_hat(x^n) per file; Huffman pays up to a bit per byte more, but is
the one always present."""

KT_SMOOTHING = 0.5
"""Default add-A smoothing of a model learned from TRAIN (Krichevsky-Trofimov), so that bytes
that do not occur in TRAIN keep a positive probability and stay codable; also the default
prior of the adaptive coder."""


def default_coder() -> str:
    from .. import coders

    for name in DEFAULT_CODER_PREFERENCE:
        if name in coders.names():
            return name
    return coders.names()[0]


# --------------------------------------------------------------------------- options
MAX_MAX_SIZE = 1 << 40
"""Largest ``--max-size`` (1 TiB). ``--max-size`` is the user's memory budget: the whole
original is held in memory, about 3.5 times over."""

MAX_SIZE_OPTION = click.option(
    "--max-size",
    type=click.IntRange(min=0, max=MAX_MAX_SIZE),
    default=DEFAULT_MAX_SIZE,
    show_default=True,
    metavar="BYTES",
    help="Largest original accepted, in bytes (and, for compress, the largest TRAIN); at most 2**40. "
    "Memory use is about 3.5x the original size.",
)

def _say(out: str, text: str) -> None:
    """Reports go to stdout, or to stderr when stdout carries the data."""
    click.echo(text, err=(out == "-"))


def _emit(out: str, report: dict, fmt: str, as_table) -> None:
    from .output import dump_json

    if fmt == "json":
        _say(out, dump_json(report))
    elif fmt == "csv":
        _say(out, _csv(report))
    else:
        _say(out, as_table(report))


def _csv(report: dict) -> str:
    """One header row and one record: the JSON report's fields, in its order."""
    import csv
    import io

    from .output import jsonable

    row = jsonable(report)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(row))
    writer.writerow([v if v is not None else "" for v in row.values()])
    return buf.getvalue().rstrip("\n")


# --------------------------------------------------------------------------- compress
ORDER0_OPTIONS = ("coder", "smoothing", "precision", "prior")
"""Options of the order-0 model: given without ``--model``, they choose it (the first
release's behaviour, so that ``--coder huffman`` keeps meaning what it meant)."""


def choose_model(model_name, given: dict):
    """The :class:`~codebook.filemodels.FileModel` of ``--model`` (default: cm, or order0 when
    an order-0 option is given); a usage error (exit 2) for an unknown name or an option the
    model does not take."""
    from ..filemodels import CONTEXT_CODERS, DEFAULT_MODEL, ModelNameError, parse_model

    named = [f"--{k}" for k in ORDER0_OPTIONS if given.get(k) is not None]
    if model_name is None:
        model_name = "order0" if named else DEFAULT_MODEL
    try:
        model = parse_model(model_name)
    except ModelNameError as exc:
        raise click.BadParameter(str(exc), param_hint="'--model'") from None
    verb = "belongs" if len(named) == 1 else "belong"
    if model.kind == "cm" and named:
        raise click.UsageError(
            f"{', '.join(named)} {verb} to --model order0 (and --coder, --precision, --prior to context:K); the cm "
            "model learns its own probabilities and codes them with its own binary range coder"
        )
    if model.kind == "context":
        if given.get("smoothing") is not None:
            raise click.UsageError("--smoothing belongs to --model order0; a context model's pseudo-count is --prior "
                                   "(0.5 = Krichevsky-Trofimov, 1 = Laplace)")
        if given.get("coder") not in (None, *CONTEXT_CODERS):
            raise click.BadParameter(f"a context model codes with {' or '.join(CONTEXT_CODERS)}; got "
                                     f"{given['coder']!r}", param_hint="'--coder'")
    return model


@click.command()
@click.argument("in_path", metavar="IN")
@click.argument("out_path", metavar="OUT")
@click.option(
    "--model",
    "model_name",
    metavar="NAME",
    default=None,
    help="The model: cm (default: context mixing, the strongest codebook has: orders 0-6, words, "
    "columns and a match model mixed bit by bit, primed on a built-in text; its max profile below 1 MiB, "
    "its about 1.6x faster fast profile from there), cm:max, cm:fast (one profile at every size), order0 (a byte "
    "distribution, coded by --coder; chosen by default when --coder, --smoothing, --precision or --prior is "
    "given), context:K (K = 0..6: adaptive Krichevsky-Trofimov counts of the byte after each context of K bytes, "
    "coded by --coder arithmetic or rans; its guaranteed bound on IN is reported).",
)
@click.option(
    "--model-from",
    "train_path",
    metavar="TRAIN",
    help="Train the model on this file first. cm: learns its bytes; context:K: its counts start from them (for "
    "both, decompress then needs the same TRAIN); order0: the byte distribution of TRAIN instead of IN (add-A "
    "smoothed, see --smoothing; the adaptive coder starts from its byte counts). At most --max-size bytes.",
)
@opt.coder_option(several=False, help_intro="Coder of --model order0 (default: the first registered of rans, "
                  "arithmetic, huffman) or context:K (arithmetic or rans; default arithmetic).")
@click.option(
    "--smoothing",
    type=click.FloatRange(min=0),
    default=None,
    metavar="A",
    help=f"Order-0 model: add-A smoothing of the byte counts, q(x) = (c(x)+A)/(n+256A). Default {KT_SMOOTHING} "
    "(Krichevsky-Trofimov) with --model-from, 0 without (every byte of IN is then in the model). "
    "For the adaptive coder A is its prior (same as --prior).",
)
@opt.PRECISION
@opt.PRIOR
@MAX_SIZE_OPTION
@opt.FORCE
@opt.QUIET
@opt.FORMAT
def compress(in_path, out_path, model_name, train_path, coder, smoothing, precision, prior, max_size, force, quiet,
             fmt) -> None:
    """Compress IN to OUT; '-' = stdin/stdout. The default model is cm (context mixing).

    The report gives the sizes of IN and OUT, the payload's bits per byte next to the
    model's own log-loss on IN (they agree within the coder's documented window, checked),
    the empirical entropies of IN given 0-3 previous bytes and, for context:K (and order0's
    adaptive coder), the bound its theorem guarantees on IN (theory §r), checked. With --model order0 it
    compares the payload with H(p_IN), H(p_IN, q) = H(p_IN) + D(p_IN || q) and the coder's own
    model; H(p_IN, q_TRAIN) is exactly what 'codebook measure --p file:IN --q file+A:TRAIN'
    prints, and a warning (stderr) says when the TRAIN model makes OUT larger than a model of
    IN itself would. An existing OUT is refused unless --force.

    \b
    Examples:
      codebook compress book.txt book.cbk
      codebook compress log.txt log.cbk --model-from book.txt
      codebook compress log.txt log.cbk --model context:2
      codebook compress log.txt log.cbk --model order0 --coder huffman
      cat book.txt | codebook compress - - > book.cbk
    """
    model = choose_model(model_name, {"coder": coder, "smoothing": smoothing, "precision": precision,
                                      "prior": prior})
    if train_path is not None and train_path == "-" and in_path == "-":
        raise click.UsageError("IN and TRAIN cannot both be stdin")
    if model.kind == "cm":
        from ..contextmix import ContextMixingCoder

        def build(train):
            return ContextMixingCoder(profile=model.profile, prime=train)

        _compress_learned(in_path, out_path, model, build, train_path, max_size, force, quiet, fmt)
        return
    if model.kind == "context":
        _compress_learned(in_path, out_path, model, _context_builder(model, coder, precision, prior), train_path,
                          max_size, force, quiet, fmt)
        return
    _compress_order0(in_path, out_path, train_path, coder, smoothing, precision, prior, max_size, force, quiet, fmt)


def _compress_order0(in_path, out_path, train_path, coder, smoothing, precision, prior, max_size, force, quiet,
                     fmt) -> None:
    from .. import coders, container

    coder = coder or default_coder()
    kind = coders.info(coder).kind
    if train_path is not None and not coders.info(coder).cls.uses_probabilities:
        raise click.UsageError(f"--model-from has no effect with --coder {coder}: it uses no model "
                               f"(it codes the byte values themselves)")
    # An option this coder does not take, or a value it refuses on any model: exit 2, before any work.
    options = opt.build_options([coder], precision, prior)[coder]
    options.pop("prior", None)  # the adaptive prior is settled below, with --smoothing
    if kind == "adaptive":
        smoothing = _adaptive_prior(smoothing, prior)  # never None: KT by default, with or without TRAIN
    check_output(out_path, in_path, force)
    status = Status(quiet)
    try:
        data = read_input(in_path, max_size, status=status)
        counts_in = container.byte_counts(data)
        train_counts = None
        if train_path is not None:
            smoothing = KT_SMOOTHING if smoothing is None else smoothing
            train_counts = count_bytes(train_path, max_size, status)
            if not train_counts.any() and smoothing == 0:
                from ..errors import DistributionError

                raise DistributionError(f"TRAIN {train_path!r} is empty; a model needs --smoothing A > 0")
            q = container.counts_distribution(train_counts, smoothing)
        else:
            smoothing = 0.0 if smoothing is None else smoothing
            if not len(data) and smoothing == 0:
                smoothing = 1.0  # an empty IN has no byte distribution: code it with the uniform one
            q = container.counts_distribution(counts_in, smoothing)
        if kind == "adaptive":
            options.update(prior=smoothing, counts=train_counts)
        code = coders.build(coder, q, **options)
        status.done()
        progress.compile_coders([coder], quiet=quiet)  # "compiling coders (first run only)" on a cold cache
        header = _encode_and_write(status, data, code, coder, out_path, force, max_size, model=q, counts=counts_in)
        if not quiet:
            status.stage("counting the entropies of IN")
            report = _report(counts_in, q, code, header, in_path, out_path, train_path, smoothing, kind)
            report.update(_entropy_fields(data))
    finally:
        status.done()
    if quiet:
        return
    if train_path is not None:
        _warn_if_own_model_is_smaller(report, counts_in, code, options)
    _emit(out_path, report, fmt, _report_table)


def _encode_and_write(status, data, code, label, out_path, force, max_size, train=None, **options):
    """Compress ``data`` with ``code``, read the result back (:func:`container.read_header`) and
    write it to OUT: the steps every model shares. Returns the header."""
    from .. import container

    status.stage(f"encoding {human_size(len(data))} with {label}")
    blob = container.compress(data, code, max_size=max_size, **options)
    status.stage(f"checking the {human_size(len(blob))} written")
    header = container.read_header(blob, max_size=max_size, train=train)
    status.stage(f"writing {human_size(len(blob))}")
    write_output(out_path, blob, force)
    return header


def _entropy_fields(data) -> dict:
    """``H1..H3_bits_per_byte``: the empirical conditional entropies of IN (order 0 is ``H_p``)."""
    from ..filemodels import conditional_entropies

    return {f"H{k}_bits_per_byte": h for k, h in enumerate(conditional_entropies(data, 3)) if k}


def _context_builder(model, coder, precision, prior):
    """The context model's coder for a training text (or None), its options checked now (exit 2)."""
    from ..errors import CodebookError
    from ..filemodels import ContextFileCoder

    options = {"order": model.order, "prior": 0.5 if prior is None else prior, "precision": precision}

    def build(train):
        return ContextFileCoder(coder or "arithmetic", **options, train=train)

    try:
        ContextFileCoder(coder or "arithmetic", **options)
    except CodebookError as exc:
        hint = "'--prior'" if "prior" in str(exc) else "'--precision'" if "precision" in str(exc) else "'--model'"
        raise click.BadParameter(str(exc), param_hint=hint) from None
    return build


def _compress_learned(in_path, out_path, model, build, train_path, max_size, force, quiet, fmt) -> None:
    """Compress with a model that learns from IN while coding (cm, context:K), primed on TRAIN."""
    from ..filemodels import summary

    check_output(out_path, in_path, force)
    status = Status(quiet)
    try:
        data = read_input(in_path, max_size, status=status)
        train = None if train_path is None else read_input(train_path, max_size, status=status, what="TRAIN",
                                                           limit="--max-size")
        if train is not None and not len(train):
            from ..errors import TrainingDataError

            # Primed on nothing, the model is the untrained one, but its file would still ask for TRAIN.
            raise TrainingDataError(f"TRAIN {source_name(train_path)} is empty: there is nothing to learn; "
                                    "leave out --model-from")
        code = build(train)
        header = _encode_and_write(status, data, code, model.name, out_path, force, max_size, train=train)
        if not quiet:
            status.stage("counting the entropies of IN")
            report = {
                **_size_fields(in_path, out_path, len(data), header, model.name),
                "coder": header.coder,
                "model_kind": header.model_kind,
                "model_from": train_path,
                "train_bytes": None if train is None else len(train),
                **_file_fields(header, len(data)),
            }
            if model.kind == "cm":
                report.update(profile=code.profile_for(len(data)), primer=code.primer)
            else:
                report.update(order=code.order, prior=code.prior, precision=code.precision)
            report.update(summary(data, code, header.payload_bits))
    finally:
        status.done()
    if quiet:
        return
    _emit(out_path, report, fmt, _cm_table if model.kind == "cm" else _context_table)


def _size_fields(in_path, out_path, n: int, header, model: str) -> dict:
    """The report's first fields, the same for every model: IN, OUT, their sizes, the model."""
    return {"in": in_path, "out": out_path, "in_bytes": n, "out_bytes": header.file_bytes,
            "ratio": header.file_bytes / n if n else math.nan, "model": model}


def _file_fields(header, n: int) -> dict:
    """What the whole file costs: ``header_bytes``, ``file_bytes``, ``file_bits_per_byte``."""
    from .. import container

    return {"header_bytes": header.header_bytes, "file_bytes": header.file_bytes,
            "file_bits_per_byte": container.bits_per_byte(8 * header.file_bytes, n)}


def _num(value: float) -> str:
    """A report value: 6 decimals, or n/a for nan (an empty IN)."""
    from .output import fmt_bits

    return "n/a" if isinstance(value, float) and math.isnan(value) else fmt_bits(value)


def _conditional_rows(r: dict) -> list[tuple[str, str, str]]:
    """Report rows of the empirical H(X | k previous bytes) of IN, k = 1..3 (when computed)."""
    words = {1: "1 previous byte", 2: "2 previous bytes", 3: "3 previous bytes"}
    return [(f"H(X | {words[k]})", _num(r[f"H{k}_bits_per_byte"]), "bits/byte (empirical, of IN itself)")
            for k in words if f"H{k}_bits_per_byte" in r]


def _learned_entropy_rows(r: dict) -> list[tuple[str, str, str]]:
    """The first rows of a cm or context:K report: H(p_IN), then H(X | k previous bytes)."""
    return [("H(p_IN)", _num(r["H0_bits_per_byte"]), "bits/byte (order 0)"), *_conditional_rows(r)]


def _file_rows(r: dict) -> list[tuple[str, str, str]]:
    """The last rows of every compress report: the whole file, and what is not payload."""
    return [
        ("whole file", _num(r["file_bits_per_byte"]), f"bits/byte ({r['file_bytes']} bytes)"),
        ("header + model", str(r["header_bytes"]), f"bytes (stored model: {r['model_kind']}, fields, CRCs)"),
    ]


def _sizes_line(r: dict) -> str:
    """``IN (n bytes) -> OUT (m bytes), x % of IN``: how every compress report begins."""
    ratio = "" if not r["in_bytes"] else f", {100 * r['ratio']:.1f} % of IN"
    return f"{r['in']} ({r['in_bytes']} bytes) -> {r['out']} ({r['out_bytes']} bytes){ratio}"


def _cm_table(r: dict) -> str:
    from .output import table

    n = r["n_bytes"]
    lo, hi = r["excess_bounds_bits"]
    rows = [
        *_learned_entropy_rows(r),
        ("log-loss of the model", _num(r["log_loss_bits_per_byte"]),
         f"bits/byte ({r['log_loss_bits']:.1f} bits: sum of -log2 q over the {8 * n} bit decisions)"),
        ("payload", _num(r["payload_bits_per_byte"]),
         f"bits/byte ({r['payload_bits']} bits = log-loss + {r['excess_bits']:.2f}, window [{lo:g}, {hi:.3g}]: ok)"),
        *_file_rows(r),
    ]
    train = "" if r["model_from"] is None else f", then TRAIN {r['model_from']} ({r['train_bytes']} bytes)"
    blocks = "" if r["blocks"] == 1 else f" in {r['blocks']} independent blocks"
    return "\n".join([
        f"{_sizes_line(r)}, model {r['model']}",
        f"model: context mixing, profile {r['profile']}, learned from the built-in primer{train}, then from IN "
        f"while coding{blocks}; {r['memory_bytes'] / 1e6:.0f} MB of model state",
        table(["quantity", "value", "unit"], rows, "lrl"),
        "H(X | k previous bytes) are plug-in estimates from IN itself: the cost of a model fitted to IN, "
        "with the model not paid for.",
    ])


def _adaptive_prior(smoothing, prior) -> float:
    """--smoothing and --prior are one parameter for the adaptive coder: its prior."""
    if smoothing is not None and prior is not None and smoothing != prior:
        raise click.UsageError(f"--smoothing {smoothing:g} and --prior {prior:g} are the same parameter for the "
                               "adaptive coder; give one")
    value = prior if prior is not None else smoothing if smoothing is not None else KT_SMOOTHING
    if value <= 0 or Fraction(value).denominator > 2 or value > 65536:
        raise click.BadParameter(
            f"the adaptive coder's prior must be a positive multiple of 1/2 up to 65536 (0.5 = Krichevsky-Trofimov, "
            f"1 = Laplace); got {value:g}", param_hint="'--prior' / '--smoothing'")
    return value


def _report(counts_in, q, code, header, in_path, out_path, train_path, smoothing, kind) -> dict:
    from .. import container
    from ..measures import cross_entropy, entropy, kl_divergence

    n = int(counts_in.sum())
    result = {
        **_size_fields(in_path, out_path, n, header, "order0"),
        "coder": code.name,
        "kind": kind,
        "uses_probabilities": code.uses_probabilities,
        "model_from": train_path if train_path is not None else in_path,
        "model_from_in": train_path is None,
        "smoothing": smoothing,
        "model_kind": header.model_kind,
        "n_bytes": n,
        "payload_bits": header.payload_bits,
        "payload_bits_per_byte": container.bits_per_byte(header.payload_bits, n),
        **_file_fields(header, n),
        "H_p": math.nan,
        "H_pq": math.nan,
        "D_pq": math.nan,
        "coder_model_bits_per_byte": math.nan,
    }
    if train_path is not None and in_path != "-" and train_path != "-":
        p_spec, q_spec = shlex.quote(f"file:{in_path}"), shlex.quote(f"file+{smoothing!r}:{train_path}")
        result["measure_command"] = f"codebook measure --p {p_spec} --q {q_spec}"
    if n:
        p = container.counts_distribution(counts_in)
        result.update(H_p=entropy(p), H_pq=cross_entropy(p, q), D_pq=kl_divergence(p, q))
        # What this coder's own model costs on IN, before termination overhead: E_p[l] for a
        # prefix code (exactly the payload's bits per byte), H(p, q_hat) for a stream coder's
        # quantized model, -log2 P(IN) / n for the adaptive coder (its exact sequential log-loss).
        if kind == "prefix":
            result["coder_model_bits_per_byte"] = code.expected_length(p)
        elif kind == "stream" and getattr(code, "model", None) is not None:
            result["coder_model_bits_per_byte"] = cross_entropy(p, code.model)
        elif kind == "adaptive" and hasattr(code, "ideal_length_from_counts"):
            from ..filemodels import adaptive_bound

            ideal = code.ideal_length_from_counts(counts_in)
            result["coder_model_bits_per_byte"] = ideal / n
            bound = adaptive_bound(counts_in, float(code.prior), code.counts)
            if not ideal <= bound["bound_bits"] * (1 + 1e-12) + 1e-9:
                raise AssertionError(f"adaptive log-loss {ideal} above its guaranteed {bound['bound_bits']} bits")
            result["bound"] = bound
    return result


def _report_table(r: dict) -> str:
    from .output import table

    q_name = "q_IN" if r["model_from_in"] else "q_TRAIN"
    if r["kind"] == "adaptive":
        start = "no starting counts" if r["model_from_in"] else f"starting from the byte counts of TRAIN {r['model_from']}"
        source = f"adaptive, learns from IN while coding, {start}, prior {r['smoothing']:g}"
        q_text = "(q: its starting model)"
    elif not r["uses_probabilities"]:
        source = f"none: {r['coder']} codes the byte values themselves (it takes only the alphabet size, 256)"
        q_text = ""
    elif r["model_from_in"]:
        if r["smoothing"] == 0:
            source = "byte distribution of IN itself, no smoothing needed (every byte of IN has q > 0)"
        else:
            source = f"byte distribution of IN itself, add-{r['smoothing']:g} smoothing"
        q_text = ""
    else:
        kt = " (Krichevsky-Trofimov)" if r["smoothing"] == KT_SMOOTHING else ""
        source = f"byte distribution of TRAIN {r['model_from']}, add-{r['smoothing']:g} smoothing{kt}"
        q_text = ""
    model_row = {
        "prefix": ("E_p_IN[l] (code lengths)", "bits/byte"),
        "stream": ("H(p_IN,q_hat) (quantized)", "bits/byte"),
        "adaptive": ("-log2 P(IN) / n (adaptive)", "bits/byte"),
    }.get(r["kind"])

    rows = [("H(p_IN)", _num(r["H_p"]), "bits/byte"), *_conditional_rows(r)]
    if r["uses_probabilities"]:
        rows += [
            (f"H(p_IN,{q_name})", _num(r["H_pq"]), "bits/byte"),
            (f"D(p_IN||{q_name})", _num(r["D_pq"]), "bits/byte"),
        ]
    if model_row:
        rows.append((model_row[0], _num(r["coder_model_bits_per_byte"]), model_row[1]))
    if "bound" in r:
        n = r["n_bytes"]
        minus = " - log-loss of TRAIN's counts" if not r["model_from_in"] else ""
        rows.append(("guaranteed bound", _num(r["bound"]["bound_bits"] / n if n else math.nan),
                     f"bits/byte (n H0 + KT regret{minus}, theory §r; -log2 P(IN) below it: ok)"))
    rows += [
        ("payload", _num(r["payload_bits_per_byte"]), f"bits/byte ({r['payload_bits']} bits)"),
        *_file_rows(r),
    ]
    lines = [
        f"{_sizes_line(r)}, coder {r['coder']} ({r['kind']})",
        f"model: {source}" + (f" {q_text}" if q_text else ""),
        table(["quantity", "value", "unit"], rows, "lrl"),
    ]
    if "measure_command" in r:
        lines.append(f"H(p_IN,{q_name}) and D are those of: {r['measure_command']}")
    return "\n".join(lines)


def _context_table(r: dict) -> str:
    from .output import table

    n = r["n_bytes"]
    lo, hi = r["excess_bounds_bits"]
    k = r["order"]
    rows = [
        *_learned_entropy_rows(r),
        ("log-loss of the model", _num(r["log_loss_bits_per_byte"]),
         f"bits/byte ({r['log_loss_bits']:.1f} bits: sum of -log2 q(x_t | {k} previous byte{'s' * (k != 1)}))"),
        ("quantized model", _num(r["quantized_log_loss_bits_per_byte"]),
         f"bits/byte (q_hat = f / 2^{r['precision']}; at most {r['quantization_bound_bits']:.3g} bits above: ok)"),
        ("payload", _num(r["payload_bits_per_byte"]),
         f"bits/byte ({r['payload_bits']} bits = quantized + {r['excess_bits']:.2f}, window "
         f"[{lo:g}, {hi:.3g}]: ok)"),
    ]
    b = r.get("bound")
    if b is not None:
        per = (lambda v: v / n) if n else (lambda v: math.nan)
        rows.append(("guaranteed bound", _num(per(b["bound_bits"])),
                     f"bits/byte (n Hk + regret of {b['contexts']} contexts"
                     + (" - log-loss of TRAIN" if r["model_from"] else "") + ", theory §r; log-loss below it: ok)"))
    rows += _file_rows(r)
    prior = {0.5: " (Krichevsky-Trofimov)", 1.0: " (Laplace)"}.get(r["prior"], "")
    train = ("" if r["model_from"] is None
             else f", counts starting from TRAIN {r['model_from']} ({r['train_bytes']} bytes)")
    lines = [
        f"{_sizes_line(r)}, model {r['model']}, coder {r['coder']}",
        f"model: adaptive counts of the byte after each context of {k} byte{'s' * (k != 1)}, prior "
        f"{r['prior']:g}{prior}{train}",
        table(["quantity", "value", "unit"], rows, "lrl"),
    ]
    if b is None:
        lines.append("no guaranteed bound is shown: the theorem needs a prior of at least 1/2")
    else:
        minus = f" - {b['train_bits']:.1f} (log-loss of TRAIN)" if r["model_from"] else ""
        lines.append(f"bound = {b['empirical_bits']:.1f} (n Hk with the model's zero history) + {b['regret_bits']:.1f} "
                     f"(regret){minus} bits; the payload is below it plus the quantization and termination terms: ok")
    return "\n".join(lines)


def own_model_bound(counts_in, code, options: dict) -> int | None:
    """An upper bound, in bytes, on OUT had the model come from IN itself (same coder, same
    options, no TRAIN): the exact header and model bytes, and the coder's documented payload
    bound (exact for a prefix code: Σ c(x) l(x); -log2 q_hat(IN) or -log2 P(IN) plus
    ``excess_bounds(n)[1]`` otherwise). None if the coder gives no bound."""
    from .. import coders, container

    n = int(counts_in.sum())
    if n == 0:
        return None
    kind = coders.info(code.name).kind
    own_options = {k: v for k, v in options.items() if k != "counts"}
    own = coders.build(code.name, container.counts_distribution(counts_in), **own_options)
    if kind == "prefix":
        payload = float(sum(int(c) * int(length) for c, length in zip(counts_in.tolist(), own.lengths.tolist())))
    elif kind == "stream" and getattr(own, "frequencies", None) is not None:
        b = int(own.precision)
        ideal = math.fsum(c * (b - math.log2(f)) for c, f in zip(counts_in.tolist(), own.frequencies.tolist()) if c)
        payload = ideal + own.excess_bounds(n)[1]
    elif kind == "adaptive" and hasattr(own, "ideal_length_from_counts"):
        payload = own.ideal_length_from_counts(counts_in) + own.excess_bounds(n)[1]
    else:
        return None
    fixed = container.FIXED_SIZE + len(code.name) + container.TRAILER_SIZE
    return fixed + len(container.pack_model(own.to_dict())) + math.ceil((payload + 1e-6 * payload + 1) / 8)


def _warn_if_own_model_is_smaller(report: dict, counts_in, code, options: dict) -> None:
    bound = own_model_bound(counts_in, code, options)
    if bound is not None and report["file_bytes"] > bound:
        own = "no starting counts" if report["kind"] == "adaptive" else "the model of IN itself"
        click.echo(
            f"codebook: warning: with the model from TRAIN, OUT is {report['file_bytes']} bytes; without "
            f"--model-from ({own}) it would be at most {bound} bytes",
            err=True,
        )


# --------------------------------------------------------------------------- decompress
@click.command()
@click.argument("in_path", metavar="IN")
@click.argument("out_path", metavar="OUT")
@click.option(
    "--model-from",
    "train_path",
    metavar="TRAIN",
    help="The training file IN was compressed with, for a model trained on one (cm or context:K with "
    "--model-from): the same bytes (their size and CRC32 are in IN and checked). Not needed for any other file.",
)
@MAX_SIZE_OPTION
@opt.FORCE
@opt.QUIET
@opt.FORMAT
def decompress(in_path, out_path, train_path, max_size, force, quiet, fmt) -> None:
    """Decompress IN (written by 'codebook compress') to OUT; '-' = stdin/stdout.

    The header, the stored model and both checksums are verified before anything is
    decoded, and the CRC32 of the result before anything is written: a damaged or foreign
    file gives one line of error, a non-zero exit and no OUT. Files of every format version
    this codebook has written are read. An existing OUT is refused unless --force.

    \b
    Examples:
      codebook decompress book.cbk book.txt
      codebook decompress log.cbk log.txt --model-from book.txt
    """
    from .. import container
    from ..errors import ContainerError

    if train_path is not None and train_path == "-" and in_path == "-":
        raise click.UsageError("IN and TRAIN cannot both be stdin")
    check_output(out_path, in_path, force)
    status = Status(quiet)
    try:
        where = "stdin" if in_path == "-" else in_path
        try:
            blob = read_container(in_path, max_size, status)
            # IN first, so that a foreign IN fails before TRAIN is read, and TRAIN read only up to
            # one byte more than the training file IN was primed on (a longer one is the wrong file).
            train = None if train_path is None else _read_train_for(blob, train_path, max_size, status)
            status.stage(f"decoding {human_size(len(blob))}")
            header, data = container.decode(blob, max_size=max_size, train=train)
        except ContainerError as exc:
            raise ContainerError(f"{where}: {exc}") from None
        del blob
        status.stage(f"writing {human_size(len(data))}")
        write_output(out_path, data, force)
    finally:
        status.done()
    if quiet:
        return
    report = {
        "in": in_path,
        "out": out_path,
        "in_bytes": header.file_bytes,
        "out_bytes": len(data),
        "coder": header.coder,
        "format_version": header.version,
        "model_kind": header.model_kind,
        "model_from": train_path,
        "crc32": f"{header.data_crc32:08x}",
        "crc32_ok": True,
    }
    _emit(out_path, report, fmt, _decompress_table)


def _read_train_for(blob, train_path: str, max_size: int, status):
    """TRAIN for decompressing ``blob``, read only up to one byte more than the training file
    the blob was primed on: a longer TRAIN is the wrong file, said before reading it all."""
    from .. import container
    from ..errors import InputTooLargeError, TrainingDataError

    info = container.training_info(blob, max_size=max_size)
    if info is None:  # the container would refuse TRAIN after reading it: refuse it unread
        header = container.read_header(blob, max_size=max_size)
        raise TrainingDataError(f"this file (coder {header.coder!r}) was compressed without a training file; "
                                f"TRAIN (--model-from) is not needed")
    size = info["size"]
    if size >= max_size:
        return read_input(train_path, max_size, status=status, what="TRAIN")
    try:
        return read_input(train_path, size, status=status, what="TRAIN")
    except InputTooLargeError:
        raise TrainingDataError(f"TRAIN {source_name(train_path)} is not the training file this file was "
                                f"compressed with ({size} bytes, CRC32 {info['crc32']:08x}): it is longer") from None


def _decompress_table(r: dict) -> str:
    return (f"{r['in']} ({r['in_bytes']} bytes) -> {r['out']} ({r['out_bytes']} bytes), coder {r['coder']}, "
            f"CRC32 {r['crc32']} ok")


__all__ = ["choose_model", "compress", "decompress", "default_coder", "own_model_bound"]
