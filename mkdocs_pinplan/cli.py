"""The ``pinplan`` command: a second front door onto the same core."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="mkdocs-pinplan")
def main() -> None:
    """Check, show, export and mark published the pins planned by mkdocs-pinplan."""


def _not_yet(verb: str) -> None:
    click.echo(f"pinplan {verb}: not yet available", err=True)
    raise SystemExit(2)


@main.command()
def check() -> None:
    """Validate the config and every post's front-matter."""
    _not_yet("check")
