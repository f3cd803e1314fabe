"""Opening files to read and replacing files atomically: what every reader and writer of the package shares.

Not a DL4J API (DL4J writes through ``FileOutputStream`` in place, so a crash mid-write leaves half a zip).

Reading (:func:`open_regular`, :func:`spool`):

* Only regular files are read. The path is opened with ``O_NONBLOCK`` and checked with ``fstat`` before a
  byte is read, so a FIFO never blocks, ``/dev/zero`` is never read and a directory is refused at once
  (``NotARegularFileError``).
* A stream that cannot seek is copied into memory up to a ceiling (``InputTooLargeError`` beyond it), in
  chunks, so the copy never exceeds what actually arrived.

Writing (:func:`atomic_write`, :func:`atomic_path`) -- one helper for every writer (model zips, DataSet /
MultiDataSet files, normalizer files, feature-cache shards, converted safetensors / state_dict / ONNX /
JSON files, the dl4j backend's zips, setup-java's jars, PNGs):

* The data goes to a temporary file in the target's directory, created by :func:`tempfile.mkstemp` (an
  unpredictable name, ``O_EXCL``, mode 0600), named ``.<target name>.<pid>.<random>.pydl4j-tmp``.
* The writer holds an exclusive ``flock`` on it while writing. A temporary file of a process that was
  killed mid-write (SIGKILL, power loss) is recognised by that name pattern, and removed by the next write
  to the same target once its lock can be taken and its process id is no longer alive; another
  process's write in progress is never touched. :func:`remove_stale_temp_files_in` sweeps a folder the same
  way, for targets that may never be written again (checkpoints, kept featurized shards).
* On success: the target's permission bits are copied (a new file gets ``0666 & ~umask``, as ``open()``
  gives it; ``atomic_write(mode=...)`` sets them), the file is fsynced, renamed over the target (``os.replace``: readers see the old or the new
  file, never half of one), and the directory is fsynced.
* On any exception (``KeyboardInterrupt`` included) the temporary file is closed and removed.
* A target that is a symbolic link is written through: the file it points to is replaced, the link stays.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import io
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from pydl4j_transfer.errors import InputTooLargeError, NotADl4jZipError, NotARegularFileError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux/macOS
    fcntl = None

__all__ = ["TEMP_SUFFIX", "open_regular", "check_regular", "spool", "read_bounded", "atomic_write", "atomic_path",
           "stale_temp_files", "remove_stale_temp_files", "remove_stale_temp_files_in", "DEFAULT_MAX_STREAM_BYTES"]

#: Every temporary file of :func:`atomic_write` ends with this; the full pattern is ``.<name>.<pid>.<random><suffix>``.
TEMP_SUFFIX = ".pydl4j-tmp"
#: Ceiling for a stream of unknown length copied into memory (the same as a model zip's ``max_total``).
DEFAULT_MAX_STREAM_BYTES = 4 * 1024 ** 3
_SPOOL_CHUNK = 1 << 20
_KIND = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


# --- reading ----------------------------------------------------------------------------------------------


def _not_regular(mode: int, where: str) -> NotARegularFileError:
    kind = _KIND.get(stat.S_IFMT(mode), "not a regular file")
    return NotARegularFileError(f"is {kind}, not a regular file; only regular files are read (pass the data "
                                "as a binary stream if it comes from elsewhere)", where)


def check_regular(path, what: str = "file") -> str:
    """The path as a string, once ``stat`` says it is an existing regular file (symlinks followed)."""
    where = os.fspath(path)
    try:
        st = os.stat(where)
    except FileNotFoundError:
        raise NotADl4jZipError(f"no such file; check the path of the {what}", where) from None
    except (OSError, ValueError) as exc:  # permission, name too long, embedded NUL...
        raise NotADl4jZipError(f"cannot open ({exc})", where) from None
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(st.st_mode, where)
    return where


def open_regular(path, what: str = "file") -> BinaryIO:
    """Open a regular file for binary reading, refusing anything else before a byte is read.

    ``O_NONBLOCK`` makes opening a FIFO return at once (instead of waiting for a writer); ``fstat`` on the
    open descriptor then decides, so a path swapped between a check and the open cannot slip through.
    Raises ``NotADl4jZipError`` (missing, unreadable) or ``NotARegularFileError``.
    """
    where = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(where, flags)
    except FileNotFoundError:
        raise NotADl4jZipError(f"no such file; check the path of the {what}", where) from None
    except IsADirectoryError:
        raise NotARegularFileError("is a directory, not a regular file", where) from None
    except (OSError, ValueError) as exc:
        raise NotADl4jZipError(f"cannot open ({exc})", where) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(st.st_mode, where)
        if fcntl is not None and hasattr(os, "O_NONBLOCK"):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def spool(stream, where: str, max_bytes: int = DEFAULT_MAX_STREAM_BYTES) -> io.BytesIO:
    """Copy a non-seekable stream into memory, chunk by chunk, refusing more than ``max_bytes``."""
    out = io.BytesIO()
    total = 0
    while True:
        chunk = stream.read(_SPOOL_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise InputTooLargeError(f"the stream holds more than max_bytes={max_bytes} bytes; pass a larger "
                                     "ceiling if the input is trusted", where)
        out.write(chunk)
    out.seek(0)
    return out


def read_bounded(source, max_bytes: int, what: str = "file") -> tuple[bytes, str]:
    """(the whole content, display name) of a path (a regular file) or a binary stream, refusing more than
    ``max_bytes`` -- without ever asking for ``max_bytes`` up front (``read(n)`` allocates ``n`` before it
    reads): a file is read at the size ``fstat`` reports, a stream chunk by chunk."""
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        where = name if isinstance(name, str) else "<stream>"
        return spool(source, where, max_bytes).getvalue(), where
    where = os.fspath(source)
    with open_regular(source, what) as f:
        size = os.fstat(f.fileno()).st_size
        if size > max_bytes:
            raise InputTooLargeError(f"{size} bytes, more than the {max_bytes} a {what} may have", where)
        data = f.read(size)  # a file that grew meanwhile is read as it was when fstat looked
    return data, where


# --- writing ----------------------------------------------------------------------------------------------


def _temp_pattern(base: str) -> re.Pattern:
    return re.compile(re.escape(f".{base}.") + r"(?P<pid>\d+)\.[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + "$")


_ANY_TEMP = re.compile(r"\.(?P<base>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + "$")


def stale_temp_files(target) -> list[str]:
    """Temporary files of :func:`atomic_write` for ``target`` that no live writer holds (leftovers of a
    killed process): matched by name, then confirmed by taking their lock and by their process id."""
    real = os.path.realpath(os.fspath(target))
    directory, base = os.path.split(real)
    return _stale_in(directory, _temp_pattern(base).match)


def _stale_in(directory: str, match) -> list[str]:
    """The temp files of ``directory`` whose name ``match`` accepts (a match with group ``pid``) and that no live
    writer holds."""
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return []
    out = []
    for name in names:
        m = match(name)
        path = os.path.join(directory, name)
        if m is None or int(m.group("pid")) == os.getpid() and _held_here(path):
            continue
        if _pid_alive(int(m.group("pid"))) or not _lock_free(path):
            continue
        out.append(path)
    return out


_HELD: set[str] = set()  # temp files this process is writing right now


def _held_here(path: str) -> bool:
    return path in _HELD


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours but not in _HELD: a leftover of an earlier interrupted write of this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # alive under another user (or a number no process can have: keep it, be safe)
    return True


def _lock_free(path: str) -> bool:
    """True when nobody holds the temp file's lock (its writer is gone)."""
    if fcntl is None:
        return True
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # releases the lock we may have taken


