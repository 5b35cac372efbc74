"""The node's Ed25519 identity on disk, and the data-dir lock.

The key file holds the 32-byte seed as hex, mode 0600. A key file readable by
group or others is refused: it is the validator's signing key. The data dir
itself is 0700 (:func:`make_private_dir`): the store in it holds records the
node *kept* private, and the admin socket and token live there. ``init``
creates it so, and the daemon tightens it at every start. The lock is an
``flock`` on ``<data_dir>/LOCK``: libp2p listens with SO_REUSEPORT, so a second
daemon on the same port would get no error, and two daemons sharing a store and
a signing key could double-vote.
"""

from __future__ import annotations

import fcntl
import os
import stat
from pathlib import Path

from protocol.errors import LocalError
from protocol.keys import PrivateKey

KEY_FILE = "identity.key"
LOCK_FILE = "LOCK"


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700, or tighten an existing dir of ours to 0700."""
    path = Path(path)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
        if not stat.S_ISDIR(st.st_mode):
            raise LocalError(f"{path} is not a directory")
        if stat.S_IMODE(st.st_mode) != 0o700:
            if st.st_uid != os.getuid():
                raise LocalError(f"data dir {path} belongs to uid {st.st_uid}, not to you")
            os.chmod(path, 0o700)
    except FileExistsError:
        raise LocalError(f"{path} exists and is not a directory") from None
    except PermissionError as exc:
        raise LocalError(f"cannot create or secure data dir {path}: {exc.strerror}") from None
    return path


def generate_key() -> PrivateKey:
    return PrivateKey(os.urandom(32))


def write_key(data_dir: Path, key: PrivateKey) -> Path:
    path = data_dir / KEY_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.seed.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return path


def load_key(data_dir: Path) -> PrivateKey:
    path = data_dir / KEY_FILE
    try:
        st = path.stat()
    except FileNotFoundError:
        raise LocalError(f"no identity at {path}: run `attnshare init --data-dir {data_dir}` first") from None
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise LocalError(f"{path} is readable by others (mode {stat.S_IMODE(st.st_mode):o}); chmod 600 it")
    text = path.read_text().strip()
    try:
        seed = bytes.fromhex(text)
    except ValueError:
        raise LocalError(f"{path} is not a hex Ed25519 seed") from None
    if len(seed) != 32:
        raise LocalError(f"{path} must hold a 32-byte seed")
    return PrivateKey(seed)


class DataDirLock:
    """Exclusive lock on a data dir, held for the daemon's lifetime."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        make_private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LocalError(f"another attnshare daemon is running on {self.path.parent}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DataDirLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
