"""Reading inputs and writing outputs for ``compress`` / ``decompress``, safely.

Inputs: regular files are size-checked before reading; pipes, devices and TRAIN are read in
16 MiB chunks up to a limit, so a limit never becomes an allocation and ``/dev/zero`` ends.

Outputs (:func:`write_output`): the bytes go to an anonymous file (``O_TMPFILE``) in OUT's
directory, linked to OUT only when complete, so an error or a kill at any moment leaves
nothing. Where anonymous files cannot be linked, a hidden ``.OUT.xxxxxxxx.tmp`` is written
instead, locked (``flock``) while in use; one left behind by a killed run is removed by the
next run for the same OUT (:func:`remove_stale_temporaries`). A temporary file is never
mistaken for output: it has no name, or a hidden one ending in ``.tmp``. Every failure names
OUT, never a temporary name, and leaves OUT as it was.

:class:`Status` is the progress line on stderr, under the rule of :mod:`codebook.cli.progress`
(a terminal only, never with ``--quiet``): one line rewritten per stage and erased at the end.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile

import click

DEFAULT_MAX_SIZE = 1 << 30
"""``--max-size`` default (1 GiB), the same as ``container.DEFAULT_MAX_SIZE`` (a test checks)."""

_CHUNK = 1 << 24


# --------------------------------------------------------------------------- progress
class Status:
    """One status line on stderr, rewritten per stage and erased at the end: shown only when
    stderr is a terminal and not ``--quiet`` (scripts, pipes and files never see it)."""

    def __init__(self, quiet: bool):
        from .progress import enabled

        self.on = enabled(quiet)
        self._shown = False

    def stage(self, text: str) -> None:
        if self.on:
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()
            self._shown = True

    def part(self, what: str, done: int, total: int) -> None:
        """``what: 45 % (480 MB of 1.1 GB)`` for a step that runs in chunks."""
        if self.on and total >= _CHUNK:
            self.stage(f"{what}: {100 * done // total} % ({human_size(done)} of {human_size(total)})")

    def done(self) -> None:
        if self.on and self._shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self._shown = False


def human_size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


# --------------------------------------------------------------------------- file handling
def source_name(path: str) -> str:
    """How a message names an input: ``stdin`` for ``-``, else the quoted path."""
    return "stdin" if path == "-" else repr(path)


def read_input(path: str, max_size: int, what: str = "IN", limit: str = "--max-size", status: Status | None = None):
    """All bytes of ``path`` (``-`` = stdin), refusing more than ``max_size`` bytes.

    A regular file is size-checked before it is read (in 16 MiB chunks into one buffer, for
    the progress line); a pipe or device is read in 16 MiB chunks up to ``max_size + 1``
    bytes, so a limit never becomes an allocation. ``limit`` names where ``max_size`` comes
    from, for the error message. Returns a bytes-like object (bytes or bytearray).
    """
    source = source_name(path)
    status = status or Status(True)
    if path == "-":
        data = _read_limited(sys.stdin.buffer, max_size, f"reading {what}", status)
    else:
        _refuse_directory(path, what)
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISREG(st.st_mode):
                if st.st_size > max_size:
                    raise _too_large(f"{what} {source} is {st.st_size} bytes, above {limit} {max_size}")
                data = _read_regular(fh, st.st_size, f"reading {what}", status)
            else:
                data = _read_limited(fh, max_size, f"reading {what}", status)
    if len(data) > max_size:
        raise _too_large(f"{what} {source} is more than {max_size} bytes ({limit})")
    return data


def read_container(path: str, max_size: int, status: Status | None = None):
    """A compressed file (``-`` = stdin), header first: its first 40 bytes are checked (magic,
    version, header CRC, fields, n <= ``max_size``) before anything else is read, and then no
    more than the size they announce is read. A regular file must have exactly that size; a
    pipe may announce at most what n bytes can reasonably compress to
    (``container.max_file_size(n)``: 64 bits per byte), so ``/dev/zero``, ``/dev/urandom``
    or a foreign stream is refused after 40 bytes and a crafted header cannot make this read
    gigabytes. Errors are :class:`ContainerError` (the caller adds the file name).
    """
    from .. import container

    status = status or Status(True)
    if path != "-":
        _refuse_directory(path, "IN")
    with contextlib.nullcontext(sys.stdin.buffer) if path == "-" else open(path, "rb") as fh:
        head = fh.read(container.FIXED_SIZE)
        while len(head) < container.FIXED_SIZE and (more := fh.read(container.FIXED_SIZE - len(head))):
            head += more
        if len(head) < container.FIXED_SIZE:
            return head  # empty, truncated or foreign: the container says which
        n, total = container.announced_sizes(head, max_size=max_size)
        st = os.fstat(fh.fileno())
        if stat.S_ISREG(st.st_mode):
            container.check_file_size(st.st_size, total)
        elif total > container.max_file_size(n):
            raise _container_error(
                f"the header announces {total} bytes for an original of {n} bytes, more than 64 bits per "
                f"byte (container.max_file_size); refused when reading from a pipe"
            )
        blob = _read_limited(fh, total - len(head), "reading IN", status, into=bytearray(head))
    if len(blob) > total:
        raise _container_error(f"unexpected bytes after the end of the compressed data (at {total})")
    return blob


def count_bytes(path: str, max_size: int = DEFAULT_MAX_SIZE, status: Status | None = None):
    """Byte counts of TRAIN (``-`` = stdin), read in 16 MiB chunks: at most ``max_size`` bytes.

    TRAIN costs no memory (only its counts are kept), but it must end: ``/dev/zero`` or an
    endless pipe is refused after ``max_size + 1`` bytes (about 0.5 s per GiB).
    """
    import numpy as np

    from .. import container

    status = status or Status(True)
    counts = np.zeros(container.ALPHABET_SIZE, dtype=np.int64)
    if path != "-":
        _refuse_directory(path, "TRAIN")
    source = source_name(path)
    with contextlib.nullcontext(sys.stdin.buffer) if path == "-" else open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        regular = stat.S_ISREG(st.st_mode)
        if regular and st.st_size > max_size:
            raise _too_large(f"TRAIN {source} is {st.st_size} bytes, above --max-size {max_size}")
        total, expected = 0, st.st_size if regular else 0
        while chunk := fh.read(min(_CHUNK, max_size + 1 - total)):
            total += len(chunk)
            if total > max_size:
                raise _too_large(f"TRAIN {source} is more than {max_size} bytes (--max-size)")
            counts += container.byte_counts(chunk)
            status.part("reading TRAIN", total, expected)
    return counts


def _refuse_directory(path: str, what: str) -> None:
    if os.path.isdir(path):
        raise _container_error(f"{what} {path!r} is a directory")


def _read_regular(fh, size: int, what: str, status: Status):
    if size < _CHUNK:
        return fh.read()
    buf = bytearray(size)
    view, done = memoryview(buf), 0
    while done < size:
        got = fh.readinto(view[done : done + _CHUNK])
        if not got:  # the file shrank meanwhile
            del view
            return bytes(buf[:done])
        done += got
        status.part(what, done, size)
    extra = fh.read(1)  # it grew meanwhile: let the caller's size check see it
    del view
    return buf + extra if extra else buf


def _read_limited(fh, limit: int, what: str, status: Status, into: bytearray | None = None) -> bytearray:
    """Up to ``limit + 1`` more bytes, in chunks, appended to one growing buffer (``into``)."""
    buf = bytearray() if into is None else into
    start = len(buf)
    while len(buf) - start <= limit:
        chunk = fh.read(min(_CHUNK, limit + 1 - (len(buf) - start)))
        if not chunk:
            break
        buf += chunk
        status.part(what, len(buf) - start, 0)
    return buf


def _container_error(message: str):
    from ..errors import ContainerError

    return ContainerError(message)


def _too_large(message: str):
    """The error of an input above its limit (the caller can tell it from other refusals)."""
    from ..errors import InputTooLargeError

    return InputTooLargeError(message)


def check_output(out: str, in_path: str, force: bool) -> None:
    """Fail early: OUT exists (without --force), or OUT is IN."""
    if out == "-":
        return
    if os.path.isdir(out):
        raise _container_error(f"OUT {out!r} is a directory")
    directory = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(directory):
        raise _container_error(f"cannot write OUT {out!r}: the directory {directory!r} does not exist")
    if os.path.exists(out):
        if in_path != "-" and os.path.exists(in_path) and os.path.samefile(in_path, out):
            raise _container_error(f"IN and OUT are the same file ({out!r})")
        if not force:
            raise _container_error(f"OUT {out!r} already exists; use --force to overwrite it")


def write_output(out: str, data, force: bool) -> None:
    """Write ``data`` to ``out`` all at once (``-`` = stdout), never leaving a partial OUT.

    The bytes go to an anonymous file (``O_TMPFILE``) in OUT's directory, which is linked to
    OUT only when complete: a kill at any moment leaves nothing. Without ``force`` the link is
    made straight to OUT and fails atomically if OUT appeared meanwhile; with it, the file is
    linked to a hidden temporary name and renamed over OUT. Where anonymous files are not
    available, a hidden ``.OUT.xxxxxxxx.tmp`` is written instead; it is locked while in use,
    and a stale one (left by a killed run) is removed by the next run for the same OUT. Any
    failure names OUT (never a temporary name) and leaves OUT as it was.
    """
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        if force and os.path.exists(out) and not stat.S_ISREG(os.stat(out).st_mode):
            # /dev/null, a FIFO, a terminal: write into it; renaming over it would replace the node.
            with open(out, "wb") as fh:
                fh.write(data)
            return
        directory = os.path.dirname(os.path.abspath(out))
        remove_stale_temporaries(out)
        fd = _anonymous_file(directory)
        if fd is None or not _write_anonymous(fd, out, data, force):
            _write_named(out, data, force)
    except OSError as exc:
        if exc.errno == errno.EEXIST:
            raise _container_error(f"OUT {out!r} already exists; use --force to overwrite it") from None
        reason = exc.strerror or str(exc)
        raise click.ClickException(f"cannot write OUT {out!r}: {reason} (OUT left as it was)") from None


def _anonymous_file(directory: str) -> int | None:
    """An unnamed file in ``directory`` (Linux ``O_TMPFILE``), or None where unsupported."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or _ANONYMOUS_LINKS_FAIL:
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY, 0o666)  # the umask applies, as for open()
    except OSError as exc:
        if exc.errno in _UNSUPPORTED:
            return None  # a file system without O_TMPFILE
        raise


