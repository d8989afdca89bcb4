"""The HTTP and command-line edges of claimgraph: SPARQL endpoint, linked data, web pages, CLI."""
