"""codebook's context-mixing model "cm" against gzip -9, bzip2 -9, xz -9e and zstd -19.

    python scripts/bench.py compressors [--quick]
    python scripts/benches/compressors.py [--mb 8] [--repeats 3] [--memory 22] [--quick]

Inputs, all assembled at run time (nothing large is committed):

* every text file of ``tests/data`` (the three data texts and the folder's README and
  generator script);
* a multi-MB text corpus: the running Python's standard-library ``.py`` sources (outside
  ``site-packages``), concatenated in sorted path order, the first ``--mb`` MiB (8 by default);
* a binary: the first ``--mb`` MiB of an ELF file of this machine, the running
  interpreter's executable if it is at least 1 MiB, else its shared ``libpython``.

Competitors, in the same run on the same bytes: ``zlib.compress(data, 9)`` (DEFLATE at the
level of ``gzip -9``; zlib's 6-byte framing instead of gzip's 18), ``bz2.compress(data, 9)``,
``lzma.compress(data, preset=9 | PRESET_EXTREME)`` (``xz -9e``, .xz format) and
``zstandard.ZstdCompressor(level=19)`` (the ``bench`` extra; skipped if missing). Their sizes
include their own headers.

codebook's size is the file the container would write for a cm stream: the payload
(``ceil(bits / 8)`` bytes, the exact bit length of a real stream that was decoded and
compared) plus the container's fixed 44 bytes, the coder name and the model's JSON table
(``header`` column). ``loss`` is the model's own log-loss (bits/byte), which the payload
must match within the documented window (checked here on every input).

Speed (corpus only): compress and decompress of the payload by the library
(``ContextMixingCoder.encode``/``decode``; two blocks in two threads for inputs of at least
1 MiB), alternating with ``xz -9e`` on the same bytes, ``--repeats`` times; the table gives
the median MB/s (1e6 bytes per second of wall time) and the range over the repeats, and the
median of the paired ratios to xz. The machine may be shared: the paired ratio is the
number to compare across runs. The cost of the two blocks is measured by coding the corpus
once more as one block.
"""

from __future__ import annotations

import argparse
import bz2
import json
import lzma
import math
import os
import resource
import statistics
import sys
import sysconfig
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from codebook.contextmix import ContextMixingCoder  # noqa: E402

DATA = ROOT / "tests" / "data"
CONTAINER_FIXED = 44  # fixed header (40) + body CRC (4), docs/container.md


# --------------------------------------------------------------------------- inputs
def text_files() -> list[tuple[str, bytes]]:
    out = []
    for path in sorted(DATA.iterdir()):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append((f"tests/data/{path.name}", raw))
    return out


def stdlib_corpus(mib: float) -> tuple[str, bytes]:
    std = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in std.rglob("*.py") if "site-packages" not in p.parts)
    limit = int(mib * (1 << 20))
    chunks, size = [], 0
    for p in files:
        if size >= limit:
            break
        raw = p.read_bytes()
        chunks.append(raw)
        size += len(raw)
    return f"stdlib .py, {mib:g} MiB", b"".join(chunks)[:limit]


def elf_binary(mib: float) -> tuple[str, bytes] | None:
    candidates = [Path(os.path.realpath(sys.executable))]
    libdir, soname = sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")
    if libdir and soname:
        candidates.append(Path(libdir) / soname)
    for path in candidates:
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        if raw[:4] == b"\x7fELF" and len(raw) >= 1 << 20:
            return f"{path.name} (ELF), {min(len(raw), int(mib * (1 << 20))) / (1 << 20):.3g} MiB", raw[: int(mib * (1 << 20))]
    return None


# --------------------------------------------------------------------------- competitors
def competitors() -> dict:
    comp = {
        "gzip -9": lambda d: zlib.compress(d, 9),
        "bzip2 -9": lambda d: bz2.compress(d, 9),
        "xz -9e": lambda d: lzma.compress(d, preset=9 | lzma.PRESET_EXTREME),
    }
    try:
        import zstandard

        comp["zstd -19"] = lambda d: zstandard.ZstdCompressor(level=19).compress(d)
    except ImportError:
        pass
    return comp


