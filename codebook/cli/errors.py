"""Turn every user-caused error into one line on stderr and an exit status."""

from __future__ import annotations

import errno

import click

from ..errors import CodebookError

EXIT_DATA = 1  # bad values: a distribution, a file, a stream
EXIT_USAGE = 2  # bad command line: missing option, unknown choice


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def run_cli(group: click.Group, argv: list[str] | None) -> int:
    """Run ``group``; return the exit status, printing at most one error line."""
    try:
        result = group.main(args=argv, prog_name="codebook", standalone_mode=False)
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "codebook"
        click.echo(f"{where}: error: {_one_line(exc.format_message())} (see '{where} --help')", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        click.echo(f"codebook: error: {_one_line(exc.format_message())}", err=True)
        return exc.exit_code or EXIT_DATA
    except click.Abort:
        click.echo("codebook: aborted", err=True)
        return 130
    except (CodebookError, ValueError, OverflowError) as exc:
        click.echo(f"codebook: error: {_one_line(exc)}", err=True)
        return EXIT_DATA
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # output piped into `head`: not an error worth a word
            return 0
        name = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        click.echo(f"codebook: error: {name}{_one_line(exc.strerror or exc)}", err=True)
        return EXIT_DATA
    except MemoryError:
        click.echo("codebook: error: out of memory", err=True)
        return EXIT_DATA
    except RecursionError:  # a safety net: inputs are bounded before they can nest this deep
        click.echo("codebook: error: the input is nested too deeply", err=True)
        return EXIT_DATA
    return result if isinstance(result, int) else 0


def fail(message: str) -> None:
    """Abort the current command with a one-line message (exit status 1)."""
    raise click.ClickException(message)


__all__ = ["EXIT_DATA", "EXIT_USAGE", "fail", "run_cli"]
