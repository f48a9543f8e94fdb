"""A longer fuzz campaign over the targets of ``tests/fuzz/fuzz_targets.py``, with counters per area.

    python scripts/fuzz_campaign.py --minutes 30                # every area, time split evenly
    python scripts/fuzz_campaign.py --minutes 5 --areas container,decode --engine random
    python scripts/fuzz_campaign.py --replay cli 0a1b2c...      # one input (hex or a file), verbose

Each area runs in a child process (``nice``: the machine may be shared) driven by atheris
(coverage-guided, libFuzzer; ``pip install ".[fuzz]"``) when it is installed, else by a seeded
random generator with havoc mutations of earlier inputs. The child reports every input to
this process over a pipe, so nothing is lost when it dies; this process counts, per area
(and per command for ``cli``):

* inputs tried;
* tracebacks: an exception other than the project's own errors escaped (CLI: exit status
  outside 0-3, a traceback, or not exactly one closing error line);
* hangs: an input that took more than 2 s of CPU, or was killed after 20 s of wall time
  (a CLI run that completed the work it was asked for, exit 0 or 3, within 20 s is counted
  as ``long``, not as a hang: the default ``simulate`` codes 10^7 symbols per coder, which is
  seconds of legitimate work; every child first runs each coder once, uncounted, so that
  loading or compiling numba kernels is never timed);
* memory: peak RSS above 2 GB (``ru_maxrss`` after each input; the child then restarts), or
  an allocation refused by the child's address-space limit (3.5 GB): ``MemoryError``, the
  CLI's "out of memory";
* silent wrong outputs: a result that is wrong with no error (``SilentWrong``).

Findings are written to ``STATE/findings.jsonl`` with the input (hex) and a one-line reason,
and the totals to ``STATE/summary.json``; ``--replay`` reruns any of them. The CLI target
runs here with hostile values (``/dev/zero``, ``1e15``, ``file:/dev/urandom``, ...) that the
bounded tests leave out; the ``spec`` area belongs to spec parsing (``codebook/spec.py``).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

HANG_CPU = 2.0  # seconds of CPU per input above which it counts as a hang
HANG_KILL = 20.0  # seconds of wall time after which the child is killed (a hang)
RSS_LIMIT = 2 << 30  # peak RSS above this counts as a memory finding
AS_LIMIT = 3584 << 20  # the child's address-space limit: a larger allocation fails at once
MAX_LEN = 1024
KINDS = ("tried", "tracebacks", "hangs", "memory", "silent", "long")


# ============================================================================ the child
def classify(area: str, data: bytes) -> tuple[str, str, str, float]:
    """Run one input: (label, outcome, reason, cpu seconds). Outcome in ok/traceback/memory/silent."""
    import fuzz_targets as ft

    start = time.process_time()
    label, outcome, reason = area, "ok", ""
    try:
        result = ft.target_cli(data, hostile=True) if area == "cli" else ft.TARGETS[area](data)
        if isinstance(result, str):
            label = f"{area}:{result}"
    except ft.SilentWrong as exc:
        outcome, reason = "silent", str(exc)
    except MemoryError:
        outcome, reason = "memory", "MemoryError (an allocation above the address-space limit)"
    except RecursionError as exc:
        outcome, reason = "traceback", f"RecursionError: {exc}"
    except Exception as exc:
        outcome, reason = "traceback", f"{type(exc).__name__}: {exc}"
        if area == "cli" and "out of memory" in str(exc):
            outcome = "memory"
    if area == "cli" and label == area:
        label = f"cli:{ft.LAST_COMMAND[0]}"
    cpu = time.process_time() - start
    if area == "cli" and outcome == "ok" and cpu > HANG_CPU and ft.LAST_STATUS[0] in (0, 3):
        outcome, reason = "long", f"completed (exit {ft.LAST_STATUS[0]}) after {cpu:.1f} s of CPU"
    return label, outcome, " ".join(reason.split())[:400], cpu


def warm_up() -> None:
    """Run every coder, and the cm and context file models, once on a tiny input (uncounted):
    numba kernels load from the on-disk cache (or compile) here, not inside a timed input."""
    from codebook import coders, container
    from codebook.contextmix import ContextMixingCoder
    from codebook.filemodels import ContextFileCoder

    for name in coders.names():
        coders.load_kernels(name)
    data = b"warm up the kernels, warm up the kernels"
    for code in (ContextMixingCoder(), ContextFileCoder("arithmetic", order=2), ContextFileCoder("rans", order=3)):
        container.decompress(container.compress(data, code))


def child(area: str, engine: str, seconds: float, seed: int, state: Path, report_fd: int) -> None:
    """Fuzz ``area`` for ``seconds``, writing one line per input to ``report_fd``."""
    out = os.fdopen(report_fd, "w", buffering=1)
    limit = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, limit[1]))

    warm_up()

    def one(data: bytes) -> None:
        out.write(f"S {data.hex()}\n")
        label, outcome, reason, cpu = classify(area, data)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        if rss > RSS_LIMIT and outcome == "ok":
            outcome, reason = "memory", f"peak RSS {rss >> 20} MB"
        out.write(f"D\t{label}\t{outcome}\t{cpu:.3f}\t{rss >> 20}\t{reason}\n")
        if rss > RSS_LIMIT:
            out.flush()
            os._exit(3)  # a fresh child measures the next peak from scratch

    if engine == "atheris":
        import atheris

        corpus = state / "corpus" / area
        corpus.mkdir(parents=True, exist_ok=True)
        artifacts = state / "artifacts"
        artifacts.mkdir(exist_ok=True)
        # Coverage of codebook's Python code; numba kernels must keep their own bytecode.
        kernels = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "codebook").rglob("*.py")
                   if "njit" in p.read_text(encoding="utf-8")]
        with atheris.instrument_imports(include=["codebook"], exclude=kernels):
            import codebook.cli
            import codebook.container  # noqa: F401
        import fuzz_targets

        args = [sys.argv[0], f"-max_total_time={int(seconds)}", f"-timeout={int(HANG_KILL)}",
                f"-rss_limit_mb={RSS_LIMIT >> 20}", f"-seed={seed}", f"-max_len={MAX_LEN}",
                f"-artifact_prefix={artifacts}/{area}-", "-print_final_stats=0", str(corpus)]
        atheris.Setup(args, one)
        atheris.Fuzz()
        return
    import fuzz_targets  # noqa: F401  (imported before the clock starts: numba kernels load here)

    rng = random.Random(f"{seed}:{area}:{os.getpid()}")
    pool: list[bytes] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pool and rng.random() < 0.5:
            data = havoc(rng, rng.choice(pool))
        else:
            data = rng.randbytes(rng.randint(0, MAX_LEN))
        one(data)
        if len(pool) < 256:
            pool.append(data)
        else:
            pool[rng.randrange(256)] = data


def havoc(rng: random.Random, data: bytes) -> bytes:
    """A few random edits of an earlier input (flips, set bytes, splices, duplications)."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(5)
        if op == 0 and out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        elif op == 1 and out:
            out[rng.randrange(len(out))] = rng.choice([0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)])
        elif op == 2:
            i = rng.randint(0, len(out))
            out[i:i] = rng.randbytes(rng.randint(1, 16))
        elif op == 3 and out:
            i = rng.randrange(len(out))
            del out[i : i + rng.randint(1, 16)]
        elif op == 4 and out:
            i = rng.randrange(len(out))
            out += out[i : i + rng.randint(1, 32)]
    return bytes(out[:MAX_LEN])


