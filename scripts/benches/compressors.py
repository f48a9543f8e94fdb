"""codebook compress (the cm model, its default) against gzip -9, bzip2 -9, xz -9e and zstd -19.

    python scripts/bench.py compressors [--quick]
    python scripts/benches/compressors.py [--mb 8] [--repeats 5] [--profiles] [--quick]

Inputs, all assembled at run time (nothing large is committed):

* every text file of ``tests/data`` (the three data texts and the folder's README and
  generator script);
* a multi-MB text corpus: the running Python's standard-library ``.py`` sources (outside
  ``site-packages``), concatenated in sorted path order, the first ``--mb`` MiB (8 by default);
* a binary: the first ``min(--mb, 4)`` MiB of an ELF file of this machine, the running
  interpreter's executable if it is at least 1 MiB, else its shared ``libpython``.

Competitors, in the same run on the same bytes: ``zlib.compress(data, 9)`` (DEFLATE at the
level of ``gzip -9``; zlib's 6-byte framing instead of gzip's 18), ``bz2.compress(data, 9)``,
``lzma.compress(data, preset=9 | PRESET_EXTREME)`` (``xz -9e``, .xz format) and
``zstandard.ZstdCompressor(level=19)`` (the ``bench`` extra; skipped if missing). Their sizes
include their own headers; codebook's is the whole file ``codebook compress`` writes
(``container.compress`` with ``ContextMixingCoder()``: header, model section, payload, CRCs),
decoded again and compared, its payload checked against the model's log-loss.

Tables (Markdown, to paste into docs):

1. **Sizes**: bits per byte of every compressor on every input, and cm / best other.
2. **Speed** on the corpus and the binary: compress and decompress MB/s (1e6 bytes per second of
   wall time; cm through the library, the CLI's own start-up not counted), median and range over
   ``--repeats`` rounds in which every compressor runs once each way, in a rotating order (so
   a change of load hits all alike); CPU-time MB/s (bytes per CPU-second of the process, all
   threads: steadier on a shared machine); and the peak memory of each operation, measured in
   a child process (its peak RSS minus its peak with the input loaded and cm's kernel loaded).
3. **Profiles** (``--profiles``; always in a full run): cm's configurations, the shipped ones
   and leaner or stronger variants of the same kernel, on every text input (the corpus cut to
   2 MiB, one block) with their CPU-time speed on it, both ways.

The machine may be shared: the header prints the load average before and after.
"""

from __future__ import annotations

import argparse
import bz2
import lzma
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import zlib
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from codebook import container, filemodels  # noqa: E402
from codebook.contextmix import ContextMixingCoder  # noqa: E402
from codebook.contextmix import coder as cm  # noqa: E402

DATA = ROOT / "tests" / "data"


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
            size = min(len(raw), int(mib * (1 << 20)))
            return f"{path.name} (ELF), {size / (1 << 20):.3g} MiB", raw[:size]
    return None


# --------------------------------------------------------------------------- compressors
def competitors() -> dict:
    """name -> (compress, decompress, child-process setup code)."""
    comp = {
        "gzip -9": (lambda d: zlib.compress(d, 9), zlib.decompress, "import zlib; c = lambda d: zlib.compress(d, 9); "
                    "u = zlib.decompress"),
        "bzip2 -9": (lambda d: bz2.compress(d, 9), bz2.decompress, "import bz2; c = lambda d: bz2.compress(d, 9); "
                     "u = bz2.decompress"),
        "xz -9e": (lambda d: lzma.compress(d, preset=9 | lzma.PRESET_EXTREME), lzma.decompress,
                   "import lzma; c = lambda d: lzma.compress(d, preset=9 | lzma.PRESET_EXTREME); u = lzma.decompress"),
    }
    try:
        import zstandard

        comp["zstd -19"] = (lambda d: zstandard.ZstdCompressor(level=19).compress(d),
                            lambda b: zstandard.ZstdDecompressor().decompress(b),
                            "import zstandard; c = lambda d: zstandard.ZstdCompressor(level=19).compress(d); "
                            "u = lambda b: zstandard.ZstdDecompressor().decompress(b)")
    except ImportError:
        pass
    return comp


CM_SETUP = ("from codebook import container; from codebook.contextmix import ContextMixingCoder; "
            "c = lambda d: container.compress(d, ContextMixingCoder()); u = container.decompress; "
            "w = lambda: ContextMixingCoder(memory=16, primer=False).encode(b'warm up the kernel')")
"""Child-process code for the memory measurement: ``c`` compresses, ``u`` decompresses, ``w``
loads what the first call would load (the numba kernel) without allocating a model's tables."""


def cm_compress(data: bytes) -> bytes:
    return container.compress(data, ContextMixingCoder())


