"""``codebook compress`` / ``decompress``: real files, a byte model learned from another file.

Thin over :mod:`codebook.container`: read the input, build the model and the coder, call the
library, write the output safely, print what it cost against H(p_IN), H(p_IN, q) and
D(p_IN || q).

Output safety (both commands): OUT is written to a temporary file in its own directory and
moved into place only when everything succeeded, so an error never leaves a partial file; an
existing OUT is never overwritten without ``--force``; ``-`` reads stdin / writes stdout, and
on stdout nothing is written unless the whole result was computed and verified first.
"""

from __future__ import annotations

import contextlib
import math
import os
import shlex
import stat
import sys
import tempfile

import click
import numpy as np

from .. import coders, container
from ..container import DEFAULT_MAX_SIZE
from ..errors import ContainerError, DistributionError
from ..measures import cross_entropy, entropy, kl_divergence
from .output import FORMAT_OPTION, dump_json, fmt_bits, table

DEFAULT_CODER_PREFERENCE = ("rans", "arithmetic", "huffman")
"""``--coder`` default: the first of these that is registered. rANS and arithmetic coding get
within a few bits of -log2 q_hat(x^n) per file; Huffman pays up to a bit per byte more, but is
the one always present."""

KT_SMOOTHING = 0.5
"""Default add-A smoothing of a model learned from TRAIN (Krichevsky-Trofimov), so that bytes
that do not occur in TRAIN keep a positive probability and stay codable."""


def default_coder() -> str:
    for name in DEFAULT_CODER_PREFERENCE:
        if name in coders.names():
            return name
    return coders.names()[0]


def _coder_help() -> str:
    return (
        f"Any registered coder: {', '.join(coders.names())}. Default: the first registered of "
        f"{', '.join(DEFAULT_CODER_PREFERENCE)} (now: {default_coder()})."
    )


MAX_SIZE_OPTION = click.option(
    "--max-size",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_SIZE,
    show_default=True,
    metavar="BYTES",
    help="Largest original accepted, in bytes. Memory use is about 3.5x the original size.",
)
FORCE_OPTION = click.option("--force", "-f", is_flag=True, help="Overwrite OUT if it exists.")
QUIET_OPTION = click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")


# --------------------------------------------------------------------------- file handling
def read_input(path: str, max_size: int, what: str = "IN", limit: str = "--max-size") -> bytes:
    """All bytes of ``path`` (``-`` = stdin), refusing more than ``max_size`` bytes.

    A regular file is size-checked before it is read in one piece; a pipe or device is read
    in 16 MiB chunks up to ``max_size + 1`` bytes, so a limit never becomes an allocation.
    ``limit`` names where ``max_size`` comes from, for the error message.
    """
    source = "stdin" if path == "-" else repr(path)
    if path == "-":
        data = _read_limited(sys.stdin.buffer, max_size)
    else:
        if os.path.isdir(path):
            raise ContainerError(f"{what} {path!r} is a directory")
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISREG(st.st_mode):
                if st.st_size > max_size:
                    raise ContainerError(f"{what} {source} is {st.st_size} bytes, above {limit} {max_size}")
                data = fh.read()
            else:
                data = _read_limited(fh, max_size)
    if len(data) > max_size:
        raise ContainerError(f"{what} {source} is more than {max_size} bytes ({limit})")
    return data


def count_bytes(path: str) -> np.ndarray:
    """Byte counts of a file (``-`` = stdin) read in 16 MiB chunks: TRAIN needs no size limit."""
    counts = np.zeros(container.ALPHABET_SIZE, dtype=np.int64)
    if path != "-" and os.path.isdir(path):
        raise ContainerError(f"TRAIN {path!r} is a directory")
    with contextlib.nullcontext(sys.stdin.buffer) if path == "-" else open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            counts += container.byte_counts(chunk)
    return counts


def _read_limited(fh, limit: int) -> bytes:
    chunks, total = [], 0
    while total <= limit:
        chunk = fh.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


_CHUNK = 1 << 24


def check_output(out: str, in_path: str, force: bool) -> None:
    """Fail early: OUT exists (without --force), or OUT is IN."""
    if out == "-":
        return
    if os.path.isdir(out):
        raise ContainerError(f"OUT {out!r} is a directory")
    directory = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(directory):
        raise ContainerError(f"cannot write OUT {out!r}: the directory {directory!r} does not exist")
    if os.path.exists(out):
        if in_path != "-" and os.path.exists(in_path) and os.path.samefile(in_path, out):
            raise ContainerError(f"IN and OUT are the same file ({out!r})")
        if not force:
            raise ContainerError(f"OUT {out!r} already exists; use --force to overwrite it")


