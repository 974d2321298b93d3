"""One bounded GET of a public file: https anywhere, http only to loopback (a test server), redirects
checked the same way, a size limit and a timeout.

A module of its own so that what only reads manifests and reports does not load urllib, http.client
and ssl (a tenth of a second of a short run).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from http.client import HTTPException
from typing import Any
from urllib.parse import urlsplit

__all__ = ["LOOPBACK_HOSTS", "get", "url_refusal"]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def url_refusal(url: str) -> str | None:
    """Why ``url`` may not be fetched, or None: https anywhere, http only to loopback."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return None
    return f"refused {url} (only https, or http to a loopback host, is fetched)"


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        refusal = url_refusal(newurl)
        if refusal is not None:
            raise urllib.error.URLError(f"redirect {refusal}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def get(url: str, *, accept: str, timeout_s: float, max_bytes: int) -> bytes | str:
    """The body at ``url``, or why not (a refused URL, an HTTP error, no answer in time, too large)."""
    refusal = url_refusal(url)
    if refusal is not None:
        return refusal
    handlers: list[urllib.request.BaseHandler] = [_CheckedRedirects()]
    if urlsplit(url).hostname in LOOPBACK_HOSTS:
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"User-Agent": "crosscheck", "Accept": accept})
    try:
        with opener.open(request, timeout=timeout_s) as response:
            data: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as err:
        return f"{url}: HTTP {err.code} {err.reason}"
    except urllib.error.URLError as err:
        return f"{url}: {err.reason}"
    except TimeoutError:
        return f"{url}: no answer within {timeout_s:g} s"
    except (OSError, HTTPException, ValueError) as err:
        return f"{url}: {type(err).__name__}: {err}"
    if len(data) > max_bytes:
        return f"{url}: larger than {max_bytes // 2**20} MB"
    return data
