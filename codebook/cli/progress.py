"""Progress on stderr: shown only when stderr is a terminal and ``--quiet`` is not given.

Every command that may run longer than about 2 s goes through :func:`bar` (a click progress
bar, or a silent stand-in when progress is off) and :func:`compile_coders` (the first run after
an install compiles the numba kernels, about 10-15 s on 2 cores: the user is told why nothing
happens, but only when the on-disk cache really is cold). Output that scripts read (stdout,
and stderr when it is a file or a pipe) never carries progress.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterable, Iterator
from types import ModuleType


def enabled(quiet: bool) -> bool:
    """Progress is shown on a terminal only, and never with ``--quiet``."""
    if quiet:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stderr
        return False


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


@contextlib.contextmanager
def bar(length: int, label: str, *, quiet: bool) -> Iterator:
    """A progress bar of ``length`` steps on stderr (``.update(n)``), or a silent stand-in."""
    if not enabled(quiet) or length <= 0:
        yield _Silent()
        return
    import click

    with click.progressbar(length=length, label=label, file=sys.stderr, show_eta=True, show_percent=True) as b:
        yield b


def say(text: str, *, quiet: bool) -> None:
    """A one-line notice on stderr, under the same rule as the progress bars."""
    if enabled(quiet):
        print(text, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- numba cache


def _code_names(code) -> set[str]:
    """Every global or attribute name a code object (and the code nested in it) refers to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _code_names(const)
    return names


def _functions(cls: type) -> list:
    """The module-level functions of ``cls``'s module and the methods ``cls`` itself defines."""
    module = sys.modules[cls.__module__]
    out = [v for v in vars(module).values() if not isinstance(v, type)]
    for f in vars(cls).values():  # methods, static/class methods, properties, cached properties
        out += [getattr(f, "__func__", f), getattr(f, "fget", None), getattr(f, "func", None)]
    return [f for f in out if hasattr(f, "__code__")]


def kernels_of(names) -> list:
    """The numba kernels (dispatchers) that the coders ``names`` can call: those named in the
    methods of the coder classes and their bases and in their modules' functions, and the
    kernels those call in turn."""
    from numba.core.registry import CPUDispatcher

    from .. import coders

    def dispatchers_named(words: set[str], namespace: dict) -> list:
        found = []
        for value in namespace.values():
            if isinstance(value, CPUDispatcher) and value.py_func.__name__ in words:
                found.append(value)
            elif isinstance(value, ModuleType) and value.__name__.startswith("codebook"):
                found += [v for v in vars(value).values()
                          if isinstance(v, CPUDispatcher) and v.py_func.__name__ in words]
        return found

    todo = []
    for name in names:
        for cls in coders.info(name).cls.__mro__:
            if not cls.__module__.startswith("codebook"):
                continue
            words = set().union(*(_code_names(f.__code__) for f in _functions(cls)))
            todo += dispatchers_named(words, vars(sys.modules[cls.__module__]))
    seen: list = []
    while todo:
        disp = todo.pop()
        if disp in seen:
            continue
        seen.append(disp)
        todo += dispatchers_named(_code_names(disp.py_func.__code__), disp.py_func.__globals__)
    return seen


def cold_kernels(names) -> list[str]:
    """The kernels of the coders ``names`` that will compile when first called: no compiled
    version in this process and no fresh entry in numba's on-disk cache (missing, stale after a
    source change, or from another numba version). Kernels inlined into their callers
    (``inline="always"``) never get a cache entry of their own and are not counted. Empty when
    nothing would compile, and also when the cache cannot be inspected (nothing is claimed then)."""
    cold = []
    try:
        kernels = kernels_of(names)
    except Exception:  # numba or a coder changed shape: say nothing rather than guess
        return []
    for disp in kernels:
        try:
            if disp.targetoptions.get("inline") == "always" or disp.overloads:
                continue
            if not disp._cache._cache_file._load_index():
                cold.append(disp.py_func.__qualname__)
        except Exception:
            continue
    return cold


def compile_coders(names: Iterable[str], *, quiet: bool) -> float:
    """Compile the numba kernels of ``names`` now (each by :func:`codebook.coders.load_kernels`),
    with a notice and a bar, when the on-disk cache is cold and progress is shown; otherwise do
    nothing (they compile, or load from the cache, on first use). Returns the seconds spent."""
    if not enabled(quiet):
        return 0.0
    from .. import coders  # imports every coder module, so their kernels are found below
    from .options import split_coder

    # 'huffman(arity=3)' compiles huffman; cm (sweep learned-context) is no registry coder.
    names = [n for n in dict.fromkeys(split_coder(entry)[0] for entry in names) if n in coders.names()]
    if not cold_kernels(names):
        return 0.0
    start = time.perf_counter()
    print("compiling coders (first run only; later runs load them from numba's cache)", file=sys.stderr, flush=True)
    with bar(len(names), "compiling", quiet=quiet) as b:
        for name in names:
            try:
                coders.load_kernels(name)
            except Exception:  # a coder that cannot run this toy model compiles later, during the run
                pass
            b.update(1)
    return time.perf_counter() - start


__all__ = ["bar", "cold_kernels", "compile_coders", "enabled", "say"]
