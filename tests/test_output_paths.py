"""Reliability cases for where reports go (see tests/reliability.py): devices, pipes and links to a standard
stream named by --output, a file or a directory in the way, pair ids too long for a file name, a full disk.

The analyzer is the real bandit; a full disk is a real small tmpfs where mounting is permitted, and otherwise
(and for a fault after exactly N writes) an injected ENOSPC.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from crosscheck import atomic
from crosscheck.atomic import write_atomic, write_output
from crosscheck.cli import EXIT_GATE
from crosscheck.errors import OutputError
from crosscheck.run import cache as cache_module
from crosscheck.run.outputs import STEM_BYTES, report_stem
from reliability import DataLoss, invoke, one_error_line

APP = """import subprocess


def run(cmd):
    subprocess.call(cmd, shell=True)
"""
REVIEW = "In line 5, `subprocess.call(cmd, shell=True)` allows command injection.\n"


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "review.md").write_text(REVIEW, encoding="utf-8")
    return tmp_path / "app.py", tmp_path / "review.md"


def check(pair: tuple[Path, Path], *args: object):
    return invoke("check", *pair, "--analyzer", "bandit", *args)


def manifest(folder: Path, ids: list[str]) -> Path:
    (folder / "app.py").write_text(APP, encoding="utf-8")
    (folder / "review.md").write_text(REVIEW, encoding="utf-8")
    body = "".join(f'[[pair]]\nid = "{pair_id}"\ncode = "app.py"\nreview = "review.md"\n' for pair_id in ids)
    (folder / "pairs.toml").write_text(body, encoding="utf-8")
    return folder / "pairs.toml"


def batch(path: Path, out: Path, *args: object):
    return invoke("batch", path, "--output-dir", out, "--analyzer", "bandit", "--format", "json",
                  "--format", "text", *args)


def temporaries(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.name.endswith(".tmp")]


@contextlib.contextmanager
def reading(fd_or_path: int | Path) -> Iterator[list[bytes]]:
    """A thread reading a pipe (a descriptor, or a FIFO it opens) to its end; what it read, once the block ends."""
    got: list[bytes] = []

    def read() -> None:
        with open(fd_or_path, "rb") as handle:
            got.append(handle.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        thread.join(timeout=30)
        assert not thread.is_alive(), "the reader never saw the end of the report"


# --- output-special-files ---------------------------------------------------------------------------------------


@pytest.mark.case("output-special-files")
def test_a_character_device_is_written_to_not_replaced(tmp_path, pair):
    if os.geteuid() != 0:
        pytest.skip("making a device (os.mknod) needs root")
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    result = check(pair, "--format", "json", "--output", null)
    assert result.exit_code in (0, EXIT_GATE), result.output
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.lstat(null).st_rdev == os.makedev(1, 3)
    write_atomic(null, "again\n")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "null", "review.md"]


@pytest.mark.case("output-special-files")
def test_a_fifo_gets_the_report_and_stays_a_fifo(tmp_path, pair):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    with reading(fifo) as got:
        result = check(pair, "--format", "json", "--output", fifo)
    assert result.exit_code in (0, EXIT_GATE), result.output
    assert json.loads(got[0])["claims"], got
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.case("output-special-files")
def test_a_fifo_nobody_reads_is_one_error_line_not_a_hang(tmp_path, pair, monkeypatch):
    monkeypatch.setattr(atomic, "READER_WAIT_S", 0.2)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    one_error_line(check(pair, "--output", fifo), f"cannot write {str(fifo)!r}", "no process reads")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.case("output-special-files")
def test_a_link_to_a_pipe_descriptor_is_written_through(tmp_path, pair):
    read_end, write_end = os.pipe()
    link = tmp_path / "out.json"
    link.symlink_to(f"/proc/self/fd/{write_end}")
    with reading(read_end) as got:
        try:
            result = check(pair, "--format", "json", "--output", link)
        finally:
            os.close(write_end)
    assert result.exit_code in (0, EXIT_GATE), result.output
    assert json.loads(got[0])["claims"]
    assert link.is_symlink() and os.readlink(link) == f"/proc/self/fd/{write_end}"


@pytest.mark.case("output-special-files")
@pytest.mark.parametrize("stdout", ["pipe", "file"])
def test_a_link_to_dev_stdout_writes_to_stdout_and_stays_a_link(tmp_path, pair, stdout):
    """Through a real process: the report reaches its standard output (a pipe, or a file it was redirected to:
    then /dev/stdout is a link to a regular file, and neither that link nor /dev/stdout may be replaced)."""
    link = tmp_path / "out.json"
    link.symlink_to("/dev/stdout")
    before = os.readlink("/dev/stdout")
    argv = [sys.executable, "-m", "crosscheck", "check", *map(str, pair), "--analyzer", "bandit",
            "--format", "json", "--output", str(link)]
    if stdout == "pipe":
        proc = subprocess.run(argv, capture_output=True, timeout=120, check=False)
        text = proc.stdout
    else:
        redirected = tmp_path / "redirected.txt"
        redirected.write_bytes(b"kept\n")
        with open(redirected, "ab") as handle:
            proc = subprocess.run(argv, stdout=handle, stderr=subprocess.PIPE, timeout=120, check=False)
        text = redirected.read_bytes()
        assert text.startswith(b"kept\n")
        text = text.removeprefix(b"kept\n")
    assert proc.returncode in (0, EXIT_GATE), proc.stderr
    assert json.loads(text)["claims"]
    assert link.is_symlink() and os.readlink(link) == "/dev/stdout"
    assert os.path.islink("/dev/stdout") and os.readlink("/dev/stdout") == before


def test_links_to_a_regular_or_missing_file_are_replaced_themselves(tmp_path):
    """As before (nothing is written outside the paths given): the link becomes the report."""
    target = tmp_path / "elsewhere.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere.json")
    write_atomic(link, "new\n")
    write_atomic(dangling, "new\n")
    assert target.read_text() == "old\n" and not (tmp_path / "nowhere.json").exists()
    assert not link.is_symlink() and link.read_text() == "new\n"
    assert not dangling.is_symlink() and dangling.read_text() == "new\n"


# --- output-dir-below-file, output-is-directory ------------------------------------------------------------------


@pytest.mark.case("output-dir-below-file")
def test_an_output_dir_below_a_file_is_one_error_line_naming_it(tmp_path, pair):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    named = f"{str(blocker)!r} is a file, not a folder"
    one_error_line(check(pair, "--output-dir", blocker / "sub" / "reports"), named)
    one_error_line(check(pair, "--output", blocker / "report.txt"), named)
    one_error_line(batch(manifest(tmp_path, ["a"]), blocker / "out"), named)
    assert blocker.read_text(encoding="utf-8") == "not a folder\n"


@pytest.mark.case("output-dir-below-file")
def test_a_file_put_in_the_way_during_the_run_is_named_too(tmp_path):
    """The early check cannot see a file made once the run is under way: the write names it as well."""
    blocker = tmp_path / "out"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=f"{str(blocker)!r} is a file, not a folder"):
        write_output(blocker / "a" / "a.json", "{}")


@pytest.mark.case("output-is-directory")
def test_an_output_naming_a_directory_is_one_error_line(tmp_path, pair):
    folder = tmp_path / "reports"
    folder.mkdir()
    (tmp_path / "link").symlink_to(folder, target_is_directory=True)
    for output in (folder, tmp_path / "link"):
        one_error_line(check(pair, "--output", output), f"cannot write {str(output)!r}", "is a directory")
    assert list(folder.iterdir()) == [] and (tmp_path / "link").is_symlink()


@pytest.mark.case("output-is-directory")
def test_a_directory_where_a_batch_report_goes_is_one_error_line(tmp_path):
    out = tmp_path / "out"
    (out / "b.json").mkdir(parents=True)
    result = batch(manifest(tmp_path, ["a", "b"]), out)
    one_error_line(result, f"cannot write {str(out / 'b.json')!r}", "is a directory", "the reports of 1 of 2 pair(s)")
    assert (out / "a.json").is_file() and (out / "b.json").is_dir() and not (out / "summary.json").exists()


# --- batch-long-pair-id -----------------------------------------------------------------------------------------


@pytest.mark.case("batch-long-pair-id")
def test_long_pair_ids_get_bounded_unique_file_names(tmp_path):
    long_a, long_b = "a" * 250, "a" * 249 + "b"  # the same as far as any shortened name keeps them
    path = manifest(tmp_path, [long_a, "short", long_b])
    names = {}
    for out in (tmp_path / "cold", tmp_path / "warm"):  # the second from the report cache
        result = batch(path, out, "--format", "html")
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        rows = {row["id"]: row["files"] for row in summary["pairs"]}
        assert set(rows) == {long_a, "short", long_b}
        assert all((out / name).is_file() and len(name.encode()) <= 255 for files in rows.values() for name in files)
        index = (out / "index.html").read_text(encoding="utf-8")
        assert all(f'href="./{rows[pair_id][-1]}"' in index for pair_id in rows), "a report the index does not link"
        names[out.name] = rows
    assert names["cold"] == names["warm"]
    assert names["cold"]["short"] == ["short.json", "short.txt", "short.html"]
    assert names["cold"][long_a][0] != names["cold"][long_b][0]
    assert names["cold"][long_a][0].startswith("a" * 150)


def test_report_stems_are_bounded_readable_and_distinct():
    assert report_stem("pair-1") == "pair-1"
    assert report_stem("x" * STEM_BYTES) == "x" * STEM_BYTES
    stems = {report_stem(name) for name in ("x" * 201, "x" * 202, "x" * 300, "x" * 299 + "y", "é" * 150)}
    assert len(stems) == 5
    assert all(len(stem.encode()) <= STEM_BYTES for stem in stems)
    assert report_stem("é" * 150).startswith("é" * 80)
    assert report_stem("x" * 300) == report_stem("x" * 300)


@pytest.mark.case("batch-long-pair-id")
def test_a_review_name_too_long_for_a_report_name_is_shortened(tmp_path, pair):
    review = tmp_path / ("r" * 240 + ".md")
    review.write_text(REVIEW, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("check", pair[0], review, "--analyzer", "bandit", "--output-dir", out)
    assert result.exit_code in (0, EXIT_GATE), result.output
    files = json.loads((out / "summary.json").read_text(encoding="utf-8"))[0]["files"]
    assert files and all((out / name).is_file() and name.startswith("r" * 150) for name in files)


# --- batch-disk-full, and other write errors --------------------------------------------------------------------


def fail_after(monkeypatch: pytest.MonkeyPatch, writes: int, error: int, under: Path) -> None:
    """Writes of files under ``under`` raise OSError(``error``) once ``writes`` of them have succeeded."""
    real = atomic.write_atomic
    done = []

    def write(path: Path, data: str | bytes) -> None:
        if Path(path).is_relative_to(under):
            if len(done) >= writes:
                raise OSError(error, os.strerror(error), str(path))
            done.append(path)
        real(path, data)

    monkeypatch.setattr(atomic, "write_atomic", write)


def assert_cache_whole(base: Path) -> None:
    """Every entry of the cache is whole JSON, and no temporary file is left."""
    if temporaries(base):
        raise DataLoss(f"temporary files left in the cache: {temporaries(base)}")
    for entry in base.rglob("*.json"):
        try:
            json.loads(entry.read_bytes())
        except ValueError as err:
            raise DataLoss(f"half-written cache entry {entry}") from err


@pytest.fixture
def own_cache(tmp_path, monkeypatch) -> Path:
    """A cache of this test's own (the session's may hold these pairs' reports already)."""
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.case("batch-disk-full")
def test_a_full_disk_stops_the_batch_with_one_line_and_a_count(tmp_path, own_cache):
    out = tmp_path / "out"
    path = manifest(tmp_path, ["a", "b", "c"])
    with pytest.MonkeyPatch.context() as patch:
        fail_after(patch, 3, errno.ENOSPC, out)  # a's two reports, then b's first; b's second fails
        result = batch(path, out)
    one_error_line(result, f"cannot write {str(out / 'b.txt')!r}: the disk is full",
                   f"the reports of 1 of 3 pair(s) were written to {str(out)!r}, and no summary")
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "a.txt", "b.json"]
    assert json.loads((out / "a.json").read_text(encoding="utf-8"))["claims"]
    assert_cache_whole(own_cache)
    assert len(list((own_cache / "reports").rglob("*.json"))) == 1  # a's; none of b, whose reports failed
    result = batch(path, out)  # room again: the same batch completes, from a consistent cache
    assert result.exit_code == 0, result.output
    assert (out / "summary.json").is_file() and (out / "c.txt").is_file()
    fresh = tmp_path / "fresh"
    assert batch(path, fresh, "--no-cache").exit_code == 0
    assert all((out / name).read_bytes() == (fresh / name).read_bytes() for name in ("a.json", "b.json", "c.json"))