def cm_file(data: bytes, memory: int) -> dict:
    code = ContextMixingCoder(memory=memory)
    bits = code.encode(data)
    loss = code.last_log_loss
    back = code.decode(bits, len(data), dtype=np.uint8)
    if back.tobytes() != data:
        raise AssertionError("cm did not round-trip")
    lo, hi = code.excess_bounds(len(data))
    if not lo <= len(bits) - loss <= hi:
        raise AssertionError(f"payload - log-loss = {len(bits) - loss} outside [{lo}, {hi}]")
    header = CONTAINER_FIXED + len(code.name) + len(json.dumps(code.to_dict(), separators=(",", ":")))
    return {"bits": len(bits), "loss": loss, "header": header, "bytes": (len(bits) + 7) // 8 + header}


def bpb(nbytes: float, n: int) -> float:
    return 8 * nbytes / n


# --------------------------------------------------------------------------- tables
def ratio_table(inputs, memory: int) -> None:
    comp = competitors()
    names = list(comp)
    print(f"\n### Size (bits/byte; file sizes include each format's header; cm --memory {memory})\n")
    print("| input | bytes | " + " | ".join(names) + " | cm file | cm payload | cm loss | header | cm / best |")
    print("|---|---:|" + "---:|" * len(names) + "---:|---:|---:|---:|---:|")
    for label, data in inputs:
        n = len(data)
        sizes = {name: len(fn(data)) for name, fn in comp.items()}
        r = cm_file(data, memory)
        best = min(sizes.values())
        best_name = min(sizes, key=sizes.get)
        cells = " | ".join(f"{bpb(sizes[k], n):.3f}" for k in names)
        print(
            f"| {label} | {n} | {cells} | **{bpb(r['bytes'], n):.3f}** | {r['bits'] / n:.3f} | "
            f"{r['loss'] / n:.3f} | {r['header']} B | {r['bytes'] / best:.3f} ({best_name}) |",
            flush=True,
        )


def speed_table(label: str, data: bytes, memory: int, repeats: int) -> None:
    n = len(data)
    code = ContextMixingCoder(memory=memory)
    code.encode(data[:1000])  # compile outside the timings
    xz = competitors()["xz -9e"]
    enc, dec, xz_t, pair_e, pair_d = [], [], [], [], []
    cpu_e, cpu_d = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        bits = code.encode(data)
        t1, c1 = time.perf_counter(), time.process_time()
        back = code.decode(bits, n, dtype=np.uint8)
        t2, c2 = time.perf_counter(), time.process_time()
        xz(data)
        t3 = time.perf_counter()
        if back.tobytes() != data:
            raise AssertionError("cm did not round-trip")
        enc.append(t1 - t0)
        dec.append(t2 - t1)
        cpu_e.append(c1 - c0)
        cpu_d.append(c2 - c1)
        xz_t.append(t3 - t2)
        pair_e.append((t3 - t2) / (t1 - t0))
        pair_d.append((t3 - t2) / (t2 - t1))
    one = ContextMixingCoder(memory=memory, blocks=1).encode(data)

    def mbs(ts):
        rates = [n / t / 1e6 for t in ts]
        return f"{statistics.median(rates):.2f} ({min(rates):.2f}-{max(rates):.2f})"

    blocks = code.block_count(n)
    print(f"\n### Speed on {label} ({n} bytes, {blocks} blocks in {min(blocks, os.cpu_count() or 1)} threads, "
          f"{repeats} paired repeats, load average {os.getloadavg()[0]:.1f} at the end)\n")
    print("| | MB/s median (range) | CPU-time MB/s (median) | median speed-up over xz -9e in the same repeat |")
    print("|---|---:|---:|---:|")
    print(f"| cm compress | {mbs(enc)} | {statistics.median(n / t / 1e6 for t in cpu_e):.2f} | {statistics.median(pair_e):.2f}x |")
    print(f"| cm decompress | {mbs(dec)} | {statistics.median(n / t / 1e6 for t in cpu_d):.2f} | {statistics.median(pair_d):.2f}x |")
    print(f"| xz -9e compress | {mbs(xz_t)} | | 1 |")
    print(f"\nTwo blocks cost {len(bits) - len(one)} bits ({100 * (len(bits) / len(one) - 1):.2f} %) over one "
          f"block ({len(one) / n:.4f} -> {len(bits) / n:.4f} bits/byte).")
    model = code.memory_bytes(n)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"Model state: {model / 1e6:.1f} MB for {blocks} blocks ({code.memory_bytes(1) / 1e6:.1f} MB each); "
          f"peak RSS of this benchmark process: {peak / 1e6:.0f} MB.")


def run(quick: bool = False, mib: float | None = None, repeats: int | None = None, memory: int = 22) -> None:
    mib = mib if mib is not None else (1.0 if quick else 8.0)
    repeats = repeats if repeats is not None else (1 if quick else 3)
    corpus = stdlib_corpus(mib)
    inputs = text_files() + [corpus]
    binary = elf_binary(min(mib, 4.0))
    if binary is not None:
        inputs.append(binary)
    ratio_table(inputs, memory)
    speed_table(corpus[0], corpus[1], memory, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=None, help="MiB of corpus (default 8; 1 with --quick)")
    parser.add_argument("--repeats", type=int, default=None, help="paired timing repeats (default 3)")
    parser.add_argument("--memory", type=int, default=22, help="cm --memory (log2 bytes per table)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    run(args.quick, args.mb, args.repeats, args.memory)


if __name__ == "__main__":
    main()
