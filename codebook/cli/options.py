"""The shared options of every ``codebook`` command: one name, one meaning, one check each.

A command that prints data takes :data:`FORMAT`; one that prints information measures takes
:data:`UNITS`; one that writes files or report folders takes :data:`FORCE` (the one overwrite
policy); :data:`QUIET` means everywhere "print nothing but the requested data and errors, no
progress". Counts (``--n``, ``--trials``) are :class:`Count` values, so ``1e6`` and
``1_000_000`` are accepted and the documented limits are checked before any work starts.
Coders are chosen with :func:`coder_option` (a comma list where a command runs several; the
old spelling ``--coders`` still works but is hidden) and built with :func:`build_options`
from ``--precision`` / ``--prior``, offered wherever a coder is built.

Conventions (the README's "Command line" section says the same to users):

* no short options except ``-h`` (help) and ``-f`` (``--force``);
* exit status 0 ok, 1 bad data, 2 usage error (every bad option value raises
  :class:`click.BadParameter` or :class:`click.UsageError` here), 3 a verdict is "not
  consistent", 130 interrupted.

Nothing here imports NumPy, SciPy or the coders at import time: ``codebook --help`` and usage
errors must answer at once.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import click

from simulations.workers import MAX_WORKERS  # the library's cap on local workers (standard library only)

# ----------------------------------------------------------------------------- limits

MAX_N = 10**8
"""Largest ``--n`` (symbols per message). A message, its decoded copy and its bitstreams are
held in memory at once: about 8 bytes per symbol each, so 10^8 symbols need about 2.5 GB."""

MAX_TRIALS = 10**5
"""Largest ``--trials`` (messages per coder)."""

MAX_WORK = 10**11
"""Largest total work of one command: symbols coded, summed over messages and coders
(n x trials x coders, over every task of a sweep). At the default experiment's rate on 2 cores
(about 2 x 10^7 symbols coded, decoded and checked per second: 6 x 10^7 in 2.8 s, measured
on a quiet 2-core VM) this is about 1.4 hours; beyond it a
run is refused before it starts instead of running for days."""

MIN_PRECISION, MAX_PRECISION = 1, 31  # codebook.quantize's range; the coder names a tighter one


def check_work(total: int, what: str) -> None:
    """Refuse a run whose total work (symbols coded, see :data:`MAX_WORK`) is above the limit."""
    if total > MAX_WORK:
        raise click.UsageError(
            f"{what} would code {total:.2g} symbols (n x trials x coders), above the limit of {sci(MAX_WORK)}; "
            "use a smaller --n, --trials or fewer coders"
        )


# ----------------------------------------------------------------------------- counts


def sci(number: int) -> str:
    """A limit as people write it: 100000000 -> "1e8"."""
    text = f"{number:.0e}"
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}" if int(mantissa) * 10 ** int(exponent) == number else str(number)



class Count(click.ParamType):
    """A whole number that may be written ``1e6`` or ``1_000_000``, checked against
    ``[minimum, maximum]`` (the maximum is a documented limit, see :data:`MAX_N`)."""

    name = "count"

    def __init__(self, minimum: int = 1, maximum: int | None = None, unit: str = ""):
        self.minimum, self.maximum, self.unit = minimum, maximum, unit

    def convert(self, value, param, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip().replace("_", "")
            try:
                f = float(text)
            except ValueError:
                self.fail(f"must be a whole number such as 1000 or 1e6; got {value!r}", param, ctx)
            if not math.isfinite(f) or not f.is_integer():
                self.fail(f"must be a whole number such as 1000 or 1e6; got {value!r}", param, ctx)
            number = int(f)
        unit = f" {self.unit}" if self.unit else ""
        if number < self.minimum:
            self.fail(f"must be at least {self.minimum}{unit}; got {value!r}", param, ctx)
        if self.maximum is not None and number > self.maximum:
            self.fail(f"must be at most {sci(self.maximum)}{unit} (a documented limit); got {value!r}", param, ctx)
        return number


N_TYPE = Count(1, MAX_N, "symbols per message")
TRIALS_TYPE = Count(1, MAX_TRIALS, "messages")


def n_option(default: int | None = None, help: str = "Symbols per message (1e6 is accepted).", **kw):
    if default is not None:
        kw.update(default=str(default), show_default=True)
    return click.option("--n", "n", type=N_TYPE, metavar="N", help=help + f" At most {sci(MAX_N)}.", **kw)


def trials_option(default: int | None = None, help: str = "Messages per coder.", **kw):
    if default is not None:
        kw.update(default=str(default), show_default=True)
    return click.option("--trials", "trials", type=TRIALS_TYPE, metavar="T",
                        help=help + f" At most {sci(MAX_TRIALS)}.", **kw)


# ----------------------------------------------------------------------------- plain options

FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
    help="What to print on stdout. JSON and CSV write infinity as \"inf\".",
)

UNITS = click.option(
    "--units", type=click.Choice(["bits", "nats"]), default="bits", show_default=True,
    help="Unit of the information measures printed (1 nat = 1/ln 2 = 1.4427 bits).",
)

FORCE = click.option("--force", "-f", is_flag=True,
                     help="Overwrite existing output (a file, or a non-empty report folder).")

QUIET = click.option("--quiet", is_flag=True,
                     help="Print nothing but the requested data and errors (no progress, no notices).")

SEED = click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
                    metavar="S", help="Master seed: the same seed gives the same bits.")

PRECISION = click.option(
    "--precision", type=click.IntRange(MIN_PRECISION, MAX_PRECISION), metavar="B",
    help="Stream coders (arithmetic, rans): q is quantized to integer frequencies summing to 2**B "
         "(default: the coder's own, 20). A model with K symbols needs B >= log2 K.",
)

PRIOR = click.option(
    "--prior", type=float, metavar="A",
    help="Adaptive coder: pseudo-count of every symbol, a multiple of 1/2 (0.5 = Krichevsky-Trofimov, "
         "the default; 1 = Laplace).",
)


def out_option(what: str = "Write report.md, results.json, results.csv and the figures into DIR."):
    return click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                        help=what + " An existing non-empty DIR needs --force.")


def check_out_dir(path: Path | None, force: bool) -> None:
    """The one overwrite policy for report folders, checked before any work starts: a missing
    or empty folder is fine; a non-empty one needs ``--force``; a file is never replaced by a folder."""
    if path is None:
        return
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"{str(path)!r} exists and is not a folder", param_hint="'--out'")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise click.BadParameter(f"folder {str(path)!r} exists and is not empty; add --force to overwrite "
                                 "the report in it", param_hint="'--out'")


# ----------------------------------------------------------------------------- coders


class _CoderOption(click.Option):
    """``--coder`` with hidden alias names (``--coders``) and the registered coders listed in
    its help when the help is shown (not at import time: listing them imports the coders)."""

    def __init__(self, *args, hidden_aliases: tuple[str, ...] = (), help_intro: str = "", several: bool = True,
                 **kw):
        super().__init__(*args, **kw)
        self.hidden_aliases = hidden_aliases
        self.help_intro = help_intro
        self.several = several

    def get_help_record(self, ctx):
        from .. import coders

        opts, help_text = self.opts, self.help
        self.opts = [o for o in opts if o not in self.hidden_aliases]
        self.help = f"{self.help_intro} Registered: {', '.join(coders.names())}."
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts, self.help = opts, help_text


def _split_top_level(text: str) -> list[str]:
    """Split at the commas outside parentheses: 'huffman(arity=3,max_length=9),rans' -> 2 items."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def _option_value(text: str):
    """An option value as written: an integer, a finite number, true/false, or else a string."""
    for convert in (int, float):
        try:
            value = convert(text)
        except ValueError:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            break
        return value
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return text.strip("'\"")


