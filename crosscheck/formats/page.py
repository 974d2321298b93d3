"""The shell of every crosscheck HTML page: the jinja2 environment, the Content-Security-Policy, the tones.

The report page, the batch page and the index of ``check --output-dir`` are each a
template under ``crosscheck/templates`` extending ``base.html.j2`` (doctype, policy,
title, style, body, the page's one script); :func:`render_page` renders any of them.
Every text goes through jinja2's autoescaping (never ``|safe``; callers remove
control characters first), undefined names are an error, and the pages load
nothing: the policy admits only the inline style and the page's one script, by its
sha256, so injected markup could not run a script even if it got through.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from crosscheck import __version__

TONES = {
    "confirmed": "good", "upheld": "good", "matched": "good", "consistent": "good", "exact": "good", "ok": "good",
    "unsupported": "warn", "undetermined": "warn", "near": "warn", "moved": "warn", "comment": "warn",
    "partial": "warn",
    "ungrounded": "bad", "contradicted": "bad", "missed": "bad", "self-contradictory": "bad", "absent": "bad",
    "failed": "bad", "missing": "bad",
}
"""Colour of each outcome and status (a CSS class); a value not listed is shown plain."""


def tone(value: object) -> str:
    """The CSS class colouring an outcome or status."""
    return f"tone-{TONES.get(str(value), 'plain')}"


def script_hash(script: str) -> str:
    """The CSP source (``sha256-...``) that admits exactly this inline script."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def content_security_policy(script: str | None) -> str:
    """The policy of a page: no network, inline styles, and its one inline script admitted by its hash.

    A page without a script (the index) keeps the shorter policy it has always had.
    """
    if script is None:
        return "default-src 'none'; style-src 'unsafe-inline'"
    return ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            f"script-src '{script_hash(script)}'; base-uri 'none'; form-action 'none'")


@functools.cache
def environment() -> Environment:
    """The jinja2 environment of crosscheck's templates, made on first use (templates compile when first
    rendered, then stay compiled): autoescaped, undefined names an error, blocks trimmed, a final newline kept."""
    return Environment(loader=PackageLoader("crosscheck", "templates"), autoescape=select_autoescape(default=True),
                       undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def render_page(template: str, *, title: str, script: str | None, **context: Any) -> str:
    """The page ``template`` (a file of ``crosscheck/templates`` extending ``base.html.j2``) with its
    ``title``, its one trusted constant ``script`` (or none) admitted by the policy, and ``context``; the
    template also gets :func:`tone` and crosscheck's ``version``."""
    return environment().get_template(template).render(
        title=title, csp=content_security_policy(script), script=None if script is None else Markup(script),
        tone=tone, version=__version__, **context)
