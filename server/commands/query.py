"""(query: being written; see docs/design.md)"""

from __future__ import annotations

import argparse

from server.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace, settings: Settings) -> int:
    from server.cli import CommandError

    raise CommandError("not implemented yet")
