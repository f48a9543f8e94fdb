"""docs/theory.md is the project's own document: shipped in the package, cited by references
that resolve, and every "verified" claim names a test or script that exists in this repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codebook.cli import main
from codebook.cli.theory import sections, theory_text

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "theory.md"
OWN_FILES = ["codebook/theory.py", "simulations/verdicts.py", "simulations/stats.py", "simulations/experiment.py",
             "docs/theory.md", "docs/simulations.md"]


def test_the_package_ships_the_same_text_as_docs():
    # One document, two places: docs/theory.md (read on the web) and codebook/theory.md (shipped,
    # printed by `codebook theory`). Edit docs/theory.md, then: cp docs/theory.md codebook/theory.md
    assert (ROOT / "codebook" / "theory.md").read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")
    assert theory_text() == DOC.read_text(encoding="utf-8")


def test_sections_keep_their_letters():
    found = sections(DOC.read_text(encoding="utf-8"))
    assert [k for k in found if len(k) == 1] == list("abcdefghijklmnopqr")
    assert "references" in found


def test_every_test_and_script_the_document_names_exists():
    text = DOC.read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)(?:::(\w+))?`", text)
    assert len(named) >= 25
    for path, first, second in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        name = second or first
        assert re.search(rf"^\s*def {name}\(", source, re.M), f"{path}::{name} named in docs/theory.md does not exist"
        if second:
            assert re.search(rf"^class {first}\b", source, re.M), f"{path}::{first} does not exist"
    for script in set(re.findall(r"`(scripts/[\w/]+\.py)`", text)):
        assert (ROOT / script).is_file(), script


def test_every_verified_tag_names_a_test_or_script():
    # A bullet (or table note) that says **verified** must name where it is verified.
    text = DOC.read_text(encoding="utf-8")
    text = text[text.index("## §a"):]  # the introduction defines the tag, it makes no claim
    blocks = re.split(r"\n(?=\* |  \* |  - |\n)", text)
    for block in blocks:
        if "**verified**" in block:
            assert re.search(r"`(tests/[\w/]+\.py::\w+|scripts/[\w/]+\.py)", block), block[:200]


def _cited_sections(text: str) -> set[str]:
    return set(re.findall(r"theory §([a-z])\b", text))


def test_every_theory_reference_in_the_repository_resolves():
    letters = {k for k in sections(DOC.read_text(encoding="utf-8")) if len(k) == 1}
    for path in list((ROOT / "codebook").rglob("*.py")) + list((ROOT / "simulations").rglob("*.py")) + \
            list((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]:
        missing = _cited_sections(path.read_text(encoding="utf-8")) - letters
        where = path.relative_to(ROOT)
        assert not missing, f"{where} cites theory §{', §'.join(sorted(missing))}, which do not exist"


@pytest.mark.parametrize("path", OWN_FILES)
def test_no_reference_to_a_file_that_does_not_exist(path):
    assert "THEORY.md" not in (ROOT / path).read_text(encoding="utf-8")


def test_cli_prints_a_section_and_lists_them(capsys):
    assert main_status(["theory", "d"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## §d Huffman code for q used on p") and "## §e" not in out
    assert main_status(["theory", "§H"]) == 0
    assert capsys.readouterr().out.startswith("## §h Adaptive coding")
    assert main_status(["theory"]) == 0
    listing = capsys.readouterr().out
    assert "§a" in listing and "§l" in listing and "references" in listing
    assert main_status(["theory", "all"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == DOC.read_text(encoding="utf-8").rstrip("\n")


def test_cli_unknown_section_is_a_usage_error(capsys):
    assert main_status(["theory", "z"]) == 2
    err = capsys.readouterr().err
    assert "no section 'z'; sections: a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, references, all" in err
    assert len(err.strip().splitlines()) == 1


def main_status(argv) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return info.value.code
