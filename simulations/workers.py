"""How many workers, and where: the checks the CLI and the library share (standard library only).

Kept free of NumPy and of ``codebook`` itself, so the command line can check ``--workers`` and
``--dask`` and print its help at once; :mod:`simulations.backends` starts the workers.
"""

from __future__ import annotations

MAX_WORKERS = 64
"""Most local worker processes (``--workers``, ``--dask local:N``) one machine gets: more
processes than cores only cost memory; for more, use a Dask cluster of several machines."""

DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def cap_workers(requested: int, calls: int | None = None) -> int:
    """The number of workers to start: ``requested``, at most ``calls`` (no idle workers) and at
    most :data:`MAX_WORKERS`.

    >>> cap_workers(8, 3), cap_workers(1000), cap_workers(2, 0)
    (3, 64, 1)
    """
    requested = int(requested)
    if requested < 1:
        raise ValueError(f"`workers` must be >= 1; got {requested}")
    n = min(requested, MAX_WORKERS)
    if calls is not None:
        n = min(n, max(1, int(calls)))
    return n


def parse_dask(address: str) -> tuple[str, int | str]:
    """``"local:N"`` -> ``("local", N)``; ``"tcp://HOST:PORT"`` (or tls://, ws://, ...) -> ``("remote", address)``.

    >>> parse_dask("local:2"), parse_dask("tcp://127.0.0.1:8786")
    (('local', 2), ('remote', 'tcp://127.0.0.1:8786'))
    """
    text = str(address).strip()
    if text.startswith("local:"):
        count = text[len("local:"):]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--dask {address!r}: the number of local workers must be a whole number >= 1, "
                             "as in local:2")
        return "local", int(count)
    scheme, sep, rest = text.partition("://")
    host, colon, port = rest.rpartition(":")
    if not sep or scheme not in DASK_SCHEMES or not colon or not host or not port.isdigit():
        raise ValueError(f"--dask {address!r}: expected local:N (a cluster of N worker processes on this machine) "
                         "or a scheduler address such as tcp://127.0.0.1:8786")
    return "remote", text


__all__ = ["MAX_WORKERS", "cap_workers", "parse_dask"]
