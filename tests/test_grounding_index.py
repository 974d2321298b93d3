"""The ``ast`` index builder gives, field for field, the index the libcst builder gives."""

from __future__ import annotations

import hashlib
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck.grounding.ast_index import NotMirrored, ast_index
from crosscheck.grounding.cst_index import libcst_index
from crosscheck.grounding.file_index import FileIndex
from crosscheck.grounding.index import build_index
from crosscheck.models import SourceFile

SNIPPETS = {
    "decorators": '''
import functools as ft
from a.b import deco


@deco
@ft.wraps(deco)  # keep the name
@ (deco)
class Widget(Base, metaclass=Meta):
    """A widget."""

    @property
    def size(self) -> int:
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        self._size = value


@deco.register(name="x",
               other=ft.partial(print, sep=""))
def handler(*args: str, key: int = 1, **kwargs: object) -> None:
    pass
''',
    "nested": '''
class Outer:
    class Inner:
        def method(self):
            def helper(x):
                class Local:
                    attr = x
                return Local
            return helper

    def after(self): return 1


def f(): pass
class C: x = 1; y = 2
''',
    "async": '''
import asyncio


async def main(session):
    async with session.get(URL) as resp, lock:
        data = await resp.json()
    async for item in stream():
        yield item
    else:
        await asyncio.sleep(0)
    return [x async for x in aiter()]
''',
    "match": '''
def handle(command):
    match command.split():
        case [action]:
            return action
        case [action, obj, *rest]:
            return obj
        case Point(x=0, y=yy) | Point(x=yy, y=0) as p:
            return p
        case {"key": value, **others}:
            return others
        case mod.Constant.VALUE | None | True:
            pass
        case (_):
            pass
        case [*_]: pass
        case str() if command.startswith("x"):
            return "str"
        case _:
            return None
match = case = _ = 1
match(match)
''',
    "walrus_lambda_comprehensions": '''
if (n := len(data)) > 10:
    print(f"{n} items")
squares = [y for x in range(10) if (y := x * x) > 3]
pairs = {k: v for k, v in mapping.items()}
gen = (a.b.c for a in things)
sets = {s.strip() for s in lines}
key = lambda item, *, default=None: item.name or default
nested = [[c for c in row] for row in grid]
''',
    "fstrings": """
name = "world"
greeting = f"hello {name!r:>{width}} and {obj.attr['key']} {'nested'} {x=}"
multi = f'''
    {first.second}
    {third}
'''
quotes = f"{ {'a': 1}['a'] } {d['k'] if False else ''} {f'{inner.value}'}"
concat = ("plain " f"{a.b}" 'more'
          f"{c}")
braces = f"{{literal}} {value:{fill}^{width}.{precision}}"
expr = f"{(lambda q: q.upper())(s)} {call(k=1)}"
""",
    "non_ascii": '''
# Ce module calcule des données — naïvement.
café = "crème brûlée"  # a comment after non-ASCII: é
résumé = café.upper()   # é
def ƒ(ñ, *, ü=1): return ñ.ü
class Ωmega:
    """Docstring with ümlauts and emoji 🎉."""
    π = 3.14159
x = "日本語の文字列"; y = ["🎉", "é"]  # trailing
z = f"{café} 🎉 {résumé.lower()}"
ﬁle = 1
print(ﬁle)
''',
    "crlf": 'import os\r\n\r\n# comment\r\ndef f(a):\r\n    """Doc."""\r\n    x = os.path.join(a,\r\n        "b")  # trailing\r\n    return x\r\n',
    "tabs": 'if True:\n\tx = 1  # tab\n\tif x:\n\t\ty = "a\tb"  # another\n\telse:\n\t\tpass\n',
    "continuations": '''
total = 1 + \\
    2 + \\
    3
if a and \\
   b:
    pass
assert x, \\
    "message"
with open("a") as f, \\
     open("b") as g:
    pass
def long_name(first,
              second):  # comment
    return first
import os.path as \\
    osp
if x: \\
    pass
''',
    "implicit_concatenation": '''
"""Module docstring """ "continued"
message = ("first part "  # comment between parts
           "second part"
           # a comment on its own line
           "third part")
b"bytes" b"more"
("parenthesized docstring-like "
 "string")
"a"; "b"
"only";
x = 1; "not alone"
''',
    "docstrings": '''
"""Module docstring.

With # hash inside and a ' quote.
"""


class Documented:
    r"""Raw docstring with \\d."""

    def method(self):
        \'\'\'Single-quoted triple.\'\'\'
        "bare string used as a comment"
        return 1

    def one_liner(self): "suite string"; return 2


def bytes_doc():
    b"bytes docstring"
    u"unicode prefix"
    f"f-string {bytes_doc} statement"
''',
    "annotations": '''
from __future__ import annotations
from typing import TYPE_CHECKING, Optional
import collections.abc

if TYPE_CHECKING:
    from shop.db import api as db_api

value: int = 1
mapping: dict[str, "db_api.Thing"] = {}
other: Optional[collections.abc.Mapping[str, int]]


def typed(a: int, /, b: str = "x", *args: tuple[int, ...], c: float, **kw: object) -> None | bool:
    local: list[int] = []
    return None
''',
    "imports": '''
import os
import os.path
import xml.etree.ElementTree as ET
import a.b.c as abc, d
from . import sibling
from .. import parent as par
from .pkg.mod import (name1,
                      name2 as n2,  # comment
                      )
from ...deep import *
from star.module import *
from shop.db import api as db_api
from shop import objects
db_api.instance_get(ctx)
ET.parse(path).getroot().findall("x")
abc.run()
objects.Instance.get_by_uuid(ctx, uuid)
''',
    "global_nonlocal": '''
counter = 0


def outer():
    global counter, other
    value = 1

    def inner():
        nonlocal value
        value += 1
        return value
    counter += 1
    return inner
''',
    "try_clauses": '''
try:
    risky()
except (ValueError, TypeError) as err:
    handle(err)
except OSError:
    pass
else:
    fine()
finally:
    cleanup()

try: x = 1
except Exception: pass
else: y = 2
finally: z = 3

try:
    risky()
except* ValueError as group:
    handle(group)
except* (TypeError, KeyError):
    pass
else:
    fine()
finally:
    cleanup()

for i in range(3):
    if i:
        continue
    # a comment before else
else:
    done()

while cond():
    step()
else: done()
''',
    "if_chains": '''
if a:
    x = 1
elif b:
    x = 2
elif c: x = 3
else:
    if d:
        x = 4
    else:
        x = 5
if a: pass
elif b: pass
else: pass
if x:

    # leading comment in the block

    y = 1
''',
    "with_items": '''
with open("a") as f, open("b") as g:
    pass
with (
    open("a") as f,
    open("b") as g,
):
    pass
with lock: pass
''',
    "attributes": '''
self.client.api.get(url).json()["data"].items()
"".join(parts).strip().lower()
(a or b).c.d
foo()[0].bar.baz
x.y[z.w].v
(
    first
    .second
    .third()
)
None.__class__
True.real
(...).x
super().__init__()
''',
    "statements": '''
x = [
    1,
    2,
]; y = 3
a = 1; b = (2,
            3); c = 4
del x, y
assert a, "msg"
raise ValueError("bad") from None
print("hi", file=sys.stderr)
for i in range(3): pass
while False: break
class Empty: ...
''',
    "comments_everywhere": '''#!/usr/bin/env python
# -*- coding: utf-8 -*-
# header comment
import os  # trailing


def f(  # after paren
    a,  # after a
    # own line inside parens
    b,
):  # after colon
    # first in body
    return a  # trailing
    # after return


# footer comment
''',
    "empty": "",
    "only_comment": "# nothing but a comment",
    "no_final_newline": "x = 1\ny = x.real",
    "blank_lines_at_end": "x = 1\n\n\n\n",
    "strings_with_hashes": '''
url = "http://example.com/#anchor"
pattern = r'#[^\\n]*'
text = """
# not a comment
"""
x = f"{'#'}"  # a real comment
y = ("#"
     "#")  # comment
''',
    "decorator_first_in_class": '''
class A:
    @staticmethod
    def f(): pass

    @classmethod
    def g(cls): pass
''',
    "unicode_separators": 'x = "a\x0cb"  # form feed in a string\ny = "\u2028"  # line separator\n# end\x1c here\nz = 1\n',
    "form_feed_line": 'x = 1\n\x0c\n# section two\ny = 2\n',
    "semicolon_docstring": 'def f():\n    "doc";\n    return 1\n',
    "deep_attribute_imports": 'import a.b.c.d\nfrom a.b.c import d as e\ne.f.g\na.b.c.d.e\n',
    "nfkc_identifiers": 'ﬁ = 1\nobj.ﬁeld = ﬁ\ndef ﬂow(ﬁrst=1, *, ﬀ=2): return ﬁrst\nﬂow(ﬀ=3)\nimport ﬁle as ﬁ2\nfrom ﬁle import ﬂag as ﬂ\n'
                        'def g():\n    global ﬁ\n    try:\n        pass\n    except E as ﬁx:\n        pass\n',
    "comments_in_odd_places": '''
@(  # comment inside a decorator's parentheses
    deco)
def f():
    try:
        pass
    except (ValueError  # comment before the closing parenthesis
            ) as err:
        pass
    if x:  # a comment ending in a backslash \\
        y = 1;
    else:
        y = 2;  # semicolon before else
    from m import (  # comment
        a as b)
''',
    "headers_over_lines": '''
if (a and
        b):
    pass
def f(
    a,
):

    return a
class K(
    Base,
):  # comment
    """Doc."""
for (i,
     j) in pairs: print(i)
''',
    "match_corners": '''
match p:
    case Point(x=0,
               y=yy):
        pass
    case Point(1, 2, z=  # comment
               3):
        pass
    case -1 | 1+2j | "s" | b"b":
        pass
    case {1: _, **rest}:
        pass
    case [a, (b, c), *d] if a > b:
        pass
''',
    "aliases_in_order": '''
import first as x
x.run()
def later():
    from second import mod as x
    x.go()
import third.sub as x
x.stop()
''',
    "star_and_unpacking": '''
*head, tail = items
first, *rest = [*a, *b]
call(*args, **{"k": v}, **kw)
print(*(x for x in y), sep="")
def pos(a, b, /, c, *, d): pass
''',
    "byte_order_mark": '\ufeff"""Doc."""  # c\nimport os  # d\n',
    "byte_order_mark_comment_first": '\ufeff# coding: utf-8\nx = "é"  # e\n',
    "lone_cr": 'x = 1\ry = "a"  # c\rdef f():\r    """d"""\r    return y\rz = ("a"  # between\r     "b")\r',
}


