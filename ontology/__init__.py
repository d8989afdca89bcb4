"""The contract between loaders and server: vocabulary, IRI minting, shapes and named queries."""
