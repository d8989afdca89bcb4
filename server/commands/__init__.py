"""One module per ``claimgraph`` subcommand; see ``server.cli``."""
