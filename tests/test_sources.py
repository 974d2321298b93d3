"""Resolving upstream files: user path, git clone, cache, loopback HTTP, wheels via pip, and PyPI itself."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import shutil
import socket
import subprocess
import tempfile
import threading
import tomllib
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import REPO
from crosscheck.errors import InputError
from crosscheck.load.cache_dir import default_cache_dir
from crosscheck.load.sources import (
    Resolver,
    SourceError,
    SourceKind,
    Upstream,
    UpstreamFile,
    upstream_file_from_toml,
    upstreams_from_toml,
)

PATH = "proj/tests/functional/test_x.py"
COMMIT = "c0ffee" + "0" * 34
REVIEWED = b"def test_x():\n    assert 1 + 1 == 2\n"
RELEASED = b"def test_x():\n    # moved down a line in the release\n    assert 1 + 1 == 2\n"
OTHER = b"def test_x():\n    pass\n"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(autouse=True)
def private_tempdir(tmp_path, monkeypatch):
    """Resolvers not closed by a test leave their downloaded wheels under tmp_path, not in /tmp."""
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upstream_file(**changes: str) -> UpstreamFile:
    file = UpstreamFile(project="proj", path=PATH, commit=COMMIT, commit_sha256=sha(REVIEWED),
                        release="demo-pkg==1.0", release_sha256=sha(RELEASED), release_note="moved by one line")
    return dataclasses.replace(file, **changes)


def upstream(*templates: str, wheels: tuple[tuple[str, str], ...] = ()) -> dict[str, Upstream]:
    return {"proj": Upstream(project="proj", git_url=None, raw_templates=templates, wheel_sha256=wheels)}


# --- user path -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data, exact, revision, note", [
    (REVIEWED, True, COMMIT, ""),
    (RELEASED, False, "demo-pkg==1.0", "moved by one line"),
    (OTHER, False, "unknown", "may drift"),
])
def test_user_file_is_used_and_compared(tmp_path, data, exact, revision, note):
    given = tmp_path / "test_x.py"
    given.write_bytes(data)
    resolved = Resolver({}, user_path=given, network=False, cache_dir=tmp_path / "cache").resolve(upstream_file())
    assert resolved.path == given
    prov = resolved.provenance
    assert (prov.source, prov.exact, prov.revision, prov.sha256) == (SourceKind.USER_PATH, exact, revision, sha(data))
    assert note in prov.note and bool(prov.note) == (not exact)
    assert prov.location == str(given) and not prov.cached and prov.attempts == ()
    if data == OTHER:
        assert "c0ffee000000" in prov.note and "demo-pkg==1.0" in prov.note


def test_user_directory_with_upstream_layout(tmp_path):
    (tmp_path / "clone" / PATH).parent.mkdir(parents=True)
    (tmp_path / "clone" / PATH).write_bytes(REVIEWED)
    resolver = Resolver({}, user_path=tmp_path / "clone", network=False, cache_dir=tmp_path / "cache")
    resolved = resolver.resolve(upstream_file())
    assert resolved.path == tmp_path / "clone" / PATH
    assert resolved.provenance.exact and resolved.provenance.source is SourceKind.USER_PATH


def test_user_file_with_another_name_is_served_under_the_upstream_basename(tmp_path):
    given = tmp_path / "renamed.py"
    given.write_bytes(REVIEWED)
    resolved = Resolver({}, user_path=given, network=False, cache_dir=tmp_path / "cache").resolve(upstream_file())
    assert resolved.path.name == "test_x.py" and resolved.path.read_bytes() == REVIEWED
    assert resolved.provenance.location == str(given) and resolved.provenance.exact


def test_missing_user_path_falls_through_to_an_error_listing_it(tmp_path):
    resolver = Resolver({}, user_path=tmp_path / "nowhere", network=False, cache_dir=tmp_path / "cache")
    with pytest.raises(SourceError) as info:
        resolver.resolve(upstream_file())
    message = str(info.value)
    assert isinstance(info.value, InputError) and "\n" not in message
    assert f"user path: cannot read {tmp_path / 'nowhere'}" in message
    assert "network: off" in message and "--code-source" in message and "--git-dir" in message


# --- git -------------------------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    argv = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false",
            "-C", str(repo), *args]
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=60).stdout.strip()


@pytest.fixture
def clone(tmp_path):
    repo = tmp_path / "clone"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / PATH).parent.mkdir(parents=True)
    (repo / PATH).write_bytes(REVIEWED)
    git(repo, "add", PATH)
    git(repo, "commit", "--quiet", "-m", "add test")
    (repo / PATH).write_bytes(OTHER)  # the working tree must not matter
    return SimpleNamespace(path=repo, commit=git(repo, "rev-parse", "HEAD"))


@needs_git
def test_git_clone_gives_the_exact_file_into_the_cache(tmp_path, clone):
    resolver = Resolver({}, git_dir=clone.path, network=False, cache_dir=tmp_path / "cache")
    resolved = resolver.resolve(upstream_file(commit=clone.commit))
    prov = resolved.provenance
    assert (prov.source, prov.exact, prov.revision, prov.cached) == (SourceKind.GIT, True, clone.commit, False)
    assert resolved.path == tmp_path / "cache" / "sources" / sha(REVIEWED) / "test_x.py"
    assert resolved.path.read_bytes() == REVIEWED
    assert prov.location == str(clone.path) and prov.attempts == ()


@needs_git
def test_git_bytes_with_another_sha_are_rejected_and_the_next_step_is_tried(tmp_path, clone, server):
    server.routes[f"/raw/{clone.commit}/{PATH}"] = OTHER
    resolver = Resolver(upstream(server.template), git_dir=clone.path, cache_dir=tmp_path / "cache")
    resolved = resolver.resolve(upstream_file(commit=clone.commit, commit_sha256=sha(OTHER)))
    assert resolved.provenance.source is SourceKind.HTTPS and resolved.provenance.exact
    [line] = resolved.provenance.attempts
    assert line.startswith("git: ") and f"has sha256 {sha(REVIEWED)[:12]}" in line


@needs_git
def test_git_commit_not_in_the_clone(tmp_path, clone):
    resolver = Resolver({}, git_dir=clone.path, network=False, cache_dir=tmp_path / "cache")
    with pytest.raises(SourceError, match=r"git: git show c0ffee000000:proj/tests/functional/test_x\.py in .* failed: fatal: "):
        resolver.resolve(upstream_file())


def test_git_not_installed(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    resolver = Resolver({}, git_dir=tmp_path, network=False, cache_dir=tmp_path / "cache")
    with pytest.raises(SourceError, match="git: git is not installed"):
        resolver.resolve(upstream_file())


# --- loopback HTTP and the cache -------------------------------------------------------------------------------


@pytest.fixture
def server():
    routes: dict[str, bytes | str] = {}
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            target = routes.get(self.path)
            if target is None:
                self.send_error(404)
            elif isinstance(target, str):
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self.send_response(200)
                self.send_header("Content-Length", str(len(target)))
                self.end_headers()
                self.wfile.write(target)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    stopped = []

    def stop():
        if not stopped:
            stopped.append(True)
            httpd.shutdown()
            httpd.server_close()

    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield SimpleNamespace(routes=routes, hits=hits, base=base, template=base + "/raw/{commit}/{path}", stop=stop)
    stop()


def test_http_gives_the_exact_file_and_the_cache_serves_it_later(tmp_path, server):
    server.routes[f"/raw/{COMMIT}/{PATH}"] = REVIEWED
    cache = tmp_path / "cache"
    first = Resolver(upstream(server.template), cache_dir=cache).resolve(upstream_file())
    url = f"{server.base}/raw/{COMMIT}/{PATH}"
    assert (first.provenance.source, first.provenance.exact, first.provenance.cached) == (SourceKind.HTTPS, True, False)
    assert first.provenance.location == url and first.path.read_bytes() == REVIEWED
    assert first.path == cache / "sources" / sha(REVIEWED) / "test_x.py"
    server.stop()
    second = Resolver(upstream(server.template), cache_dir=cache).resolve(upstream_file())
    prov = second.provenance
    assert (prov.source, prov.exact, prov.cached, prov.location, prov.revision) == (
        SourceKind.HTTPS, True, True, url, COMMIT)
    assert second.path == first.path and prov.attempts == ()


def test_a_failing_template_adds_one_attempt_and_the_next_is_tried(tmp_path, server):
    server.routes[f"/raw/{COMMIT}/{PATH}"] = REVIEWED
    resolver = Resolver(upstream(server.base + "/gone/{commit}/{path}", server.template), cache_dir=tmp_path / "c")
    resolved = resolver.resolve(upstream_file())
    assert resolved.provenance.exact and resolved.provenance.source is SourceKind.HTTPS
    assert resolved.provenance.attempts == (f"https: {server.base}/gone/{COMMIT}/{PATH}: HTTP 404 Not Found",)


def test_http_bytes_with_another_sha_are_rejected(tmp_path, server):
    server.routes[f"/raw/{COMMIT}/{PATH}"] = OTHER
    resolver = Resolver(upstream(server.template), cache_dir=tmp_path / "cache", pip_args=("--no-index",))
    with pytest.raises(SourceError, match=f"sha256 {sha(OTHER)[:12]} is not the expected"):
        resolver.resolve(upstream_file())
    assert not (tmp_path / "cache" / "sources" / sha(OTHER)).exists()


def test_plain_http_to_another_host_is_refused_without_connecting(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    resolver = Resolver(upstream("http://example.invalid/{commit}/{path}"), cache_dir=tmp_path / "cache",
                        pip_args=("--no-index",))
    with pytest.raises(SourceError, match=r"https: refused http://example\.invalid/c0ffee0+/proj/"):
        resolver.resolve(upstream_file())


def test_a_redirect_off_loopback_is_refused(tmp_path, server):
    server.routes[f"/raw/{COMMIT}/{PATH}"] = "http://example.invalid/elsewhere"
    resolver = Resolver(upstream(server.template), cache_dir=tmp_path / "cache", pip_args=("--no-index",))
    with pytest.raises(SourceError, match=r"redirect refused http://example\.invalid/elsewhere"):
        resolver.resolve(upstream_file())


def test_a_corrupted_cache_entry_is_not_served_and_is_repaired(tmp_path, server):
    server.routes[f"/raw/{COMMIT}/{PATH}"] = REVIEWED
    cache = tmp_path / "cache"
    entry = Resolver(upstream(server.template), cache_dir=cache).resolve(upstream_file()).path
    entry.write_bytes(OTHER)
    resolved = Resolver(upstream(server.template), cache_dir=cache).resolve(upstream_file())
    assert not resolved.provenance.cached and resolved.provenance.source is SourceKind.HTTPS
    assert resolved.provenance.attempts == (f"cache: {entry} does not match its sha256 any more; ignored",)
    assert entry.read_bytes() == REVIEWED
    assert server.hits.count(f"/raw/{COMMIT}/{PATH}") == 2


def test_default_cache_dir_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CROSSCHECK_CACHE_DIR")
    assert default_cache_dir().name == "crosscheck"


# --- wheels through pip ----------------------------------------------------------------------------------------


def build_wheel(folder: Path, members: dict[str, bytes]) -> Path:
    dist = "demo_pkg-1.0.dist-info"
    files = {
        **members,
        f"{dist}/METADATA": b"Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n",
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
              f"{len(data)}" for name, data in files.items()]
    files[f"{dist}/RECORD"] = ("\n".join([*record, f"{dist}/RECORD,,"]) + "\n").encode()
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / "demo_pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


def offline_pip(wheels: Path) -> tuple[str, ...]:
    return ("--no-index", "--find-links", str(wheels))


def test_the_release_wheel_is_downloaded_once_with_pip_and_verified(tmp_path, monkeypatch):
    second_path = "proj/other.py"
    wheel = build_wheel(tmp_path / "wheels", {PATH: RELEASED, second_path: OTHER})
    runs: list[list[str]] = []
    real_run = subprocess.run

    def spy(argv, *args, **kwargs):
        runs.append(list(argv))
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    with Resolver(upstream(wheels=(("demo-pkg==1.0", sha(wheel.read_bytes())),)), cache_dir=tmp_path / "cache",
                  pip_args=offline_pip(tmp_path / "wheels")) as resolver:
        first = resolver.resolve(upstream_file())
        second = resolver.resolve(upstream_file(path=second_path, release_sha256=sha(OTHER)))
    prov = first.provenance
    assert (prov.source, prov.exact, prov.revision, prov.note) == (
        SourceKind.PYPI, False, "demo-pkg==1.0", "moved by one line")
    assert prov.location == wheel.name and not prov.cached
    assert prov.attempts == ("https: no raw URL templates for project 'proj'",)
    assert first.path == tmp_path / "cache" / "sources" / sha(RELEASED) / "test_x.py"
    assert first.path.read_bytes() == RELEASED
    assert second.path.read_bytes() == OTHER and second.path.name == "other.py"
    [argv] = runs
    assert argv[1:4] == ["-m", "pip", "download"] and argv[-1] == "demo-pkg==1.0"
    again = Resolver({}, network=False, cache_dir=tmp_path / "cache").resolve(upstream_file())
    assert again.provenance.cached and again.provenance.source is SourceKind.PYPI and again.path == first.path


def test_a_wheel_with_another_sha_is_rejected(tmp_path):
    build_wheel(tmp_path / "wheels", {PATH: RELEASED})
    resolver = Resolver(upstream(wheels=(("demo-pkg==1.0", "0" * 64),)), cache_dir=tmp_path / "cache",
                        pip_args=offline_pip(tmp_path / "wheels"))
    with pytest.raises(SourceError, match=r"pypi: demo_pkg-1\.0-py3-none-any\.whl has sha256 \w+, not the published"):
        resolver.resolve(upstream_file())


def test_a_wheel_without_the_file(tmp_path):
    build_wheel(tmp_path / "wheels", {"proj/else.py": RELEASED})
    resolver = Resolver({}, cache_dir=tmp_path / "cache", pip_args=offline_pip(tmp_path / "wheels"))
    with pytest.raises(SourceError, match=rf"pypi: demo_pkg-1\.0-py3-none-any\.whl has no {PATH}"):
        resolver.resolve(upstream_file())


def test_a_wheel_file_with_another_sha_is_rejected(tmp_path):
    build_wheel(tmp_path / "wheels", {PATH: OTHER})
    resolver = Resolver({}, cache_dir=tmp_path / "cache", pip_args=offline_pip(tmp_path / "wheels"))
    with pytest.raises(SourceError, match=rf"pypi: {PATH} in demo_pkg-1\.0-py3-none-any\.whl has sha256 {sha(OTHER)[:12]}"):
        resolver.resolve(upstream_file())
    assert not (tmp_path / "cache" / "sources" / sha(OTHER)).exists()


def test_a_release_pip_cannot_find(tmp_path):
    (tmp_path / "wheels").mkdir()
    resolver = Resolver({}, cache_dir=tmp_path / "cache", pip_args=offline_pip(tmp_path / "wheels"))
    with pytest.raises(SourceError, match=r"pypi: pip download demo-pkg==1\.0 failed: ERROR: "):
        resolver.resolve(upstream_file())


def test_close_removes_the_downloaded_wheels(tmp_path):
    build_wheel(tmp_path / "wheels", {PATH: RELEASED})
    resolver = Resolver({}, cache_dir=tmp_path / "cache", pip_args=offline_pip(tmp_path / "wheels"))
    resolver.resolve(upstream_file())
    assert list((tmp_path / "tmp").rglob("*.whl"))
    resolver.close()
    assert list((tmp_path / "tmp").iterdir()) == []


# --- the manifest ----------------------------------------------------------------------------------------------


def manifest() -> dict:
    return tomllib.loads((REPO / "samples" / "samples.toml").read_text("utf-8"))


def test_the_manifest_parses():
    data = manifest()
    upstreams = upstreams_from_toml(data)
    nova = upstreams["nova"]
    assert nova.git_url and len(nova.raw_templates) == 2 and dict(nova.wheel_sha256)["nova==21.0.0"]
    files = [upstream_file_from_toml(pair["upstream"]) for pair in data["pair"] if "upstream" in pair]
    assert files and all(f.project in upstreams for f in files)


@pytest.mark.parametrize("key, value, message", [
    ("commit", "7AE1A1091326292B02D879AE5410D5E7E78D3997", "40-digit lowercase hex"),
    ("commit_sha256", "abc", "64 lowercase hex"),
    ("release", "--index-url=http://evil", "pinned requirement"),
    ("path", "../etc/passwd", "relative path"),
    ("path", "/etc/passwd", "relative path"),
    ("release_note", None, "has no 'release_note' field"),
])
def test_bad_pair_upstream_fields(key, value, message):
    table = dict(next(p["upstream"] for p in manifest()["pair"] if "upstream" in p))
    if value is None:
        del table[key]
    else:
        table[key] = value
    with pytest.raises(InputError, match=message):
        upstream_file_from_toml(table, where="pair 'x'")


@pytest.mark.parametrize("table, message", [
    ({"raw": ["https://h/{commit}"]}, "must use exactly the fields"),
    ({"raw": ["https://h/{commit}/{path}/{other}"]}, "must use exactly the fields"),
    ({"raw": "https://h/{commit}/{path}"}, "must be a list"),
    ({"wheels": {"nova==1": "xyz"}}, "lowercase hex sha256"),
    ({"git": 3}, "'git' must be a URL"),
])
def test_bad_upstream_tables(table, message):
    with pytest.raises(InputError, match=message):
        upstreams_from_toml({"upstream": {"p": table}})


def test_nova_001_from_the_network(tmp_path):
    """The real thing: the raw file if a git host answers, else the nova 21.0.0 wheel from PyPI."""
    data = manifest()
    pair = next(p for p in data["pair"] if p["id"] == "nova-001")
    file = upstream_file_from_toml(pair["upstream"])
    with Resolver(upstreams_from_toml(data), cache_dir=tmp_path / "cache", http_timeout_s=10) as resolver:
        resolved = resolver.resolve(file)
    prov = resolved.provenance
    assert resolved.path.name == "test_bug_1679750.py"
    assert hashlib.sha256(resolved.path.read_bytes()).hexdigest() == prov.sha256
    if prov.source is SourceKind.HTTPS:
        assert prov.exact and prov.sha256 == file.commit_sha256
    else:
        assert (prov.source, prov.exact, prov.revision) == (SourceKind.PYPI, False, "nova==21.0.0")
        assert prov.sha256 == file.release_sha256 and prov.location == "nova-21.0.0-py3-none-any.whl"
        assert all(line.startswith("https: ") for line in prov.attempts)
