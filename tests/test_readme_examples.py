"""The README's library examples run, and print exactly what the README shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _block(text: str, marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```\w*\n(.*?)```", text, re.S)
    assert match, f"README has no block marked <!-- {marker} -->"
    return match.group(1)


@pytest.mark.parametrize("name", ["labels"])
def test_readme_example_prints_what_the_readme_shows(name):
    text = README.read_text(encoding="utf-8")
    code, shown = _block(text, f"example: {name}"), _block(text, f"output: {name}")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"README example {name}", "exec"), {"__name__": "readme_example"})
    assert out.getvalue() == shown
