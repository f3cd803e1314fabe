"""zipio/files.py: the one atomic-write helper every writer uses, and regular-file-only reads (issue 17)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from pydl4j_transfer.zipio.files import (
    TEMP_SUFFIX, atomic_path, atomic_write, remove_stale_temp_files, remove_stale_temp_files_in, stale_temp_files,
)

REPO_ROOT = Path(__file__).parents[2]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- every writer: permissions kept, symlinks written through, nothing left behind -----------------------


def _write_zip(path):
    from pydl4j_transfer.zipio import RawModelZip, write_model_zip

    write_model_zip(path, RawModelZip("{}", np.arange(10, dtype=np.float32)))


def _write_dataset(path):
    from pydl4j_transfer.data import DataSet

    DataSet(np.ones((2, 3), np.float32), np.zeros((2, 2), np.float32)).save(path)


def _write_multidataset(path):
    from pydl4j_transfer.data import MultiDataSet

    MultiDataSet([np.ones((2, 3), np.float32)], [np.zeros((2, 2), np.float32)]).save(path)


def _write_normalizer(path):
    from pydl4j_transfer.data import NormalizerSerializer, NormalizerStandardize

    NormalizerSerializer.getDefault().write(NormalizerStandardize(np.zeros((1, 3)), np.ones((1, 3))), path)


def _write_json(path):
    from pydl4j_transfer.convert.formats import convert

    convert(REPO_ROOT / "compat_fixtures" / "1.0.0-M2.1" / "mlp_dense_output" / "model.zip", path)


WRITERS = {"zip": (_write_zip, "m.zip"), "DataSet": (_write_dataset, "d.bin"),
           "MultiDataSet": (_write_multidataset, "md.bin"), "normalizer": (_write_normalizer, "n.bin"),
           "convert-json": (_write_json, "conf.json")}


@pytest.mark.parametrize("name", list(WRITERS))
def test_new_file_gets_normal_permissions_and_no_temp_file_is_left(tmp_path, name):
    write, fname = WRITERS[name]
    write(tmp_path / fname)
    assert stat.S_IMODE((tmp_path / fname).stat().st_mode) == 0o666 & ~_umask()
    assert _listing(tmp_path) == [fname]


@pytest.mark.parametrize("name", list(WRITERS))
def test_overwriting_keeps_the_targets_permissions(tmp_path, name):
    write, fname = WRITERS[name]
    target = tmp_path / fname
    write(target)
    os.chmod(target, 0o600)
    write(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    os.chmod(target, 0o640)
    write(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _listing(tmp_path) == [fname]


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_symlink_target_is_written_through(tmp_path, name):
    write, fname = WRITERS[name]
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / fname
    real.write_bytes(b"old")
    link = tmp_path / f"link-{fname}"
    link.symlink_to(real)
    write(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != b"old" and link.read_bytes() == real.read_bytes()
    assert _listing(real_dir) == [fname]  # the temp file was made beside the real file, and is gone


def test_torch_writers_are_atomic_too(tmp_path):
    pytest.importorskip("safetensors")
    from pydl4j_transfer import load
    from pydl4j_transfer.convert.formats import to_safetensors, to_state_dict

    net = load(REPO_ROOT / "compat_fixtures" / "1.0.0-M2.1" / "mlp_dense_output" / "model.zip")
    for write, fname in ((to_safetensors, "m.safetensors"), (to_state_dict, "m.pt")):
        target = tmp_path / fname
        target.write_bytes(b"old")
        os.chmod(target, 0o600)
        write(net, target)
        assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_bytes() != b"old"
    assert _listing(tmp_path) == ["m.pt", "m.safetensors"]


# --- the helper itself -----------------------------------------------------------------------------------


def test_exception_mid_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "t.bin"
    target.write_bytes(b"old")
    for helper in (atomic_write, atomic_path):
        with pytest.raises(KeyboardInterrupt):
            with helper(target) as f:
                if helper is atomic_path:
                    Path(f).write_bytes(b"half")
                else:
                    f.write(b"half")
                raise KeyboardInterrupt
        assert target.read_bytes() == b"old"
        assert _listing(tmp_path) == ["t.bin"]


def test_temp_names_are_unpredictable_and_recognisable(tmp_path):
    names = []
    for _ in range(3):
        with atomic_write(tmp_path / "t.bin"):
            names += [p.name for p in tmp_path.iterdir() if p.name != "t.bin"]
    assert len(set(names)) == 3
    for name in names:
        assert name.startswith(f".t.bin.{os.getpid()}.") and name.endswith(TEMP_SUFFIX)
        assert len(name) > len(f".t.bin.{os.getpid()}.{TEMP_SUFFIX}") + 6  # tempfile's random part


def test_file_and_directory_are_fsynced(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    with atomic_write(tmp_path / "t.bin") as f:
        f.write(b"x")
    assert synced == [False, True]  # the file before the rename, the directory after it


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    target = tmp_path / "m.zip"
    target.write_bytes(b"old")
    pid = _dead_pid()
    leftovers = [tmp_path / f".m.zip.{pid}.abc{i}xyz{TEMP_SUFFIX}" for i in range(2)]
    for p in leftovers:
        p.write_bytes(b"half a zip")
    other = tmp_path / f".other.zip.{pid}.abcxyz{TEMP_SUFFIX}"  # another target's: not ours to remove
    other.write_bytes(b"x")
    foreign = tmp_path / ".m.zip.notes"  # not our pattern
    foreign.write_bytes(b"x")
    assert sorted(stale_temp_files(target)) == sorted(map(str, leftovers))
    with atomic_write(target) as f:
        f.write(b"new")
    assert _listing(tmp_path) == sorted([".m.zip.notes", other.name, "m.zip"])
    assert remove_stale_temp_files(tmp_path / "other.zip") == 1


def test_leftovers_in_a_folder_are_removed_by_name_pattern(tmp_path):
    pid = _dead_pid()
    names = [f".featurized-{i}.bin.{pid}.abc{i}xyz{TEMP_SUFFIX}" for i in range(3)]
    names += [f".checkpoint_2_MultiLayerNetwork.zip.{pid}.q_7{TEMP_SUFFIX}", "featurized-0.bin", ".notes"]
    for n in names:
        (tmp_path / n).write_bytes(b"x")
    assert remove_stale_temp_files_in(tmp_path, "featurized-*.bin") == 3
    assert _listing(tmp_path) == sorted(names[3:])
    assert remove_stale_temp_files_in(tmp_path / "missing") == 0
    assert remove_stale_temp_files_in(tmp_path) == 1
    assert _listing(tmp_path) == [".notes", "featurized-0.bin"]


_HOLDER = textwrap.dedent("""
    import sys, time
    from pydl4j_transfer.zipio.files import atomic_write
    with atomic_write(sys.argv[1]) as f:
        f.write(b"in progress")
        print("writing", flush=True)
        sys.stdin.readline()
""")


def test_a_live_writers_temp_file_is_never_removed(tmp_path):
    target = tmp_path / "m.zip"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(target)], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        theirs = [p for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)]
        assert len(theirs) == 1
        assert stale_temp_files(target) == []
        with atomic_write(target) as f:  # another write to the same target meanwhile
            f.write(b"ours")
        assert theirs[0].exists()
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert target.read_bytes() == b"in progress"  # the later rename wins, as with any two writers
    assert _listing(tmp_path) == ["m.zip"]


def test_a_directory_target_is_refused_and_nothing_is_left(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError):
        with atomic_write(tmp_path / "d") as f:
            f.write(b"x")
    assert _listing(tmp_path) == ["d"]
    time.sleep(0)
