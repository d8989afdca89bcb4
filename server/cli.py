"""The ``claimgraph`` command: translates flags into Settings and calls the library.

Each subcommand lives in ``server/commands/<name>.py`` with two functions,
``add_arguments(parser)`` and ``run(args, settings) -> int``. Options of
:class:`server.settings.Settings` become flags of every subcommand
(``--store``, ``--base-iri``, ...), so they are declared in one place.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from loaders.store import StoreError
from server.settings import ENV_PREFIX, Settings

# subcommand name -> module under server.commands, in the order `--help` lists them
COMMANDS: dict[str, str] = {
    "load": "load",
    "serve": "serve",
    "query": "query",
    "export": "export",
    "validate": "validate",
    "import": "import_",
    "evaluate": "evaluate",
}


class CommandError(Exception):
    """A user-facing failure: printed as ``claimgraph: <message>``, exit status 2."""


def _settings_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("settings (also from CLAIMGRAPH_* environment variables)")
    for f in Settings.options():
        flag = "--" + f.name.replace("_", "-")
        env = ENV_PREFIX + f.name.upper()
        help_text = f"{f.metadata['help']} [env {env}; default {f.default!r}]"
        # Defaults stay None so that the environment, not argparse, fills unset options.
        group.add_argument(flag, dest=f.name, default=None, help=help_text, metavar=f.name.upper())
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimgraph",
        description="Attributed claims from human-rights statements, as RDF behind SPARQL.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parent = _settings_parent()
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"server.commands.{module_name}")
        doc = (module.__doc__ or "").strip().splitlines()
        sub = subparsers.add_parser(
            name, parents=[parent], help=doc[0] if doc else None, description=module.__doc__
        )
        module.add_arguments(sub)
        sub.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(**{f.name: getattr(args, f.name) for f in Settings.options()})
        return int(args._module.run(args, settings) or 0)
    except (CommandError, StoreError, ValueError) as exc:
        print(f"claimgraph {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    # Run the imported module's main, not this __main__ copy's: commands raise
    # server.cli.CommandError, which a __main__.CommandError handler would not catch.
    from server.cli import main as _main

    sys.exit(_main())