_UNSUPPORTED = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EACCES}
_ANONYMOUS_LINKS_FAIL: list[bool] = []
"""Set once linking an anonymous file failed in this process: later writes go straight to a
named temporary file instead of writing the data twice."""


class _CannotLink(Exception):
    """This system cannot give an anonymous file a name; write a named temporary file."""


def _link_anonymous(fd: int, path: str) -> None:
    """Give the anonymous file ``fd`` the name ``path`` (FileExistsError if it is taken).

    ``linkat`` through ``/proc/self/fd`` (what an unprivileged process can do), else
    ``linkat(fd, "", ..., AT_EMPTY_PATH)`` (needs CAP_DAC_READ_SEARCH); :class:`_CannotLink`
    if neither works here.
    """
    try:
        os.link(f"/proc/self/fd/{fd}", path, follow_symlinks=True)
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
    import ctypes

    try:
        linkat = ctypes.CDLL(None, use_errno=True).linkat
    except (OSError, AttributeError):
        raise _CannotLink from None
    if linkat(fd, b"", -100, os.fsencode(path), 0x1000) == 0:  # AT_FDCWD, AT_EMPTY_PATH (Linux)
        return
    err = ctypes.get_errno()
    if err == errno.EEXIST:
        raise FileExistsError(err, os.strerror(err), path)
    if err in _UNSUPPORTED:
        raise _CannotLink
    raise OSError(err, os.strerror(err), path)


