"""A small Sphinx extension: regenerate what the docs show from the code.

At the start of every build (``builder-inited``), before any page is read, it

* draws the state diagrams and writes the rule tables beside them, with the
  package's own renderer (``h11sm._diagrams``, the code behind
  ``h11sm diagrams``), into ``docs/_generated/``;
* writes ``docs/_generated/api_reference.rst``: one autodoc entry for every
  public class, exception and function in ``h11sm.__all__``, so the reference
  cannot forget a name the package exports.

While pages are read, it also leaves private parameters (a name starting with
``_``, such as the events' ``_trusted``, which only the wire parser passes)
out of the signatures autodoc shows and out of the parameter lists that
``autodoc_typehints = "description"`` writes from the annotations.

A build without Graphviz's ``dot`` stops with a one-line hint on installing it
rather than showing pages without their diagrams.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.nodes import Element
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

DOCS = Path(__file__).resolve().parent.parent
ROOT = DOCS.parent
GENERATED = DOCS / "_generated"

logger = logging.getLogger(__name__)


def api_reference_rst() -> str:
    """Autodoc directives for the public classes, exceptions and functions of
    :mod:`h11sm` (constants are described by hand in ``api.rst``)."""
    import h11sm

    classes, exceptions, functions = [], [], []
    for name in h11sm.__all__:
        obj = getattr(h11sm, name)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            exceptions.append(name)
        elif inspect.isclass(obj):
            classes.append(name)
        elif inspect.isfunction(obj):
            functions.append(name)
    # The Connection first: everything else is used through it.
    classes.sort(key=lambda name: name != "Connection")
    lines: list[str] = []
    for directive, names in (
        ("autoclass", classes),
        ("autoexception", exceptions),
        ("autofunction", functions),
    ):
        for name in names:
            lines += [f".. {directive}:: h11sm.{name}"]
            # Response and InformationalResponse get their fields from the
            # base they share.
            if directive == "autoclass" and issubclass(getattr(h11sm, name), h11sm.Event):
                lines += ["   :inherited-members:"]
            lines += [""]
    return "\n".join(lines) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def regenerate(app: Sphinx) -> None:
    from h11sm import _diagrams as renderer

    try:
        result = renderer.write_all(GENERATED, formats=("svg", "png"))
    except renderer.DiagramsUnavailable as exc:
        raise ExtensionError(str(exc)) from None
    if result.dot_missing:
        raise ExtensionError(
            "Graphviz's dot is needed to draw the state diagrams: " + renderer.INSTALL_HINT
        )
    _write_if_changed(GENERATED / "api_reference.rst", api_reference_rst())
    logger.info("h11sm_docs: diagrams, rule tables and API list regenerated in %s", GENERATED)


# ", _name=default" in a signature as autodoc writes it. (Private parameters
# come last and have simple defaults, so this finds all of them.)
_PRIVATE_PARAMETER_RE = re.compile(r", _\w+=[^,)]*")


def hide_private_parameters(
    app: Sphinx, what: str, name: str, obj: object, options: object, signature: str | None, annotation: str | None
) -> tuple[str | None, str | None]:
    """Drop the private parameters from a signature autodoc is about to show."""
    if signature is None:
        return signature, annotation
    return _PRIVATE_PARAMETER_RE.sub("", signature), annotation


def drop_private_parameter_entries(app: Sphinx, domain: str, objtype: str, contentnode: Element) -> None:
    """Remove the ``:param _name:`` and ``:type _name:`` fields that the
    typehints step has just added to a description (they become its
    "Parameters" list afterwards)."""
    for field in list(contentnode.findall(nodes.field)):
        words = field[0].astext().split()
        if len(words) == 2 and words[0] in ("param", "type") and words[1].startswith("_"):
            field.parent.remove(field)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", regenerate)
    app.connect("autodoc-process-signature", hide_private_parameters)
    # (After sphinx.ext.autodoc's own handler of the event, which runs at
    # the default priority, 500, and writes the entries.)
    app.connect("object-description-transform", drop_private_parameter_entries, priority=600)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
