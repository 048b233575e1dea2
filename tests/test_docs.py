"""Every Python example in the documentation runs, and says what it claims.

The runner is generic: it visits every ``docs/*.rst`` page, including pages
added after this file was written, and runs two kinds of example:

* ``>>>`` blocks, as doctests (with ELLIPSIS and NORMALIZE_WHITESPACE). The
  blocks of one page share one namespace, in page order, like a session;
* ``.. code-block:: python`` blocks (also ``code`` / ``sourcecode`` and the
  ``python3`` / ``py`` spellings), each run on its own in a fresh namespace:
  they must work as written, when copied out of the page.

Shell commands belong in ``.. code-block:: console`` and are not run. Whole
example scripts under ``docs/examples/`` are shown with ``literalinclude``
and have tests of their own.
"""

from __future__ import annotations

import doctest
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(DOCS.glob("*.rst"))

DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# A directive that shows code: `.. code-block:: LANG`, `.. code:: LANG` or
# `.. sourcecode:: LANG`, at any indentation.
_CODE_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. (?:code-block|code|sourcecode)::[ \t]*(?P<lang>\S*)[ \t]*$")
PYTHON_LANGUAGES = {"python", "python3", "py"}


@dataclass(frozen=True)
class CodeBlock:
    page: Path
    line: int  # 1-based line of the directive
    language: str
    source: str


def code_blocks(text: str, page: Path) -> list[CodeBlock]:
    """The code-block directives of a reST page, with their bodies dedented
    (options such as ``:caption:`` are skipped)."""
    lines = text.splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        match = _CODE_DIRECTIVE.match(lines[index])
        if match is None:
            index += 1
            continue
        directive_line = index
        indent = len(match["indent"].expandtabs())
        index += 1
        body: list[str] = []
        # The body is every following line that is blank or indented deeper
        # than the directive itself.
        while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > indent):
            body.append(lines[index])
            index += 1
        source_lines = _drop_options(body)
        blocks.append(
            CodeBlock(
                page=page,
                line=directive_line + 1,
                language=match["lang"].lower(),
                source=textwrap.dedent("\n".join(source_lines)).strip("\n") + "\n",
            )
        )
    return blocks


def _indent(line: str) -> int:
    return len(line.expandtabs()) - len(line.expandtabs().lstrip())


def _drop_options(body: list[str]) -> list[str]:
    """Skip the directive's ``:option:`` lines, which come before the first
    blank line."""
    start = 0
    while start < len(body) and body[start].strip().startswith(":"):
        start += 1
    return body[start:]


def _page_id(page: Path) -> str:
    return page.name


# -- the runner's own behaviour ---------------------------------------------------


def test_the_runner_finds_pages() -> None:
    assert {"index.rst", "introduction.rst"} <= {page.name for page in PAGES}


