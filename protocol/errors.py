"""Error hierarchy.

One root, ``AttnshareError``. As in h11, the split says whose fault it is:
``LocalError`` is misuse by our own caller (bad config, bad CLI input), and
``RemoteError`` is a peer that sent something wrong. A RemoteError is logged,
counted and penalized by node/; it never crashes the node.
"""


class AttnshareError(Exception):
    """Root of every error attnshare raises on purpose."""


class LocalError(AttnshareError):
    """Our own caller misused an API or supplied bad local input."""


class RemoteError(AttnshareError):
    """A peer sent something malformed, unsigned, or against the rules."""


class DecodeError(RemoteError):
    """Bytes could not be decoded into a well-formed message."""


class SignatureError(RemoteError):
    """A signature did not verify, or a key is unacceptable."""


class ValidationError(RemoteError):
    """A well-formed message breaks a protocol rule (CID mismatch, chain rule, ...)."""


class ConfigError(LocalError):
    """Configuration or genesis content is invalid; the message says which field and why."""