def write_output(out: str, data: bytes, force: bool) -> None:
    """Write ``data`` to ``out`` all at once: temp file + rename, or stdout for ``-``.

    Without ``force`` the final step is a hard link, which fails atomically if ``out``
    appeared meanwhile (falling back to a check + rename where links are not supported).
    """
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if force and os.path.exists(out) and not stat.S_ISREG(os.stat(out).st_mode):
        # /dev/null, a FIFO, a terminal: write into it; renaming over it would replace the node.
        with open(out, "wb") as fh:
            fh.write(data)
        return
    directory = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(out)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give OUT the usual permissions
        if force:
            os.replace(tmp, out)
            return
        try:
            os.link(tmp, out)
        except FileExistsError:
            raise ContainerError(f"OUT {out!r} already exists; use --force to overwrite it") from None
        except OSError:
            if os.path.exists(out):
                raise ContainerError(f"OUT {out!r} already exists; use --force to overwrite it") from None
            os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _say(out: str, text: str) -> None:
    """Reports go to stdout, or to stderr when stdout carries the data."""
    click.echo(text, err=(out == "-"))


# --------------------------------------------------------------------------- compress
@click.command()
@click.argument("in_path", metavar="IN")
@click.argument("out_path", metavar="OUT")
@click.option(
    "--model-from",
    "train_path",
    metavar="TRAIN",
    help="Learn the byte model from this file instead of IN (add-A smoothed, see --smoothing).",
)
@click.option("--coder", default=None, metavar="NAME", help=_coder_help())
@click.option(
    "--smoothing",
    type=click.FloatRange(min=0),
    default=None,
    metavar="A",
    help=f"Add-A smoothing of the byte counts: q(x) = (c(x)+A)/(n+256A). Default {KT_SMOOTHING} "
    "(Krichevsky-Trofimov) with --model-from, 0 without (every byte of IN is then in the model).",
)
@click.option("--precision", type=int, default=None, metavar="B", help="Stream coders only: frequencies sum to 2**B.")
@MAX_SIZE_OPTION
@FORCE_OPTION
@QUIET_OPTION
@FORMAT_OPTION
def compress(in_path, out_path, train_path, coder, smoothing, precision, max_size, force, quiet, fmt) -> None:
    """Compress IN to OUT with a byte (order-0) model stored in OUT; '-' = stdin/stdout.

    The model q is the byte distribution of TRAIN (--model-from), or of IN itself. The
    report compares the payload's bits per byte with H(p_IN), H(p_IN, q) = H(p_IN) +
    D(p_IN || q) and the coder's own model, and shows the header (stored model) separately.
    H(p_IN, q_TRAIN) is exactly what 'codebook measure --p file:IN --q file+A:TRAIN' prints.
    An existing OUT is refused unless --force.

    \b
    Examples:
      codebook compress book.txt book.cbk
      codebook compress log.txt log.cbk --model-from book.txt --coder huffman
      cat book.txt | codebook compress - - > book.cbk
    """
    coder = coder or default_coder()
    kind = coders.info(coder).kind
    options = {}
    if precision is not None:
        if kind != "stream":
            stream = ", ".join(coders.names("stream")) or "none registered"
            raise click.UsageError(f"--precision applies to stream coders ({stream}); got --coder {coder}")
        options["precision"] = precision
    if train_path is not None and train_path == "-" and in_path == "-":
        raise click.UsageError("IN and TRAIN cannot both be stdin")
    check_output(out_path, in_path, force)
    data = read_input(in_path, max_size)
    counts_in = container.byte_counts(data)
    if train_path is not None:
        smoothing = KT_SMOOTHING if smoothing is None else smoothing
        counts = count_bytes(train_path)
        if not counts.any() and smoothing == 0:
            raise DistributionError(f"TRAIN {train_path!r} is empty; a model needs --smoothing A > 0")
        q = container.counts_distribution(counts, smoothing)
    else:
        smoothing = 0.0 if smoothing is None else smoothing
        if not data and smoothing == 0:
            smoothing = 1.0  # an empty IN has no byte distribution: code it with the uniform one
        q = container.counts_distribution(counts_in, smoothing)
    code = coders.build(coder, q, **options)
    blob = container.compress(data, code, model=q, max_size=max_size, counts=counts_in)
    header = container.read_header(blob, max_size=max_size)
    write_output(out_path, blob, force)
    if quiet:
        return
    report = _report(counts_in, q, code, header, in_path, out_path, train_path, smoothing, kind)
    if fmt == "json":
        _say(out_path, dump_json(report))
    else:
        _say(out_path, _report_table(report))


