"""Obtaining the code of a sample pair that lives in another project, verified by sha256.

A pair may name its code as a file of an upstream project (``[pair.upstream]``) that is
never committed here. :class:`Resolver` finds those bytes, in this order: a path the user
gave, a local git clone, the content-addressed cache, the raw file over HTTPS, the cache
again for the nearest release, and that release's wheel downloaded with pip. Every step
checks the sha256 of what it got, and the :class:`Provenance` says which step gave the
bytes, whether they are the reviewed revision, and what was tried before.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, NoReturn, Self
from urllib.parse import quote, urlsplit

from crosscheck.atomic import write_atomic
from crosscheck.errors import InputError
from crosscheck.load.cache_dir import default_cache_dir
from crosscheck.load.code import sha256_bytes
from crosscheck.load.files import read_input

MAX_BYTES = 50 * 1024 * 1024
"""The largest file accepted from the network or from a wheel."""
GIT_TIMEOUT_S = 60.0
PYPI_SIMPLE = "https://pypi.org/simple"
"""PyPI's simple index, read directly when pip refuses a wheel whose published sha256 the manifest gives."""
_SHA256 = re.compile(r"[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9a-f]{40}")
_RELEASE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9][A-Za-z0-9.!+_-]*")


class SourceKind(str, enum.Enum):
    """Where the code of a pair came from."""

    LOCAL = "local"
    USER_PATH = "user-path"
    GIT = "git"
    HTTPS = "https"
    PYPI = "pypi"


@dataclass(frozen=True)
class Upstream:
    """One ``[upstream.NAME]`` table: where a project can be had."""

    project: str
    git_url: str | None
    raw_templates: tuple[str, ...]
    """URL templates with ``{commit}`` and ``{path}``."""
    wheel_sha256: tuple[tuple[str, str], ...]
    """Sorted ``(release requirement, sha256 of its wheel)`` pairs."""


@dataclass(frozen=True)
class UpstreamFile:
    """One ``[pair.upstream]`` table: the reviewed file and its nearest release."""

    project: str
    path: str
    commit: str
    commit_sha256: str
    release: str
    release_sha256: str
    release_note: str


@dataclass(frozen=True)
class Provenance:
    """Where resolved bytes came from and how close they are to the reviewed revision."""

    source: SourceKind
    exact: bool
    """True when the bytes are the reviewed revision (sha256 equals ``commit_sha256``)."""
    revision: str
    """The commit hash, the release (``nova==21.0.0``), or ``unknown``."""
    location: str
    """The user path, git directory, URL or wheel file name the bytes came from."""
    sha256: str
    cached: bool
    """Served from the cache rather than obtained now."""
    note: str
    """When not exact: why, and how far off."""
    attempts: tuple[str, ...]
    """One line per earlier step that was tried and why it did not give the file."""


@dataclass(frozen=True)
class ResolvedCode:
    """A readable file whose basename is the upstream file's basename, and its provenance."""

    path: Path
    provenance: Provenance


class SourceError(InputError):
    """No step gave the upstream file; the message lists every attempt."""


def _field(table: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str] | None = None,
           what: str = "a non-empty string") -> str:
    value = table.get(key)
    if value is None:
        raise InputError(f"{where} has no {key!r} field")
    if not isinstance(value, str) or not value or (pattern is not None and not pattern.fullmatch(value)):
        raise InputError(f"{where} field {key!r} must be {what}, got {value!r}")
    return value


def upstreams_from_toml(data: Mapping[str, Any]) -> dict[str, Upstream]:
    """The ``[upstream.NAME]`` tables of a parsed manifest (``data`` is the whole document)."""
    tables = data.get("upstream", {})
    if not isinstance(tables, Mapping):
        raise InputError("[upstream] must be a table of [upstream.NAME] tables")
    result = {}
    for name, table in tables.items():
        where = f"[upstream.{name}]"
        if not isinstance(table, Mapping):
            raise InputError(f"{where} must be a table")
        git_url = table.get("git")
        if git_url is not None and (not isinstance(git_url, str) or not git_url):
            raise InputError(f"{where} field 'git' must be a URL string, got {git_url!r}")
        raw = table.get("raw", [])
        if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
            raise InputError(f"{where} field 'raw' must be a list of URL templates")
        for template in raw:
            try:
                ok = template.format(commit="C", path="P") != template.format(commit="C", path="Q")
            except (KeyError, IndexError, ValueError):
                ok = False
            if not ok or "{commit}" not in template:
                raise InputError(f"{where} raw template {template!r} must use exactly the fields {{commit}} and {{path}}")
        wheels = table.get("wheels", {})
        if not isinstance(wheels, Mapping):
            raise InputError(f"{where}.wheels must be a table of release = sha256")
        for release, digest in wheels.items():
            if not _RELEASE.fullmatch(release) or not isinstance(digest, str) or not _SHA256.fullmatch(digest):
                raise InputError(f"{where}.wheels entry {release!r} must map 'name==version' to a lowercase hex sha256")
        result[name] = Upstream(project=name, git_url=git_url, raw_templates=tuple(raw),
                                wheel_sha256=tuple(sorted(wheels.items())))
    return result