def cm_file(data: bytes) -> bytes:
    """The file ``codebook compress`` writes, decoded again and checked against the model's log-loss."""
    code = ContextMixingCoder()
    blob = container.compress(data, code)
    header, back = container.decode(blob)
    if back != data:
        raise AssertionError("cm did not round-trip")
    filemodels.summary(data, code, header.payload_bits, bound=False)  # raises if the payload is outside its window
    return blob


def bpb(nbytes: float, n: int) -> float:
    return 8 * nbytes / n


# --------------------------------------------------------------------------- tables
def size_table(inputs) -> None:
    comp = competitors()
    names = list(comp)
    print("\n### Sizes (bits per byte; each file with its format's own header; cm = `codebook compress IN OUT`)\n")
    print("| input | bytes | " + " | ".join(names) + " | **cm** | cm / best other |")
    print("|---|---:|" + "---:|" * len(names) + "---:|---:|")
    for label, data in inputs:
        n = len(data)
        sizes = {name: len(fn[0](data)) for name, fn in comp.items()}
        blob = cm_file(data)
        best = min(sizes, key=sizes.get)
        cells = " | ".join(f"{bpb(sizes[k], n):.3f}" for k in names)
        print(f"| {label} | {n} | {cells} | **{bpb(len(blob), n):.3f}** | {len(blob) / sizes[best]:.3f} ({best}) |",
              flush=True)


def _rates(n: int, seconds: list[float]) -> tuple[float, float, float]:
    rates = [n / t / 1e6 for t in seconds]
    return statistics.median(rates), min(rates), max(rates)