def _source(text: str, name: str = "mod.py") -> SourceFile:
    return SourceFile(path=name, abspath=f"/nonexistent/{name}", sha256=hashlib.sha256(text.encode()).hexdigest(),
                      text=text)


def _fields(index: FileIndex) -> dict[str, object]:
    return {
        "statements": index.statements, "symbols": index.symbols, "noncode": index.noncode,
        "line_offsets": index.line_offsets, "scopes": index.scopes, "parse_error": index.parse_error,
    }


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_ast_index_equals_libcst_index(name):
    source = _source(SNIPPETS[name])
    built, reference = ast_index(source), libcst_index(source)
    assert built.parser == "ast" and reference.parser == "libcst"
    assert _fields(built) == _fields(reference)


def test_snippets_are_indexed_by_ast():
    """None of the snippets needs libcst: each really tests the ``ast`` builder."""
    assert {name: build_index(_source(text)).parser for name, text in SNIPPETS.items()} == dict.fromkeys(
        SNIPPETS, "ast")


def test_columns_are_characters_not_bytes():
    text = 'é = "ü"  # ñ\n'
    index = ast_index(_source(text))
    assert [text[s:e] for s, e in index.noncode] == ["# ñ"]


def test_docstrings_and_comments_are_noncode():
    index = ast_index(_source(SNIPPETS["implicit_concatenation"]))
    regions = [SNIPPETS["implicit_concatenation"][s:e] for s, e in index.noncode]
    assert "# comment between parts" in regions and "# a comment on its own line" in regions
    assert '"a"' not in regions and '"not alone"' not in regions and '"only"' in regions