def upstream_file_from_toml(table: Mapping[str, Any], *, where: str = "[pair.upstream]") -> UpstreamFile:
    """One ``[pair.upstream]`` table, validated; ``where`` names it in error messages."""
    if not isinstance(table, Mapping):
        raise InputError(f"{where} must be a table")
    hex64 = "64 lowercase hex digits (a sha256)"
    path = _field(table, "path", where)
    parts = PurePosixPath(path).parts
    if path.startswith("/") or "\\" in path or not parts or any(p in ("..", ".") for p in parts):
        raise InputError(f"{where} field 'path' must be a relative path inside the project, got {path!r}")
    return UpstreamFile(
        project=_field(table, "project", where),
        path=path,
        commit=_field(table, "commit", where, _COMMIT, "a 40-digit lowercase hex commit hash"),
        commit_sha256=_field(table, "commit_sha256", where, _SHA256, hex64),
        release=_field(table, "release", where, _RELEASE, "a pinned requirement like 'nova==21.0.0'"),
        release_sha256=_field(table, "release_sha256", where, _SHA256, hex64),
        release_note=_field(table, "release_note", where),
    )


def _last_line(text: bytes, prefer: str = "") -> str:
    lines = [line.strip() for line in text.decode("utf-8", errors="replace").splitlines() if line.strip()]
    preferred = [line for line in lines if prefer and line.startswith(prefer)]
    return (preferred or lines or ["no message"])[-1][:300]