def remove_stale_temp_files(target) -> int:
    """Remove the leftovers :func:`stale_temp_files` finds; returns how many were removed."""
    return _unlink_all(stale_temp_files(target))


def _unlink_all(paths) -> int:
    n = 0
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
            n += 1
    return n


def remove_stale_temp_files_in(directory, names: str = "*") -> int:
    """Remove the leftovers of killed writers in ``directory`` for every target whose name matches the
    :mod:`fnmatch` pattern ``names`` (for folders whose targets may never be written again, e.g. featurized
    minibatch files a restarted run keeps); the same checks as :func:`stale_temp_files`. Returns how many."""
    def match(name):
        m = _ANY_TEMP.match(name)
        return m if m is not None and fnmatch.fnmatchcase(m.group("base"), names) else None

    return _unlink_all(_stale_in(os.fspath(directory), match))  # one listing of the folder for every target


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # not thread safe, hence only when /proc does not say
    os.umask(mask)
    return mask


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory; the rename itself is still atomic
    finally:
        os.close(fd)


def _resolve_target(target) -> tuple[str, str, str]:
    path = os.fspath(target)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    real = os.path.realpath(path)  # write through a symlink: the link stays, the file it names is replaced
    directory, base = os.path.split(real)
    if not base:
        raise IsADirectoryError(errno.EISDIR, "cannot write a file over a directory", path)
    if os.path.isdir(real):
        raise IsADirectoryError(errno.EISDIR, "is a directory", path)
    return real, directory, base


@contextlib.contextmanager
def _temp_for(target) -> Iterator[tuple[int, str, str, str]]:
    """(fd, temp path, final path, directory); cleans up on any exception, leaves the rename to the caller."""
    real, directory, base = _resolve_target(target)
    remove_stale_temp_files(real)
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=directory or ".")
    _HELD.add(tmp)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield fd, tmp, real, directory
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        _HELD.discard(tmp)


def _finish(fd: int, tmp: str, real: str, directory: str, mode: int | None = None) -> None:
    """Permissions, fsync, rename, directory fsync (the temp file's fd is still open)."""
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(real).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
    os.fchmod(fd, mode)
    os.fsync(fd)
    os.replace(tmp, real)
    _fsync_dir(directory)


@contextlib.contextmanager
def atomic_write(target, *, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary file to write ``target``'s new content into; replaces ``target`` only once it is complete.

    See the module docstring for the guarantees (temp name, lock, permissions, fsync, symlinks, cleanup).
    ``mode``: the permission bits the new file gets (default: the target's, or ``0666 & ~umask``).
    """
    with _temp_for(target) as (fd, tmp, real, directory):
        try:
            with os.fdopen(fd, "wb", closefd=False) as f:
                yield f
                f.flush()
            _finish(fd, tmp, real, directory, mode)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(target) -> Iterator[str]:
    """A temporary path to hand a library that writes files by name (torch.onnx, safetensors); renamed over
    ``target`` once the block ends without an exception. The same guarantees as :func:`atomic_write`."""
    with _temp_for(target) as (fd, tmp, real, directory):
        try:
            yield tmp
            # the library may have replaced the file behind our descriptor: sync and chmod what is there now
            fd2 = os.open(tmp, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            try:
                _finish(fd2, tmp, real, directory)
            finally:
                os.close(fd2)
        finally:
            os.close(fd)
