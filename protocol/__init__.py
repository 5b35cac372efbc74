"""attnshare protocol core: pure, sans-I/O data model, formats and state machines.

Nothing in this package reads a clock, a file, a socket or global randomness;
time arrives as ``now_ms`` and randomness as a ``random.Random`` argument.
``tests/protocol/test_purity.py`` enforces the import rule.
"""

FORMAT_VERSION = 1
