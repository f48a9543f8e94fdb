"""Every example in a docstring of the library is a test (constriction's habit, STYLE.md).

Runs :mod:`doctest` on each module of the imported ``codebook`` package, so the examples are
checked against the code that is actually installed.
"""

import doctest
import importlib
import pkgutil

import pytest

import codebook

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(codebook.__path__, prefix="codebook.") if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {name}"


def test_the_examples_exist():
    # The test above passes vacuously on a module without examples; make sure some ran.
    attempted = sum(
        doctest.testmod(importlib.import_module(name), verbose=False, report=False).attempted for name in MODULES
    )
    assert attempted >= 14