# ============================================================================ the parent
def run_area(area: str, engine: str, seconds: float, seed: int, state: Path, counts, findings) -> None:
    """Run children for ``area`` until ``seconds`` of wall time are used; restart after a death."""
    deadline = time.monotonic() + seconds
    restarts = 0
    while (left := deadline - time.monotonic()) > 1:
        read_fd, write_fd = os.pipe()
        cmd = [sys.executable, __file__, "--child", area, "--engine", engine, "--seconds", f"{left:.0f}",
               "--seed", str(seed + restarts), "--state", str(state), "--report-fd", str(write_fd)]
        proc = subprocess.Popen(["nice", "-n", "19", *cmd], pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, cwd=ROOT)
        os.close(write_fd)
        current, started, buffer, seen = None, 0.0, b"", 0
        while True:
            ready, _, _ = select.select([read_fd], [], [], 1.0)
            if ready:
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    current, started = handle(line.decode(), area, current, started, counts, findings)
                seen += len(lines)
            if current is not None and time.monotonic() - started > HANG_KILL + 10:
                proc.send_signal(signal.SIGKILL)  # libFuzzer's own -timeout missed it
            if proc.poll() is not None and not ready:
                break
        os.close(read_fd)
        proc.wait()
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        if not seen and proc.returncode:
            raise SystemExit(f"the {area} child failed before its first input:\n{err[-3000:]}")
        if current is not None:  # died inside an input: a hang or an out-of-memory kill
            kind = "memory" if "out-of-memory" in err or "MemoryError" in err else "hangs"
            if kind == "hangs" and time.monotonic() - started < HANG_KILL / 2 and "timeout" not in err:
                kind = "tracebacks"  # died fast without a timeout: a crash of the process itself
            label = area if area != "cli" else f"cli:{describe(current)[0]}"
            for key in {area, label}:
                counts[key]["tried"] += 1
                counts[key][kind] += 1
            finding = {"area": label, "kind": kind, "input": current,
                       "reason": f"child died ({proc.returncode}) after {time.monotonic() - started:.1f} s: "
                                 f"{err.strip().splitlines()[-1] if err.strip() else ''}"[:400]}
            if area == "cli":
                finding["argv"] = describe(current)[1]
            findings.append(finding)
        restarts += 1


