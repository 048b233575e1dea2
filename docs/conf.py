"""Sphinx configuration for the h11sm documentation.

The state diagrams, the rule tables beside them and the API reference's list
of public names are generated at the start of every build (see
``_ext/h11sm_docs.py``), so the site can never show stale machines.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the checkout's package, not whatever may be installed elsewhere.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))

from h11sm._version import __version__  # noqa: E402

project = "h11sm"
author = "the h11sm developers"
copyright = "the h11sm developers, MIT licence"
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "h11sm_docs",
]

# Generated pieces are included into pages, never pages of their own.
exclude_patterns = ["_build", "_generated", "examples"]
templates_path: list[str] = []
html_static_path = ["_static"]
html_css_files = ["h11sm.css"]
html_theme = "alabaster"
html_theme_options = {
    "description": "HTTP/1.1 whose rules are tables",
    "page_width": "1240px",
    "sidebar_width": "220px",
    "fixed_sidebar": False,
}
html_title = f"h11sm {release}"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True}

# Names in ``code`` that are not cross-references stay plain text.
default_role = "literal"
