"""Reliability cases for the files crosscheck reads by path (see tests/reliability.py): FIFOs and devices,
symbolic links leading out of a code folder, names that are not UTF-8, a huge CSV cell, and JSON and TOML
nested 100,000 deep.

The analyzers are the real ones. A test that could hang if crosscheck blocked on a FIFO runs the command
in a thread and, after a while, opens the FIFO for writing so that the command gets an end of file and
the test fails instead of hanging; walking a folder is watched with ``open`` spies that fail the test
when a FIFO or a device is opened.
"""

from __future__ import annotations

import io
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crosscheck.cli import EXIT_GATE
from crosscheck.formats import names
from crosscheck.load.code import load_code
from reliability import invoke, one_error_line

APP = """import subprocess


def run(cmd):
    subprocess.call(cmd, shell=True)
"""
REVIEW = "In line 5, `subprocess.call(cmd, shell=True)` allows command injection.\n"
SECRET = "password = 'hunter2-never-in-a-report-51f0'"
"""The text of a file outside the code folder (a hard-coded password bandit finds, were the file read)."""
BLOCKED_AFTER_S = 60.0

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def unblocked(call: Callable[[], object], *fifos: Path) -> object:
    """``call()``; if it has not returned after :data:`BLOCKED_AFTER_S` (blocked reading a FIFO), each FIFO
    is opened for writing and closed, which ends the read, and the test fails."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as err:  # noqa: BLE001 - handed to the test's thread
            outcome["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(BLOCKED_AFTER_S)
    if thread.is_alive():
        for fifo in fifos:
            threading.Thread(target=lambda f=fifo: open(f, "wb").close(), daemon=True).start()  # noqa: SIM115
        thread.join(10)
        pytest.fail(f"blocked for {BLOCKED_AFTER_S:g} s reading a FIFO")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("value")


@pytest.fixture
def never_opened(monkeypatch) -> Iterator[set[str]]:
    """A set to put paths in: opening any of them (``io.open``, which ``Path.read_bytes`` uses, or
    ``os.open``) fails the test at once instead of blocking or reading without end."""
    watched: set[str] = set()
    real_io_open, real_os_open = io.open, os.open

    def check(file: object) -> None:
        if isinstance(file, str | bytes | os.PathLike) and os.path.abspath(os.fsdecode(file)) in watched:
            raise AssertionError(f"{os.fsdecode(file)} was opened")

    def io_open(file, *args, **kwargs):
        check(file)
        return real_io_open(file, *args, **kwargs)

    def os_open(path, *args, **kwargs):
        check(path)
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(io, "open", io_open)
    monkeypatch.setattr(os, "open", os_open)
    yield watched


def report(*args: object) -> dict:
    """``crosscheck check ... --format json`` gives a complete report (exit 0, or 1 for a met gate); it."""
    result = invoke("check", *args, "--format", "json")
    assert result.exit_code in (0, EXIT_GATE), result.output
    return json.loads(result.stdout)


def every_format(tmp_path: Path, *args: object) -> dict[str, str]:
    """``crosscheck check ARGS`` writing every installed format into its own file; the texts by format."""
    out = tmp_path / "formats"
    out.mkdir()
    options = [x for name in names() for x in ("--format", name, "--output", out / f"report.{name}")]
    result = invoke("check", *args, *options)
    assert result.exit_code in (0, EXIT_GATE), result.output
    return {name: (out / f"report.{name}").read_text(encoding="utf-8") for name in names()}


# --- FIFOs and other files that are not regular ----------------------------------------------------------------


@needs_fifo
@pytest.mark.case("review-fifo")
def test_a_fifo_as_the_review_is_one_error_line(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    os.mkfifo(tmp_path / "review.md")
    result = unblocked(lambda: invoke("check", tmp_path / "app.py", tmp_path / "review.md"), tmp_path / "review.md")
    one_error_line(result, "review file", "review.md", "is not a regular file but a FIFO")


@needs_fifo
@pytest.mark.case("review-fifo")
def test_a_fifo_as_a_review_in_a_batch_fails_only_its_pair(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "review.md").write_text(REVIEW)
    os.mkfifo(tmp_path / "fifo.md")
    (tmp_path / "pairs.toml").write_text('[[pair]]\nid = "a"\ncode = "app.py"\nreview = "fifo.md"\n'
                                         '[[pair]]\nid = "b"\ncode = "app.py"\nreview = "review.md"\n')
    out = tmp_path / "out"
    result = unblocked(lambda: invoke("batch", tmp_path / "pairs.toml", "--output-dir", out, "--format", "json"),
                       tmp_path / "fifo.md")
    one_error_line(result, "1 of 2 pair(s) could not be checked: a")
    rows = {row["id"]: row for row in json.loads((out / "summary.json").read_text())["pairs"]}
    assert "is not a regular file but a FIFO" in rows["a"]["error"]
    assert not rows["b"].get("error") and json.loads((out / "b.json").read_text())["claims"]


@needs_fifo
@pytest.mark.case("review-fifo")
@pytest.mark.parametrize(("option", "name", "what"), [
    ("--labels", "labels.json", "labels file"),
    ("--diff", "change.diff", "the diff"),
    ("--config", "pyproject.toml", "config file"),
    ("CODE", "code.py", "code path"),
    ("--manifest", "pairs.toml", "manifest"),
])
def test_every_input_file_that_is_a_fifo_is_one_error_line(tmp_path, option, name, what):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "review.md").write_text(REVIEW)
    fifo = tmp_path / name
    os.mkfifo(fifo)
    args = {"CODE": (fifo, tmp_path / "review.md"), "--manifest": ("--manifest", fifo)}.get(
        option, (tmp_path / "app.py", tmp_path / "review.md", option, fifo))
    result = unblocked(lambda: invoke("check", *args, "--analyzer", "bandit"), fifo)
    one_error_line(result, what, name, "is not a regular file but a FIFO")


@needs_fifo
@pytest.mark.case("code-special-files-named")
def test_special_files_in_a_code_folder_are_named_and_never_opened(tmp_path, never_opened):
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(APP)
    os.mkfifo(code / "pipe.py")
    (code / "zero.py").symlink_to("/dev/zero")
    never_opened.update({str(code / "pipe.py"), str(code / "zero.py"), "/dev/zero"})
    (tmp_path / "review.md").write_text(REVIEW)
    data = unblocked(lambda: report(code, tmp_path / "review.md"), code / "pipe.py")
    assert [f["path"] for f in data["code"]["files"]] == ["app.py"]
    assert "pipe.py: left out: not a regular file but a FIFO" in data["diagnostics"]
    assert ("zero.py: left out: not a regular file but a character device (a symbolic link to /dev/zero)"
            in data["diagnostics"])
    assert {a["name"]: a["status"] for a in data["analyzers"]} == {"bandit": "ok", "semgrep": "ok"}
    target = load_code(code, follow_links=True)  # a link out of the folder may be followed; to a device, never
    assert [f.path for f in target.files] == ["app.py"] and len(target.skipped) == 2


@pytest.mark.case("code-special-files-named")
def test_a_socket_in_a_code_folder_is_named(tmp_path, monkeypatch, never_opened):
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets on this system")
    (tmp_path / "app.py").write_text(APP)
    server = socket.socket(socket.AF_UNIX)
    monkeypatch.chdir(tmp_path)  # a socket's path is limited to about 100 bytes
    server.bind("sock.py")
    never_opened.add(str(tmp_path / "sock.py"))
    with server:
        target = load_code(tmp_path)
    assert [f.path for f in target.files] == ["app.py"]
    assert target.skipped == ("sock.py: left out: not a regular file but a socket",)


# --- symbolic links leading out of a code folder ---------------------------------------------------------------


@pytest.fixture
def escaping(tmp_path) -> tuple[Path, Path, Path]:
    """A code folder holding app.py, a link out of it (settings.py to ../outside/secret.py) and a link inside it
    (alias.py to app.py); a review citing the secret. (code folder, review, secret file)"""
    code, outside = tmp_path / "code", tmp_path / "outside"
    code.mkdir()
    outside.mkdir()
    (outside / "secret.py").write_text(f"{SECRET}\n")
    (code / "app.py").write_text(APP)
    (code / "settings.py").symlink_to(outside / "secret.py")
    (code / "alias.py").symlink_to("app.py")
    (tmp_path / "review.md").write_text(REVIEW + "\nLine 1 of settings.py hard-codes a password (CWE-259).\n")
    return code, tmp_path / "review.md", outside / "secret.py"


@pytest.mark.case("code-symlink-escape")
def test_a_link_out_of_the_code_folder_is_left_out_of_every_format(tmp_path, escaping):
    code, review, secret = escaping
    texts = every_format(tmp_path, code, review)
    for name, text in texts.items():
        assert "hunter2" not in text, name
    data = json.loads(texts["json"])
    assert [f["path"] for f in data["code"]["files"]] == ["alias.py", "app.py"]  # the link inside still works
    assert (f"settings.py: a symbolic link leaving the code folder (to {secret}); left out "
            "(--follow-links takes it in)") in data["diagnostics"]


@pytest.mark.case("code-symlink-escape")
def test_follow_links_takes_a_link_out_of_the_folder_in(tmp_path, escaping):
    code, review, _ = escaping
    data = report(code, review, "--analyzer", "bandit", "--follow-links")
    assert [f["path"] for f in data["code"]["files"]] == ["alias.py", "app.py", "settings.py"]
    assert "hunter2" in json.dumps(data)  # what the other tests look for would be found
    (tmp_path / "pyproject.toml").write_text("[tool.crosscheck]\nfollow-links = true\n")
    data = report(code, review, "--analyzer", "bandit", "--config", tmp_path / "pyproject.toml")
    assert "settings.py" in [f["path"] for f in data["code"]["files"]]


@pytest.mark.case("code-symlink-escape")
def test_a_link_out_of_a_pairs_code_folder_is_left_out_of_a_batch(tmp_path, escaping):
    code, review, _ = escaping
    folder = tmp_path / "dataset"
    folder.mkdir()
    code.rename(folder / "code")
    review.rename(folder / "review.md")
    (folder / "pairs.toml").write_text('[[pair]]\nid = "a"\ncode = "code"\nreview = "review.md"\n')
    out = tmp_path / "out"
    result = invoke("batch", folder / "pairs.toml", "--output-dir", out)
    assert result.exit_code == 0, result.output
    for path in out.iterdir():
        assert "hunter2" not in path.read_text(encoding="utf-8"), path.name
    data = json.loads((out / "a.json").read_text())
    assert any(d.startswith("settings.py: a symbolic link leaving the code folder") for d in data["diagnostics"])
    # the link inside the folder (alias.py to app.py) is analyzed like the file it names
    assert {a["name"]: a["status"] for a in data["analyzers"]} == {"bandit": "ok", "semgrep": "ok"}
    assert {f["path"] for f in data["findings"]} == {"alias.py", "app.py"}


@pytest.mark.case("code-symlink-escape")
def test_a_change_naming_a_link_out_of_the_folder_does_not_read_it(escaping):
    from crosscheck.load.code import load_part

    code, _, _ = escaping
    part = load_part(code, ["app.py", "settings.py", "alias.py"])
    assert [f.path for f in part.files] == ["alias.py", "app.py"]
    assert [f.path for f in load_part(code, ["settings.py"], follow_links=True).files] == ["settings.py"]


# --- names that are not UTF-8 ----------------------------------------------------------------------------------


BAD_NAME = os.fsdecode(b"\xff\xfe.py")
ESCAPED = "\\xff\\xfe.py"
"""How crosscheck writes the name: its bytes as Python writes bytes."""


def bad_name(folder: Path) -> Path:
    """A file called b'\\xff\\xfe.py' in ``folder``; skips the test where the file system refuses the name."""
    path = folder / BAD_NAME
    try:
        path.write_text("import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n")
    except (OSError, UnicodeError):
        pytest.skip("the file system takes only UTF-8 names")
    return path


@pytest.mark.case("code-non-utf8-names")
def test_a_folder_member_not_named_in_utf8_is_left_out_and_named_escaped(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(APP)
    bad_name(code)
    (code / "pkg").mkdir()
    bad_name(code / "pkg")
    (tmp_path / "review.md").write_text(REVIEW)
    texts = every_format(tmp_path, code, tmp_path / "review.md")
    data = json.loads(texts["json"])
    assert [f["path"] for f in data["code"]["files"]] == ["app.py"]
    assert {a["name"]: a["status"] for a in data["analyzers"]} == {"bandit": "ok", "semgrep": "ok"}
    left_out = "left out: its name is not UTF-8, which reports cannot carry"
    assert f"{ESCAPED}: {left_out}" in data["diagnostics"]
    assert f"pkg/{ESCAPED}: {left_out}" in data["diagnostics"]
    assert ESCAPED in texts["text"] and ESCAPED in texts["html"]


@pytest.mark.case("code-non-utf8-names")
@pytest.mark.parametrize("role", ["code", "review"])
def test_a_code_file_or_review_not_named_in_utf8_is_one_error_line(tmp_path, role):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "review.md").write_text(REVIEW)
    bad = bad_name(tmp_path)
    args = (bad, tmp_path / "review.md") if role == "code" else (tmp_path / "app.py", bad)
    line = one_error_line(invoke("check", *args), f"{ESCAPED}'", "its name is not UTF-8")
    assert BAD_NAME not in line


# --- CSV cells and nesting -------------------------------------------------------------------------------------


@pytest.mark.case("csv-cell-huge")
def test_a_csv_cell_over_the_field_limit_is_one_error_line(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "review.md").write_text(REVIEW)
    (tmp_path / "pairs.csv").write_text("id,code,review,model\n"
                                        f'a,app.py,review.md,"{"x" * (128 * 1024 + 1)}"\n')
    one_error_line(invoke("batch", tmp_path / "pairs.csv", "--output-dir", tmp_path / "out"),
                   "pairs.csv: line 2: a cell is larger than the CSV field limit of 131,072 characters")
    assert not (tmp_path / "out").exists()


DEEP = 100_000


@pytest.mark.case("nested-100k")
@pytest.mark.parametrize(("name", "text", "command"), [
    ("pairs.jsonl", "[" * DEEP + "]" * DEEP, "batch"),
    ("pairs.toml", "x = " + "[" * DEEP + "]" * DEEP, "batch"),
    ("pairs.toml", "x = " + "{a = " * DEEP + "1" + "}" * DEEP, "batch"),
    ("comments.json", '[{"body": ' + "[" * DEEP + "]" * DEEP + "}]", "review"),
    ("labels.json", '{"defect": ' + "[" * DEEP + "]" * DEEP + "}", "--labels"),
    ("labels.toml", "defect = " + "[" * DEEP + "]" * DEEP, "--labels"),
    ("pyproject.toml", "[tool.crosscheck]\nrules = " + "[" * DEEP + "]" * DEEP, "--config"),
])
def test_input_nested_100000_deep_is_one_error_line(tmp_path, name, text, command):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "review.md").write_text(REVIEW)
    (tmp_path / name).write_text(text + "\n")
    given = tmp_path / name
    args = {"batch": ("batch", given, "--output-dir", tmp_path / "out"),
            "review": ("check", tmp_path / "app.py", given)}.get(
        command, ("check", tmp_path / "app.py", tmp_path / "review.md", command, given))
    one_error_line(invoke(*args), name, "nested too deeply")