def _write_anonymous(fd: int, out: str, data, force: bool) -> bool:
    """Write and link; False (nothing left behind) if this system cannot link it."""
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if not force:
                _link_anonymous(fh.fileno(), out)
                return True
            # Replace OUT atomically: a hidden name first (locked, so that no other run takes
            # it for stale), then rename it over OUT.
            _lock(fh.fileno())
            for _ in range(100):
                tmp = _temporary_name(out)
                try:
                    _link_anonymous(fh.fileno(), tmp)
                    break
                except FileExistsError:
                    continue
            else:
                raise OSError(errno.EEXIST, "no free temporary name")
            try:
                os.replace(tmp, out)
            finally:
                if os.path.lexists(tmp):
                    os.unlink(tmp)
            return True
    except _CannotLink:
        _ANONYMOUS_LINKS_FAIL.append(True)
        return False


def _write_named(out: str, data, force: bool) -> None:
    directory = os.path.dirname(os.path.abspath(out))
    prefix = f".{os.path.basename(out)}."
    while True:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
        _lock(fd)
        # Another run may have taken this name for stale between mkstemp and the lock.
        if os.path.exists(tmp) and os.stat(tmp).st_ino == os.fstat(fd).st_ino:
            break
        os.close(fd)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give OUT the usual permissions
            if force:
                os.replace(tmp, out)
                return
            try:
                os.link(tmp, out)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                if os.path.exists(out):
                    raise OSError(errno.EEXIST, "exists") from None
                os.replace(tmp, out)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def _temporary_name(out: str) -> str:
    import secrets

    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"
    token = "".join(secrets.choice(alphabet) for _ in range(8))
    return os.path.join(os.path.dirname(os.path.abspath(out)), f".{os.path.basename(out)}.{token}.tmp")


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def remove_stale_temporaries(out: str) -> list[str]:
    """Remove the hidden ``.OUT.xxxxxxxx.tmp`` files of OUT that no running process holds.

    A run writing OUT keeps its temporary file locked (``flock``), and a lock dies with its
    process, so a file whose lock can be taken was left by a killed run. Only names of exactly
    this form are touched (8 characters from ``[a-z0-9_]``, the ``tempfile`` alphabet).
    Returns the names removed.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return []
    directory = os.path.dirname(os.path.abspath(out))
    prefix, removed = f".{os.path.basename(out)}.", []
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789_")
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    for entry in entries:
        name = entry.name
        token = name[len(prefix) : -len(".tmp")]
        if not (name.startswith(prefix) and name.endswith(".tmp") and len(token) == 8 and set(token) <= allowed):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if stat.S_ISREG(os.fstat(fd).st_mode) and os.stat(entry.path).st_ino == os.fstat(fd).st_ino:
                os.unlink(entry.path)
                removed.append(name)
        except OSError:
            pass  # held by a running process, or gone meanwhile
        finally:
            os.close(fd)
    return removed


__all__ = [
    "DEFAULT_MAX_SIZE",
    "Status",
    "check_output",
    "count_bytes",
    "read_container",
    "read_input",
    "remove_stale_temporaries",
    "source_name",
    "write_output",
]