def _report(counts_in, q, code, header, in_path, out_path, train_path, smoothing, kind) -> dict:
    n = int(counts_in.sum())
    result = {
        "in": in_path,
        "out": out_path,
        "coder": code.name,
        "kind": kind,
        "model_from": train_path if train_path is not None else in_path,
        "model_from_in": train_path is None,
        "smoothing": smoothing,
        "n_bytes": n,
        "payload_bits": header.payload_bits,
        "payload_bits_per_byte": container.bits_per_byte(header.payload_bits, n),
        "header_bytes": header.header_bytes,
        "file_bytes": header.file_bytes,
        "file_bits_per_byte": container.bits_per_byte(8 * header.file_bytes, n),
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
        # quantized model; an adaptive coder has no fixed model.
        if kind == "prefix":
            result["coder_model_bits_per_byte"] = code.expected_length(p)
        elif kind == "stream" and getattr(code, "model", None) is not None:
            result["coder_model_bits_per_byte"] = cross_entropy(p, code.model)
    return result


def _report_table(r: dict) -> str:
    q_name = "q_IN" if r["model_from_in"] else "q_TRAIN"
    if r["model_from_in"]:
        if r["smoothing"] == 0:
            source = "byte distribution of IN itself, no smoothing needed (every byte of IN has q > 0)"
        else:
            source = f"byte distribution of IN itself, add-{r['smoothing']:g} smoothing"
    else:
        kt = " (Krichevsky-Trofimov)" if r["smoothing"] == KT_SMOOTHING else ""
        source = f"byte distribution of TRAIN {r['model_from']}, add-{r['smoothing']:g} smoothing{kt}"
    model_row = {
        "prefix": ("E_p_IN[l] (code lengths)", "bits/byte"),
        "stream": ("H(p_IN,q_hat) (quantized)", "bits/byte"),
    }.get(r["kind"])
    rows = [
        ("H(p_IN)", _num(r["H_p"]), "bits/byte"),
        (f"H(p_IN,{q_name})", _num(r["H_pq"]), "bits/byte"),
        (f"D(p_IN||{q_name})", _num(r["D_pq"]), "bits/byte"),
    ]
    if model_row:
        rows.append((model_row[0], _num(r["coder_model_bits_per_byte"]), model_row[1]))
    rows += [
        ("payload", _num(r["payload_bits_per_byte"]), f"bits/byte ({r['payload_bits']} bits)"),
        ("whole file", _num(r["file_bits_per_byte"]), f"bits/byte ({r['file_bytes']} bytes)"),
        ("header + model", str(r["header_bytes"]), "bytes (stored model, fields, CRCs)"),
    ]
    lines = [
        f"{r['in']} -> {r['out']}: {r['n_bytes']} bytes, coder {r['coder']} ({r['kind']})",
        f"model: {source}",
        table(["quantity", "value", "unit"], rows, "lrl"),
    ]
    if r["kind"] == "adaptive":
        lines.append("the adaptive coder learns its own model while coding: q above is a reference, not used")
    if "measure_command" in r:
        lines.append(f"H(p_IN,{q_name}) and D are those of: {r['measure_command']}")
    return "\n".join(lines)


def _num(value: float) -> str:
    return "n/a" if isinstance(value, float) and math.isnan(value) else fmt_bits(value)


# --------------------------------------------------------------------------- decompress
@click.command()
@click.argument("in_path", metavar="IN")
@click.argument("out_path", metavar="OUT")
@MAX_SIZE_OPTION
@FORCE_OPTION
@QUIET_OPTION
def decompress(in_path, out_path, max_size, force, quiet) -> None:
    """Decompress IN (written by 'codebook compress') to OUT; '-' = stdin/stdout.

    The header, the stored model and both checksums are verified before anything is
    decoded, and the CRC32 of the result before anything is written: a damaged or foreign
    file gives one line of error, a non-zero exit and no OUT. An existing OUT is refused
    unless --force.

    \b
    Example:
      codebook decompress book.cbk book.txt
    """
    check_output(out_path, in_path, force)
    # A regular file is read at its real size (the header's n is then checked against
    # --max-size before anything is decoded); a pipe is bounded by what an original of at most
    # --max-size bytes can reasonably compress to.
    if in_path != "-" and os.path.isfile(in_path):
        blob = read_input(in_path, os.path.getsize(in_path))
    else:
        blob = read_input(in_path, container.max_file_size(max_size), limit=f"the limit for pipes derived from --max-size {max_size}")
    try:
        header, data = container.decode(blob, max_size=max_size)
    except ContainerError as exc:
        raise ContainerError(f"{'stdin' if in_path == '-' else in_path}: {exc}") from None
    del blob
    write_output(out_path, data, force)
    if not quiet:
        crc = f"CRC32 {header.data_crc32:08x} ok"
        _say(out_path, f"{in_path} -> {out_path}: {len(data)} bytes, coder {header.coder}, {crc}")


__all__ = ["compress", "decompress", "default_coder"]
