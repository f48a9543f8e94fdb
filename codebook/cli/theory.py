"""``codebook theory [SECTION]``: the statements codebook's verdicts cite, offline.

Every verdict, report and ``--help`` text cites "theory §d"; this command prints that section of
the document shipped inside the package (``codebook/theory.md``, a copy of ``docs/theory.md``
that a test keeps identical). Plain text, no network, no numpy: it answers at once.
"""

from __future__ import annotations

import re
from importlib import resources

import click

_HEADING = re.compile(r"^## (?:§(?P<letter>[a-z]) )?(?P<title>.+)$")


def theory_text() -> str:
    """The whole document, from the installed package."""
    return resources.files("codebook").joinpath("theory.md").read_text(encoding="utf-8")


def sections(text: str | None = None) -> dict[str, tuple[str, str]]:
    """``{key: (title, body)}`` for every ``## `` heading: key = the letter of "## §d ...", or the
    lower-case title of other headings ("references")."""
    text = theory_text() if text is None else text
    out: dict[str, tuple[str, str]] = {}
    key = None
    lines: list[str] = []
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            if key is not None:
                out[key] = (out[key][0], "\n".join(lines).strip("\n"))
            key = m.group("letter") or m.group("title").strip().lower()
            out[key] = (m.group("title").strip(), "")
            lines = [line]
        elif key is not None:
            lines.append(line.rstrip() if line.strip() != "---" else "")
    if key is not None:
        out[key] = (out[key][0], "\n".join(lines).strip("\n"))
    return out


@click.command("theory")
@click.argument("section", required=False, metavar="[SECTION]")
def theory(section: str | None) -> None:
    """Print a section of the theory that verdicts cite ("theory §d" is SECTION d), offline.

    Without SECTION, list the sections; `all` prints the whole document (docs/theory.md in the
    source repository). Each statement is tagged verified (with the test that checks it in the
    repository) or cited (with its source).

    \b
    Examples:
      codebook theory            # the list of sections
      codebook theory d          # Huffman code for q used on p
      codebook theory §h         # adaptive coding (the § is optional)
      codebook theory all
    """
    text = theory_text()
    found = sections(text)
    if section is None:
        click.echo("codebook theory: the statements codebook's verdicts cite (see 'codebook theory SECTION').\n")
        for key, (title, _) in found.items():
            label = f"§{key}" if len(key) == 1 else key
            click.echo(f"  {label:<11} {title}")
        return
    key = section.strip().lower().lstrip("§")
    if key == "all":
        click.echo(text.rstrip("\n"))
        return
    if key not in found:
        names = ", ".join(k for k in found) + ", all"
        raise click.BadParameter(f"no section {section!r}; sections: {names}", param_hint="SECTION")
    click.echo(found[key][1])
