"""The build backend: setuptools, plus mypy among the build requirements
when the compiled build is asked for (``H11SM_COMPILE=1``).

A build requirement in pyproject.toml is needed by every build; mypy (which
provides mypyc, the compiler) is needed only by the compiled one, so it is
added here, where the environment can be read. The pure-Python build, the
default, needs nothing beyond setuptools, as before. Everything else is
setuptools' own backend, unchanged; setup.py chooses what to compile.
"""

from __future__ import annotations

import os

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401 - re-exported: the backend's other hooks
    build_sdist,
    build_wheel,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

COMPILE_VARIABLE = "H11SM_COMPILE"
# The compiler: mypy's own mypyc, the version range `make lint` checks with.
COMPILER_REQUIREMENT = "mypy>=1.10"


def _compiling() -> bool:
    return os.environ.get(COMPILE_VARIABLE, "") not in ("", "0")


def get_requires_for_build_wheel(config_settings: dict[str, object] | None = None) -> list[str]:
    if not _compiling():
        return list(_setuptools.get_requires_for_build_wheel(config_settings))
    # setuptools runs setup.py to collect its own requirements, before mypy
    # is installed: that run must not try to compile.
    asked = os.environ[COMPILE_VARIABLE]
    os.environ[COMPILE_VARIABLE] = "0"
    try:
        requirements = list(_setuptools.get_requires_for_build_wheel(config_settings))
    finally:
        os.environ[COMPILE_VARIABLE] = asked
    return [*requirements, COMPILER_REQUIREMENT]


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, object] | None = None,
    metadata_directory: str | None = None,
) -> str:
    # Compiled extensions built in place would sit beside the sources of an
    # editable checkout and shadow them: every edit would then be ignored.
    if _compiling():
        raise SystemExit(
            f"{COMPILE_VARIABLE}=1 builds a wheel (make wheel-compiled), not an editable install: "
            "unset it for `pip install -e .`"
        )
    return str(_setuptools.build_editable(wheel_directory, config_settings, metadata_directory))
