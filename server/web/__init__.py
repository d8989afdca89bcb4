"""The web interface: server-rendered pages over the graph, each with a JSON twin.

``views`` holds the routes (blueprint ``bp``); each page's data is built by a pure
module (``overview``, ``describe``, ``statement``, ``event``, ``query_page``) from the
store, so the HTML and its ``?format=json`` twin show the same thing.
"""
