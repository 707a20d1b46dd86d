"""Record and replay (docs/recording.md): cassettes of real gateway exchanges.

Pure logic, no web framework and no HTTP client: how a request is normalized and matched
(:mod:`.normalize`), the cassette file format (:mod:`.cassette`), the cassettes of one
directory and which answers which request (:mod:`.library`), an exchange turned into a
cassette and written atomically (:mod:`.recorder`), and the pipeline stage that answers
from cassettes (:mod:`.selector`). The forwarding to the upstream gateway is an adapter of
the server (mockserver/server/forwarding.py), the one place that speaks HTTP to it.
"""