def split_coder(entry: str) -> tuple[str, dict]:
    """``'huffman(arity=3, max_length=12)'`` -> ``('huffman', {'arity': 3, 'max_length': 12})``;
    a bare name has no options. Raises ``ValueError`` with the reason on a malformed entry."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_-]+)\s*(?:\((.*)\))?\s*", entry)
    if match is None:
        raise ValueError(f"{entry!r} is not NAME or NAME(OPTION=VALUE, ...)")
    name, inside = match.group(1), match.group(2)
    options: dict = {}
    for item in ([] if inside is None or not inside.strip() else inside.split(",")):
        key, eq, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or not key.isidentifier() or not value:
            raise ValueError(f"{entry!r}: options are written OPTION=VALUE; got {item.strip()!r}")
        if key in options:
            raise ValueError(f"{entry!r} gives {key} twice")
        options[key] = _option_value(value)
    return name, options


def coder_label(name: str, options: dict) -> str:
    """The canonical spelling of a coder with options (options sorted), as tables show it."""
    return name if not options else name + "(" + ", ".join(f"{k}={v}" for k, v in sorted(options.items())) + ")"


def _check_coder_options(name: str, options: dict) -> None:
    """Options the coder's constructor does not take, or values it refuses on any model: ValueError."""
    import inspect

    from .. import coders

    info = coders.info(name)
    accepted = [k for k in inspect.signature(info.cls).parameters if k not in ("self", "q", "alphabet_size")]
    unknown = [k for k in options if k not in accepted]
    if unknown:
        takes = f"it takes {', '.join(accepted)}" if accepted else "it takes no options"
        raise ValueError(f"{name} has no option {', '.join(unknown)}; {takes}")
    tiny = {"alphabet_size": 2} if info.kind == "adaptive" else {"q": [0.5, 0.5]}
    try:
        coders.build(name, **tiny, **options)
    except (TypeError, OverflowError) as exc:
        raise ValueError(f"{coder_label(name, options)}: bad option value: {exc}") from None
    except ValueError as exc:
        raise ValueError(f"{coder_label(name, options)}: {exc}") from None


