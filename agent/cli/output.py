"""How the CLI shows outcomes: results on stdout, findings and progress on stderr."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from addin.errors import XlerpError
from addin.frontend import text
from addin.headless import Outcome
from addin.issues import sort_issues

MAX_LINES = 40


def fails_cleanly(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a usage/configuration error into `Error: …` and exit code 1."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except XlerpError as error:
            click.echo(f"Error: {error}", err=True)
            raise SystemExit(1) from None

    return wrapper


def report(outcome: Outcome) -> None:
    """Print the findings (errors first, capped), the command's messages and the target."""
    lang = outcome.lang
    issues = sort_issues(outcome.issues)
    for issue in issues[:MAX_LINES]:
        label = {"error": "error", "warning": "warning", "info": "info"}[issue.severity]
        click.echo(f"{label}: {issue.located(lang)}", err=True)
    if len(issues) > MAX_LINES:
        more = len(issues) - MAX_LINES
        click.echo(f"… {more} more" + (" (see the result sheet)" if outcome.written else ""),
                   err=True)
    for message in outcome.result.messages:
        click.echo(message)
    if outcome.written:
        click.echo(f"Wrote {outcome.written}")
    elif not outcome.ok:
        click.echo(text("nothing_written", lang), err=True)


def exit_code(outcome: Outcome) -> int:
    return 0 if outcome.ok else 1