class Resolver:
    """Finds the bytes of upstream files; see the module docstring for the order of steps.

    Downloaded wheels live in a temporary directory removed by :meth:`close` (or on
    leaving a ``with`` block); a wheel is downloaded once per release per resolver.
    """

    def __init__(self, upstreams: Mapping[str, Upstream], *, user_path: Path | None = None,
                 git_dir: Path | None = None, network: bool = True, cache_dir: Path | None = None,
                 http_timeout_s: float = 10.0, pip_timeout_s: float = 300.0, pip_args: Sequence[str] = ()) -> None:
        self.upstreams = dict(upstreams)
        self.user_path = user_path
        self.git_dir = git_dir
        self.network = network
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self.http_timeout_s = http_timeout_s
        self.pip_timeout_s = pip_timeout_s
        self.pip_args = tuple(pip_args)
        self._tmp: Path | None = None
        self._wheels: dict[str, Path | str] = {}
        """Per release: the downloaded wheel, or why there is none."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary directory of downloaded wheels.

        Resolved paths stay valid, except when the cache could not be written: those
        files were kept in the temporary directory and go with it.
        """
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        self._wheels.clear()

    def _tmpdir(self) -> Path:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="crosscheck-sources-"))
        return self._tmp

    def resolve(self, file: UpstreamFile) -> ResolvedCode:
        """The bytes of ``file`` from the first step that gives them; raises :class:`SourceError`."""
        attempts: list[str] = []

        def done(path: Path, data: bytes, source: SourceKind, location: str) -> ResolvedCode:
            return ResolvedCode(path, self._provenance(file, sha256_bytes(data), source, location, False, attempts))

        if self.user_path is not None:
            path = self.user_path / file.path if self.user_path.is_dir() else self.user_path
            try:
                data = read_input(path, "code source")
            except OSError as err:
                attempts.append(f"user path: cannot read {path}: {err.strerror or err}")
            except InputError as err:  # not a regular file
                attempts.append(f"user path: {err}")
            else:
                given = path
                if path.name != PurePosixPath(file.path).name:  # keep the basename the review cites
                    path = self._store(file, data, SourceKind.USER_PATH, str(given))
                return done(path, data, SourceKind.USER_PATH, str(given))
        if self.git_dir is not None:
            data_or_why = self._git_show(self.git_dir, file)
            if isinstance(data_or_why, str):
                attempts.append(f"git: {data_or_why}")
            else:
                location = str(self.git_dir)
                return done(self._store(file, data_or_why, SourceKind.GIT, location), data_or_why, SourceKind.GIT,
                            location)
        hit = self._from_cache(file, file.commit_sha256, attempts)
        if hit is not None:
            return hit
        upstream = self.upstreams.get(file.project)
        if self.network:
            if upstream is None or not upstream.raw_templates:
                attempts.append(f"https: no raw URL templates for project {file.project!r}")
            for template in upstream.raw_templates if upstream is not None else ():
                url = template.format(commit=file.commit, path=quote(file.path, safe="/"))
                data_or_why = self._fetch(url, file)
                if isinstance(data_or_why, str):
                    attempts.append(f"https: {data_or_why}")
                else:
                    return done(self._store(file, data_or_why, SourceKind.HTTPS, url), data_or_why, SourceKind.HTTPS,
                                url)
        hit = self._from_cache(file, file.release_sha256, attempts)
        if hit is not None:
            return hit
        if self.network:
            wheel_sha = dict(upstream.wheel_sha256).get(file.release) if upstream is not None else None
            result = self._from_wheel(file, wheel_sha)
            if isinstance(result, str):
                attempts.append(f"pypi: {result}")
            else:
                data, wheel = result
                return done(self._store(file, data, SourceKind.PYPI, wheel.name), data, SourceKind.PYPI, wheel.name)
        self._fail(file, attempts)

    def _fail(self, file: UpstreamFile, attempts: list[str]) -> NoReturn:
        lines = [*attempts, f"cache: no verified copy under {self.cache_dir / 'sources'}"]
        if not self.network:
            lines.append("network: off, so no download was tried")
        raise SourceError(
            f"could not obtain {file.path} of {file.project} (commit {file.commit[:12]} or {file.release}): "
            + "; ".join(lines)
            + " ; give the file with --code-source PATH or a clone of the project with --git-dir DIR"
        )

    @staticmethod
    def _provenance(file: UpstreamFile, sha: str, source: SourceKind, location: str, cached: bool,
                    attempts: list[str]) -> Provenance:
        if sha == file.commit_sha256:
            exact, revision, note = True, file.commit, ""
        elif sha == file.release_sha256:
            exact, revision, note = False, file.release, file.release_note
        else:
            exact, revision = False, "unknown"
            note = (f"its sha256 {sha[:12]} matches neither the reviewed revision ({file.commit[:12]}) "
                    f"nor {file.release}; cited line numbers may drift")
        return Provenance(source=source, exact=exact, revision=revision, location=location, sha256=sha,
                          cached=cached, note=note, attempts=tuple(attempts))

    def _git_show(self, git_dir: Path, file: UpstreamFile) -> bytes | str:
        argv = ["git", "-C", str(git_dir), "show", f"{file.commit}:{file.path}"]
        try:
            proc = subprocess.run(argv, capture_output=True, timeout=GIT_TIMEOUT_S, stdin=subprocess.DEVNULL,
                                  env={**os.environ, "GIT_TERMINAL_PROMPT": "0"}, check=False)
        except FileNotFoundError:
            return "git is not installed"
        except subprocess.TimeoutExpired:
            return f"git show gave nothing within {GIT_TIMEOUT_S:g} s"
        if proc.returncode != 0:
            return f"git show {file.commit[:12]}:{file.path} in {git_dir} failed: {_last_line(proc.stderr)}"
        sha = sha256_bytes(proc.stdout)
        if sha != file.commit_sha256:
            return f"{file.commit[:12]}:{file.path} in {git_dir} has sha256 {sha[:12]}, not the expected {file.commit_sha256[:12]}"
        return proc.stdout

    def _get(self, url: str, accept: str = "*/*") -> bytes | str:
        """The body at ``url`` (https, or http to loopback), or why not."""
        from crosscheck.load.download import get  # urllib and ssl load only when something is downloaded

        return get(url, accept=accept, timeout_s=self.http_timeout_s, max_bytes=MAX_BYTES)

    def _fetch(self, url: str, file: UpstreamFile) -> bytes | str:
        data = self._get(url)
        if isinstance(data, str):
            return data
        sha = sha256_bytes(data)
        if sha != file.commit_sha256:
            return f"{url}: sha256 {sha[:12]} is not the expected {file.commit_sha256[:12]}"
        return data

    def _from_wheel(self, file: UpstreamFile, wheel_sha: str | None) -> tuple[bytes, Path] | str:
        wheel = self._wheels.get(file.release)
        if wheel is None:
            wheel = self._wheels[file.release] = self._download(file.release, wheel_sha)
        if isinstance(wheel, str):
            return wheel
        try:
            with zipfile.ZipFile(wheel) as archive:
                info = archive.getinfo(file.path)
                if info.file_size > MAX_BYTES:
                    return f"{file.path} in {wheel.name} is larger than {MAX_BYTES // 2**20} MB"
                data = archive.read(info)
        except KeyError:
            return f"{wheel.name} has no {file.path}"
        except (OSError, zipfile.BadZipFile) as err:
            return f"cannot read {wheel.name}: {err}"
        sha = sha256_bytes(data)
        if sha != file.release_sha256:
            return f"{file.path} in {wheel.name} has sha256 {sha[:12]}, not the expected {file.release_sha256[:12]}"
        return data, wheel

    def _download(self, release: str, wheel_sha: str | None) -> Path | str:
        dest = Path(tempfile.mkdtemp(dir=self._tmpdir()))
        argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                "--disable-pip-version-check", "--quiet", "--dest", str(dest), *self.pip_args, release]
        try:
            proc = subprocess.run(argv, capture_output=True, timeout=self.pip_timeout_s, stdin=subprocess.DEVNULL,
                                  check=False)
        except subprocess.TimeoutExpired:
            return f"pip download {release} gave nothing within {self.pip_timeout_s:g} s"
        if proc.returncode != 0:
            failure = f"pip download {release} failed: {_last_line(proc.stderr, prefer='ERROR:')}"
            # pip 24.1 and newer refuse wheels whose old metadata no longer parses (nova 21.0.0's does not);
            # a wheel whose published sha256 we know can still be taken from PyPI directly.
            return self._download_direct(release, wheel_sha, dest, failure) if wheel_sha else failure
        wheels = sorted(dest.glob("*.whl"))
        if len(wheels) != 1:
            return f"pip download {release} left {len(wheels)} wheels instead of one"
        if wheel_sha is not None:
            with wheels[0].open("rb") as stream:
                sha = hashlib.file_digest(stream, "sha256").hexdigest()
            if sha != wheel_sha:
                return f"{wheels[0].name} has sha256 {sha[:12]}, not the published {wheel_sha[:12]}; not used"
        return wheels[0]

    def _download_direct(self, release: str, wheel_sha: str, dest: Path, failure: str) -> Path | str:
        """The wheel of ``release`` whose sha256 is ``wheel_sha``, found through PyPI's simple API (PEP 691)."""
        name = release.partition("==")[0]
        listing = self._get(f"{PYPI_SIMPLE}/{quote(name)}/", accept="application/vnd.pypi.simple.v1+json")
        if isinstance(listing, str):
            return f"{failure}; PyPI simple API: {listing}"
        try:
            urls = [f["url"] for f in json.loads(listing)["files"]
                    if f["filename"].endswith(".whl") and f.get("hashes", {}).get("sha256") == wheel_sha]
        except (ValueError, KeyError, TypeError) as err:
            return f"{failure}; PyPI simple API: unreadable answer ({err})"
        if not urls:
            return f"{failure}; PyPI lists no wheel of {release} with sha256 {wheel_sha[:12]}"
        data = self._get(urls[0])
        if isinstance(data, str):
            return f"{failure}; {data}"
        if sha256_bytes(data) != wheel_sha:
            return f"{failure}; {urls[0]} does not have the published sha256 {wheel_sha[:12]}"
        filename = PurePosixPath(urlsplit(urls[0]).path).name
        if not re.fullmatch(r"[\w.+-]+\.whl", filename) or filename.startswith("."):
            return f"{failure}; PyPI gave a wheel with the odd name {filename!r}; not used"
        wheel = dest / filename
        wheel.write_bytes(data)
        return wheel

    def _entry(self, sha: str, file: UpstreamFile) -> Path:
        return self.cache_dir / "sources" / sha / PurePosixPath(file.path).name

    def _from_cache(self, file: UpstreamFile, sha: str, attempts: list[str]) -> ResolvedCode | None:
        path = self._entry(sha, file)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            origin = json.loads((path.parent / "origin.json").read_text("utf-8"))
            source, location = SourceKind(origin["source"]), str(origin["location"])
        except (OSError, ValueError, KeyError, TypeError):
            attempts.append(f"cache: {path.parent} has no readable origin.json; ignored")
            return None
        if sha256_bytes(data) != sha:
            attempts.append(f"cache: {path} does not match its sha256 any more; ignored")
            return None
        return ResolvedCode(path, self._provenance(file, sha, source, location, True, attempts))

    def _store(self, file: UpstreamFile, data: bytes, source: SourceKind, location: str) -> Path:
        """Write ``data`` into the cache atomically and return its path (a temporary file if the cache is unwritable)."""
        sha = sha256_bytes(data)
        origin = {"source": source.value, "location": location, "revision": file.commit if sha == file.commit_sha256
                  else file.release if sha == file.release_sha256 else "unknown"}
        path = self._entry(sha, file)
        try:
            write_atomic(path.parent / "origin.json", json.dumps(origin, indent=2).encode("utf-8") + b"\n")
            write_atomic(path, data)
        except OSError:
            path = self._tmpdir() / sha / path.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return path