def _parse_coders(ctx, param, value):
    if value is None:
        return None
    from .. import coders

    def bad(message):
        return click.BadParameter(message, ctx, param_hint="'--coder'")

    entries = _split_top_level(value)
    if not entries:
        raise bad("needs at least one coder name")
    if len(entries) > 1 and not param.several:
        raise bad(f"takes one coder name; got {value!r}")
    labels = []
    for entry in entries:
        try:
            name, options = split_coder(entry)
        except ValueError as exc:
            raise bad(str(exc)) from None
        if name not in coders.names():
            raise bad(f"unknown coder {name!r}; registered coders: {', '.join(coders.names())}")
        if options and not param.several:
            raise bad(f"options in parentheses ({entry!r}) are taken by 'codebook simulate' and grid files; "
                      f"here give the name only")
        try:
            _check_coder_options(name, options)
        except ValueError as exc:
            raise bad(str(exc)) from None
        labels.append(coder_label(name, options))
    repeated = sorted({n for n in labels if labels.count(n) > 1}, key=labels.index)
    if repeated:  # two identical coders would be counted twice in the summaries and in the Bonferroni m
        raise bad(f"lists {', '.join(repeated)} more than once; give each coder once")
    return labels if param.several else labels[0]


def coder_option(*, several: bool = True, default: str | None = None, help_intro: str | None = None):
    """``--coder NAME`` (or ``--coder a,b`` when ``several``), checked against the registry
    (an unknown name is a usage error, exit 2). ``--coders`` is a hidden alias. The value is a
    list of names (``several``; ``None`` when not given) or one name. Where several are taken,
    an entry may carry build options, ``huffman(arity=3)``, checked against the coder's
    constructor; :func:`split_coder` takes an entry apart again."""
    intro = help_intro or ("Coders to run, a comma list (default: every registered coder)." if several
                           else "Coder to use.")
    return click.option("--coder", "--coders", "coder", metavar="A,B" if several else "NAME", default=default,
                        show_default=default is not None, callback=_parse_coders, cls=_CoderOption,
                        hidden_aliases=("--coders",), help_intro=intro, several=several)


def build_options(names: list[str], precision: int | None, prior: float | None) -> dict[str, dict]:
    """Per coder, the build keywords it takes among ``precision`` and ``prior`` (found from the
    coder's own signature, so a new coder needs no change here). An option that none of the
    chosen coders takes, or a value a chosen coder refuses on any model, is a usage error, not
    silently ignored or found out after the work."""
    import inspect

    from .. import coders

    given = {k: v for k, v in (("precision", precision), ("prior", prior)) if v is not None}
    out: dict[str, dict] = {}
    used: set[str] = set()
    for name in names:
        accepted = inspect.signature(coders.info(name).cls).parameters
        out[name] = {k: v for k, v in given.items() if k in accepted}
        used |= set(out[name])
    for name, opts in out.items():
        if opts:  # a value the coder refuses whatever the model (precision 28 > arithmetic's 24): say so now
            tiny = {"alphabet_size": 2} if coders.info(name).kind == "adaptive" else {"q": [0.5, 0.5]}
            try:
                coders.build(name, **tiny, **opts)
            except ValueError as exc:
                hint = " / ".join(f"'--{k}'" for k in opts)
                raise click.BadParameter(f"{name}: {exc}", param_hint=hint) from None
    unused = [k for k in given if k not in used]
    if unused:
        takers = {k: [n for n in coders.names() if k in inspect.signature(coders.info(n).cls).parameters]
                  for k in unused}
        raise click.UsageError("; ".join(f"--{k} applies to {', '.join(takers[k]) or 'no registered coder'}, "
                                         f"none of which is chosen ({', '.join(names)})" for k in unused))
    return out


__all__ = [
    "FORCE", "FORMAT", "MAX_N", "MAX_TRIALS", "MAX_WORK", "MAX_WORKERS", "PRECISION", "PRIOR", "QUIET", "SEED",
    "UNITS", "Count", "build_options", "coder_label", "split_coder", "check_out_dir", "check_work", "coder_option", "n_option", "out_option",
    "trials_option",
]