@pytest.mark.case("batch-disk-full")
def test_a_cache_that_cannot_be_written_does_not_stop_the_batch(tmp_path, monkeypatch, own_cache):
    def full(path: Path, data: str | bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(cache_module, "write_atomic", full)
    out = tmp_path / "out"
    result = batch(manifest(tmp_path, ["a", "b"]), out)
    assert result.exit_code == 0, result.output
    assert {"a.json", "b.txt", "summary.json"} <= {p.name for p in out.iterdir()}
    assert not [p for p in own_cache.rglob("*") if p.is_file()]


@pytest.mark.case("batch-disk-full")
@pytest.mark.parametrize(("error", "words"), [(errno.EACCES, "Permission denied"),
                                              (errno.EROFS, "the file system is read-only")])
def test_other_write_errors_are_one_line_too(tmp_path, monkeypatch, pair, error, words):
    out = tmp_path / "out"
    fail_after(monkeypatch, 0, error, tmp_path)
    one_error_line(batch(manifest(tmp_path, ["a"]), out), f"cannot write {str(out / 'a.json')!r}: {words}",
                   "the reports of 0 of 1 pair(s)")
    one_error_line(check(pair, "--output-dir", out), words)
    one_error_line(check(pair, "--output", tmp_path / "r.txt"), words)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A real tmpfs of 64 KiB (root only, where mounting is permitted), unmounted after the test."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True,
                          check=False) if os.geteuid() == 0 else None
    if made is None or made.returncode:
        pytest.skip("mounting a small tmpfs is not permitted here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.case("batch-disk-full")
def test_a_real_full_disk(tmp_path, small_disk, own_cache):
    path = manifest(tmp_path, [f"p{n}" for n in range(12)])
    out = small_disk / "out"
    result = invoke("batch", path, "--output-dir", out, "--analyzer", "bandit")  # every default format
    line = one_error_line(result, "the disk is full", f"pair(s) were written to {str(out)!r}, and no summary")
    written = int(line.split("the reports of ")[1].split(" of 12")[0])
    assert 0 < written < 12 and not (out / "summary.json").exists() and not temporaries(small_disk)
    assert all(json.loads((out / f"p{n}.json").read_text(encoding="utf-8"))["claims"] for n in range(written))
    assert_cache_whole(own_cache)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    one_error_line(invoke("batch", path, "--output-dir", small_disk / "again", "--analyzer", "bandit"),
                   f"cannot write into {str(small_disk / 'again')!r}", "the file system is read-only")