def child_peak(setup: str, path: str, op: str) -> float:
    """Peak RSS (MB) of a child that runs ``op`` (``c``: compress, ``u``: decompress) once on the
    bytes of ``path``, minus its RSS just before, with those bytes loaded (and cm's kernel, ``w``).
    Linux only: the peak (VmHWM) is reset through ``/proc/self/clear_refs``."""
    code = f"""
{setup}
def status(field):
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'):
            return int(line.split()[1])
data = open({path!r}, 'rb').read()
globals().get("w", lambda: None)()
base = status('VmRSS')
with open('/proc/self/clear_refs', 'w') as fh:
    fh.write('5')  # reset the peak (VmHWM) to the current RSS: start-up peaks are not counted
out = {op}(data)
print((status('VmHWM') - base) / 1024)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(res.stdout.strip())


def speed_table(label: str, data: bytes, repeats: int, memory: bool) -> None:
    n = len(data)
    comp = {"cm": (cm_compress, container.decompress, CM_SETUP), **competitors()}
    blobs = {name: fns[0](data) for name, fns in comp.items()}  # warm up (numba, the primer's state)
    wall = {name: ([], []) for name in comp}
    cpu = {name: ([], []) for name in comp}
    names = list(comp)
    for r in range(repeats):
        for name in names[r % len(names):] + names[: r % len(names)]:
            c, u, _ = comp[name]
            t0, p0 = time.perf_counter(), time.process_time()
            blob = c(data)
            t1, p1 = time.perf_counter(), time.process_time()
            back = u(blob)
            t2, p2 = time.perf_counter(), time.process_time()
            if back != data:
                raise AssertionError(f"{name} did not round-trip")
            wall[name][0].append(t1 - t0)
            wall[name][1].append(t2 - t1)
            cpu[name][0].append(p1 - p0)
            cpu[name][1].append(p2 - p1)
    peaks = {}
    if memory:
        with tempfile.TemporaryDirectory() as tmp:
            original = Path(tmp) / "original"
            original.write_bytes(data)
            for name in names:
                packed = Path(tmp) / "packed"
                packed.write_bytes(blobs[name])
                peaks[name] = [child_peak(comp[name][2], str(original), "c"), child_peak(comp[name][2], str(packed), "u")]
    blocks = ContextMixingCoder().block_count(n)
    print(f"\n### Speed on {label} ({n} bytes; cm: profile {ContextMixingCoder().profile_for(n)}, {blocks} "
          f"block{'s' * (blocks > 1)} in {min(blocks, os.cpu_count() or 1)} thread{'s' * (blocks > 1)}; "
          f"{repeats} rounds, load average {os.getloadavg()[0]:.1f} at the end)\n")
    print("| | bits/byte | compress MB/s, median (range) | decompress MB/s | compress, per CPU-s | decompress, per CPU-s "
          "| memory compress / decompress |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in names:
        ce, cl, ch = _rates(n, wall[name][0])
        de, dl, dh = _rates(n, wall[name][1])
        mem = f"{peaks[name][0]:.0f} / {peaks[name][1]:.0f} MB" if name in peaks else ""
        shown = "**cm**" if name == "cm" else name
        print(f"| {shown} | {bpb(len(blobs[name]), n):.3f} | {ce:.2f} ({cl:.2f}-{ch:.2f}) | {de:.2f} ({dl:.2f}-{dh:.2f}) | "
              f"{_rates(n, cpu[name][0])[0]:.2f} | {_rates(n, cpu[name][1])[0]:.2f} | {mem} |", flush=True)
    code = ContextMixingCoder()
    print(f"\ncm's model state: {code.memory_bytes(n) / 1e6:.0f} MB ({blocks} x "
          f"{code.memory_bytes(n) / blocks / 1e6:.0f} MB at memory={code.memory}).")


# --------------------------------------------------------------------------- profiles
O2, O3, O4, O6, W, WW, COL = range(7)
A1, A2 = cm.K.APM_ORDER0, cm.K.APM_ORDER1
VARIANTS = {
    "max (shipped)": cm.PROFILES["max"],
    "max, 1 mixer": replace(cm.PROFILES["max"], mix2=False),
    "max, order-1 SSE only": replace(cm.PROFILES["max"], apm=A2),
    "6 contexts (no column)": replace(cm.PROFILES["max"], contexts=(O2, O3, O4, O6, W, WW)),
    "5 contexts, 2 mixers": cm.Profile((O2, O3, O4, W, WW), True, A2, 0),
    "4 contexts, 2 mixers": cm.Profile((O2, O3, O4, W), True, A2, 0),
    "fast (shipped)": cm.PROFILES["fast"],
    "fast, mixer dead zone 32": replace(cm.PROFILES["fast"], skip=32),
    "3 contexts": cm.Profile((O2, O3, W), False, A2, 0),
}


def profile_table(inputs) -> None:
    comp = competitors()
    best = {label: min(len(fns[0](d)) for fns in comp.values()) for label, d in inputs}
    corpus_label, corpus = inputs[-1]
    header = 52  # fixed fields, "cm", the cm model section, CRCs: what a file adds to the payload
    print(f"\n### cm's profiles and variants (file size / best other on each input; speed on {corpus_label}, "
          "one block, per CPU-second)\n")
    print("| configuration | " + " | ".join(lbl.replace("tests/data/", "") for lbl, _ in inputs) +
          " | compress MB/s | decompress MB/s |")
    print("|---|" + "---:|" * (len(inputs) + 2))
    rows = [(name, prof, True) for name, prof in VARIANTS.items()] + [("max, no primer", cm.PROFILES["max"], False)]
    for name, prof, primer in rows:
        cm.PROFILES["bench"] = prof
        cm.PROFILE_NAMES = ("auto", *cm.PROFILES)
        code = ContextMixingCoder(profile="bench", blocks=1, primer=primer)
        cells = [f"{((len(code.encode(d)) + 7) // 8 + header) / best[lbl]:.3f}" for lbl, d in inputs]
        bits = code.encode(corpus)
        te, td = [], []
        for _ in range(3):
            p0 = time.process_time()
            code.encode(corpus)
            p1 = time.process_time()
            code.decode(bits, len(corpus), dtype="uint8")
            te.append(p1 - p0)
            td.append(time.process_time() - p1)
        n = len(corpus)
        print(f"| {name} | " + " | ".join(cells) + f" | {n / min(te) / 1e6:.2f} | {n / min(td) / 1e6:.2f} |", flush=True)
    del cm.PROFILES["bench"]
    cm.PROFILE_NAMES = ("auto", *cm.PROFILES)


def run(quick: bool = False, mib: float | None = None, repeats: int | None = None, profiles: bool | None = None) -> None:
    mib = mib if mib is not None else (1.0 if quick else 8.0)
    repeats = repeats if repeats is not None else (1 if quick else 5)
    print(f"load average {os.getloadavg()[0]:.1f} at the start, {os.cpu_count()} CPUs")
    corpus = stdlib_corpus(mib)
    inputs = text_files() + [corpus]
    binary = elf_binary(min(mib, 4.0))
    size_table(inputs + ([binary] if binary else []))
    speed_table(corpus[0], corpus[1], repeats, memory=not quick)
    if binary is not None and not quick:
        speed_table(binary[0], binary[1], repeats, memory=False)
    if profiles if profiles is not None else not quick:
        profile_table(text_files() + [stdlib_corpus(min(mib, 2.0))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=None, help="MiB of corpus (default 8; 1 with --quick)")
    parser.add_argument("--repeats", type=int, default=None, help="timing rounds (default 5; 1 with --quick)")
    parser.add_argument("--profiles", action=argparse.BooleanOptionalAction, default=None,
                        help="the profiles table (default: in a full run, not with --quick)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    run(args.quick, args.mb, args.repeats, args.profiles)


if __name__ == "__main__":
    main()