def test_code_blocks_are_found_with_their_options_dropped(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        Title
        =====

        .. code-block:: python
           :caption: a caption

           x = 1
           if x:
               y = 2

        Between.

        * a list item:

          .. code:: py

             z = 3

        .. code-block:: console

           $ make docs
        """
    )
    blocks = code_blocks(text, tmp_path / "page.rst")
    assert [(b.line, b.language, b.source) for b in blocks] == [
        (4, "python", "x = 1\nif x:\n    y = 2\n"),
        (15, "py", "z = 3\n"),
        (19, "console", "$ make docs\n"),
    ]


def test_a_failing_doctest_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "broken.rst"
    page.write_text("Broken\n======\n\n>>> 1 + 1\n3\n", encoding="utf-8")
    result = _run_doctests(page)
    assert (result.failed, result.attempted) == (1, 1)


# -- the pages -------------------------------------------------------------------------


def _run_doctests(page: Path) -> doctest.TestResults:
    text = page.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {"__name__": f"docs.{page.stem}"}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
    runner.run(test)
    return runner.summarize(verbose=False)


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_doctests_pass(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = _run_doctests(page)
    report = capsys.readouterr().out
    assert result.failed == 0, f"{page.name}: {result.failed} of {result.attempted} examples failed\n{report}"


PYTHON_BLOCKS = [
    block
    for page in PAGES
    for block in code_blocks(page.read_text(encoding="utf-8"), page)
    if block.language in PYTHON_LANGUAGES
]


@pytest.mark.parametrize(
    "block", PYTHON_BLOCKS, ids=[f"{b.page.name}:{b.line}" for b in PYTHON_BLOCKS]
)
def test_python_code_blocks_run_as_written(block: CodeBlock) -> None:
    _run_code_block(block)


# Module families a docs example may import with the h11 0.16 face
# installed (see coming_from_h11.rst): they are forgotten afterwards, so
# that the rest of the test run imports them afresh, on the real h11.
_FACE_SENSITIVE = ("h11", "httpx", "httpcore")


def _run_code_block(block: CodeBlock) -> None:
    import h11sm.h11

    code = compile(block.source, f"{block.page.name}:{block.line}", "exec")
    before = set(sys.modules)
    try:
        exec(code, {"__name__": f"docs.{block.page.stem}"})
    finally:
        h11sm.h11.uninstall()
        for name in set(sys.modules) - before:
            if name.partition(".")[0] in _FACE_SENSITIVE:
                del sys.modules[name]


def test_a_failing_code_block_is_reported(tmp_path: Path) -> None:
    text = ".. code-block:: python\n\n   import h11sm\n   assert h11sm.IDLE is h11sm.DONE\n"
    [block] = code_blocks(text, tmp_path / "broken.rst")
    with pytest.raises(AssertionError):
        _run_code_block(block)


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_every_code_block_names_its_language(page: Path) -> None:
    # A block without a language (or `pycon`) would be neither run nor
    # clearly marked as not runnable.
    for block in code_blocks(page.read_text(encoding="utf-8"), page):
        assert block.language, f"{page.name}:{block.line}: say which language (python or console)"
        assert block.language != "pycon", f"{page.name}:{block.line}: write >>> examples as a plain doctest block"


# -- the API reference names every public name -----------------------------------------


def _data_directive_names(text: str) -> set[str]:
    """Names declared with ``.. data::``, including continuation lines
    (``.. data:: CLIENT`` then ``          SERVER``)."""
    names: set[str] = set()
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"^\.\. data:: (\S+)$", line)
        if match is None:
            continue
        names.add(match[1])
        for following in lines[index + 1 :]:
            more = re.match(r"^ {10}(\S+)$", following)
            if more is None:
                break
            names.add(more[1])
    return names


def test_every_public_name_is_in_the_api_reference() -> None:
    import inspect

    import h11sm

    by_hand = _data_directive_names((DOCS / "api.rst").read_text(encoding="utf-8"))
    # Classes, exceptions and functions get an autodoc entry generated at
    # build time (docs/_ext/h11sm_docs.py); every other public name must be
    # described by hand.
    generated = {
        name
        for name in h11sm.__all__
        if inspect.isclass(getattr(h11sm, name)) or inspect.isfunction(getattr(h11sm, name))
    }
    assert set(h11sm.__all__) - generated == by_hand


def test_every_name_of_h11sm_machines_is_in_the_api_reference() -> None:
    import h11sm.machines

    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. auto\w+:: h11sm\.machines\.(\w+)$", text, flags=re.MULTILINE))
    assert documented == set(h11sm.machines.__all__)


def test_private_parameters_are_left_out_of_the_reference() -> None:
    # The events' _trusted keyword (for the wire parser only) must not show
    # in the signatures autodoc writes, nor in the parameter lists that the
    # typehints step adds from the annotations.
    from docutils import nodes

    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import h11sm_docs
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    signature = "(*, status_code, headers=(), http_version=b'1.1', reason=b'', _trusted=False)"
    assert h11sm_docs.hide_private_parameters(None, "class", "Response", None, None, signature, None) == (  # type: ignore[arg-type]
        "(*, status_code, headers=(), http_version=b'1.1', reason=b'')",
        None,
    )
    fields = nodes.field_list()
    for name in ("param reason", "type reason", "param _trusted", "type _trusted"):
        fields += nodes.field("", nodes.field_name(text=name), nodes.field_body())
    content = nodes.container("", fields)
    h11sm_docs.drop_private_parameter_entries(None, "py", "class", content)  # type: ignore[arg-type]
    assert [field[0].astext() for field in content.findall(nodes.field)] == ["param reason", "type reason"]