NEWER_SYNTAX = {
    "pep695": "type Alias = list[int]\n\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n",
    "pep701": 'names = ["a"]\nprint(f"{", ".join(names)}")  # quotes reused inside\n',
}


@pytest.mark.parametrize("name", sorted(NEWER_SYNTAX))
def test_syntax_newer_than_python_goes_to_libcst(name):
    source = _source(NEWER_SYNTAX[name])
    index = build_index(source)
    if sys.version_info < (3, 12):
        assert index.parser == "libcst" and not index.parse_error
    else:  # this Python reads it: the ast builder must then agree with libcst
        assert index.parser == "ast" and _fields(index) == _fields(libcst_index(source))
    assert "names" in index.symbols or index.scopes[0].name == "first"


def test_python2_goes_to_text():
    text = 'import os\nprint "x"\nos.system("ls")\n'
    index = build_index(_source(text))
    assert index.parser == "text" and index.parse_error


def test_form_feed_before_code_is_left_to_libcst():
    """libcst rewrites the indentation of such lines, so its columns differ from the text's."""
    text = "if x:\n    y = 1\n\x0cz = 2  # c\n"
    with pytest.raises(NotMirrored):
        ast_index(_source(text))
    assert build_index(_source(text)).parser == "libcst"


def test_null_byte_goes_to_libcst_or_text():
    assert build_index(_source("x = 1\x00\n")).parser in ("libcst", "text")