def describe(hex_input: str) -> tuple[str, list[str]]:
    """(command, argv) of a cli input, without running it."""
    import fuzz_targets as ft

    argv = ft.describe_cli(bytes.fromhex(hex_input))
    return ft.cli_label(argv), argv


def handle(line: str, area: str, current, started, counts, findings):
    if line.startswith("S "):
        return line[2:], time.monotonic()
    if not line.startswith("D\t"):
        return current, started
    label, outcome, cpu, rss, *reason = line[2:].split("\t", 4)
    cpu = float(cpu)
    hang = cpu > HANG_CPU and outcome != "long"  # "long": completed legitimate work, not a hang
    for key in {area, label}:
        counts[key]["tried"] += 1
        if outcome != "ok":
            counts[key][{"traceback": "tracebacks"}.get(outcome, outcome)] += 1
        if hang:
            counts[key]["hangs"] += 1
    if outcome not in ("ok", "long") or hang:
        kind = outcome if outcome != "ok" else "hangs"
        finding = {"area": label, "kind": kind, "input": current, "cpu_seconds": cpu, "peak_rss_mb": int(rss),
                   "reason": reason[0] if reason else f"{cpu:.1f} s of CPU"}
        if area == "cli":
            finding["argv"] = describe(current)[1]
        findings.append(finding)
    return None, 0.0


def campaign(args) -> dict:
    state = Path(args.state)
    state.mkdir(parents=True, exist_ok=True)
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "random"
    areas = args.areas.split(",")
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    findings: list[dict] = []
    started = time.time()
    for area in areas:
        run_area(area, engine, args.minutes * 60 / len(areas), args.seed, state, counts, findings)
        save(engine, started, counts, findings, state)  # an area's figures survive whatever follows
    return save(engine, started, counts, findings, state)


def save(engine: str, started: float, counts, findings: list[dict], state: Path) -> dict:
    """Write ``STATE/summary.json`` and ``STATE/findings.jsonl``; return the summary."""
    summary = {
        "command": "python scripts/fuzz_campaign.py " + " ".join(sys.argv[1:]),
        "engine": engine,
        "minutes": round((time.time() - started) / 60, 1),
        "counts": {k: {kind: v[kind] for kind in KINDS} for k, v in sorted(counts.items())},
        "findings": len(findings),
    }
    with open(state / "findings.jsonl", "w") as fh:
        fh.writelines(json.dumps(f) + "\n" for f in findings)
    (state / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def table(summary: dict) -> str:
    rows = [("area", *KINDS)] + [(k, *(str(v[kind]) for kind in KINDS)) for k, v in summary["counts"].items()]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
                     for r in rows)


def replay(area: str, what: str) -> None:
    """Run one input in this process and print everything (traceback included)."""
    import traceback

    import fuzz_targets as ft

    data = Path(what).read_bytes() if os.path.exists(what) else bytes.fromhex(what)
    if area == "cli":
        print("argv:", " ".join(ft.describe_cli(data))[:1000], flush=True)
    start = time.process_time()
    try:
        result = ft.target_cli(data, hostile=True) if area == "cli" else ft.TARGETS[area](data)
        print(f"ok ({result or area}) in {time.process_time() - start:.2f} s of CPU")
    except Exception:
        traceback.print_exc()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--areas", default="container,tables,decode,cli,spec")
    parser.add_argument("--engine", choices=["auto", "atheris", "random"], default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--state", default="/tmp/codebook-fuzz")
    parser.add_argument("--replay", nargs=2, metavar=("AREA", "INPUT"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--report-fd", type=int, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.child:
        child(args.child, args.engine, args.seconds, args.seed, Path(args.state), args.report_fd)
    elif args.replay:
        replay(*args.replay)
    else:
        summary = campaign(args)
        print(f"{summary['command']}\nengine {summary['engine']}, {summary['minutes']} min, "
              f"{summary['findings']} findings (state: {args.state})\n")
        print(table(summary))


if __name__ == "__main__":
    main()