FRAGMENTS = [
    "import a.b as c", "from . import x as y", "x = c.d(e)[f].g", "'''doc'''", "# comment", "y = f'{x.y!r}'",
    "if x:\n    pass\nelse:\n    pass", "try:\n    pass\nexcept E as e:\n    pass\nfinally:\n    pass",
    "@d.e\ndef f(a, *b, c=1, **d):\n    'doc'\n    return a", "class K(B, k=v):\n    x: int = 1",
    "s = ('a'  # c\n     'b')", "w = [i for i in r if (j := i)]", "global g", "z = lambda q: q.r",
    "match m:\n    case [a, *b]:\n        pass\n    case {'k': v, **r}:\n        pass",
    "é = 'ü'; ñ = é", "for i in x: pass\nelse: pass", "with a as b, c:\n    pass", "x = 1 + \\\n    2",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]),
       st.booleans())
def test_random_files_index_the_same(fragments, newline, nest):
    body = "\n".join(fragments)
    if nest:
        body = "def wrapper():\n" + "\n".join("    " + line if line else line for line in body.split("\n")) + "\n    pass"
    text = (body + "\n").replace("\n", newline)
    source = _source(text)
    assert _fields(ast_index(source)) == _fields(libcst_index(source))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", "\n", "\r", "\r\n", "\x0c", "\x85", "\u2028", "é"])).map("".join))
def test_line_count_is_the_number_of_lines(text: str) -> None:
    """A file's line count, counted without splitting it, is what its lines are, whatever its breaks."""
    counted = SourceFile(path="f.py", abspath="/f.py", sha256="", text=text)
    split = SourceFile(path="f.py", abspath="/f.py", sha256="", text=text)
    assert counted.line_count == len(split.lines) == len(text.splitlines())
    assert split.line_count == len(split.lines)


def test_the_reviews_of_one_file_share_its_index() -> None:
    """The last files indexed are kept by content and path: another copy of the same file gets the same
    index (for that copy), a changed text a new one, even under the same digest."""
    from crosscheck.grounding.index import build_index

    text = "import os\n\n\ndef run(cmd):\n    return os.system(cmd)\n"
    first = SourceFile(path="same.py", abspath="/a/same.py", sha256="d" * 64, text=text)
    again = SourceFile(path="same.py", abspath="/b/same.py", sha256="d" * 64, text=text)
    changed = SourceFile(path="same.py", abspath="/b/same.py", sha256="d" * 64, text=text + "x = 1\n")
    one, two = build_index(first), build_index(again)
    assert two.source is again and one.source is first
    assert two.symbols is one.symbols and two.statements == one.statements
    other = build_index(changed)
    assert other.symbols is not one.symbols and other.line_count == one.line_count + 1


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_an_index_kept_as_json_is_given_back_whole(name):
    """What a batch's cache keeps of an index (a JSON round trip) gives the same index back, for every
    builder's output: ``ast``, libcst (newer syntax) and the text fallback (Python 2)."""
    import orjson

    from crosscheck.grounding.file_index import index_data, index_from_data

    for text in (SNIPPETS[name], "def legacy(cmd):\n    print 'running', cmd\n"):
        source = _source(text)
        index = build_index(source)
        assert index_from_data(orjson.loads(orjson.dumps(index_data(index))), source) == index


def test_index_data_of_another_shape_is_refused():
    """Every field of a kept index is checked as it is read back, line numbers of names included: such an
    entry is built again, never handed to grounding."""
    from crosscheck.grounding.file_index import index_data, index_from_data

    source = _source(SNIPPETS["decorators"])
    data = index_data(build_index(source))
    for field, bad in (("symbols", {"deco": ["x"]}), ("statements", [["a", 1]]), ("scopes", [[1]]),
                       ("symbols", [])):
        with pytest.raises((ValueError, TypeError, KeyError, AttributeError)):
            index_from_data({**data, field: bad}, source)
