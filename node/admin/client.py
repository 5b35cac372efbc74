"""The blocking admin client used by the CLI: plain sockets, no trio, starts fast."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path
from typing import Any

from node.admin.wire import APP_ERROR, TOKEN_FILE, AdminError, hello_line, unix_address


class AdminClient:
    """Blocking JSON-RPC client for the CLI (Unix socket, or TCP with the data dir's token)."""

    def __init__(self, data_dir: Path, timeout: float = 60.0, tcp_port: int | None = None) -> None:
        self.path = Path(data_dir) / "admin.sock"
        self.data_dir = Path(data_dir)
        self.timeout = timeout
        self.tcp_port = tcp_port
        self._id = 0

    def _check_socket(self) -> None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            raise AdminError(f"the daemon is not running (no socket at {self.path})") from None
        if not stat.S_ISSOCK(st.st_mode):
            raise AdminError(f"{self.path} is not a socket: not an attnshare admin socket")
        if st.st_uid != os.getuid():
            raise AdminError(f"{self.path} belongs to uid {st.st_uid}, not to you: refusing to talk to it")

    def _token(self) -> str:
        try:
            token = (self.data_dir / TOKEN_FILE).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            raise AdminError(f"no admin token in {self.data_dir}: is the TCP admin port enabled?") from None
        except (UnicodeDecodeError, OSError) as exc:
            raise AdminError(f"cannot read {self.data_dir / TOKEN_FILE}: {exc}") from None
        return token

    def call(self, method: str, **params: Any) -> Any:
        self._id += 1
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}
        req = json.dumps(msg).encode() + b"\n"
        if self.tcp_port is not None:
            req = hello_line(self._token()) + req
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            where: Any = ("127.0.0.1", self.tcp_port)
        else:
            self._check_socket()
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            where = str(self.path)
        s.settimeout(self.timeout)
        try:
            try:
                if isinstance(where, str):
                    with unix_address(self.path) as short:
                        s.connect(short)
                else:
                    s.connect(where)
            except (ConnectionRefusedError, FileNotFoundError):
                raise AdminError(f"the daemon is not running (nothing listens on {where})") from None
            s.sendall(req)
            buf = bytearray()
            while not buf.endswith(b"\n"):
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise AdminError("the daemon closed the connection without answering")
                buf += chunk
        except TimeoutError:
            raise AdminError(f"the daemon did not answer within {self.timeout:.0f}s") from None
        except OSError as exc:  # reset or broken pipe: the daemon died mid-request
            raise AdminError(f"the daemon went away during the request: {exc}") from None
        finally:
            s.close()
        try:
            resp = json.loads(buf)
        except ValueError:
            raise AdminError(f"{where} answered something that is not JSON-RPC: not ours?") from None
        if not isinstance(resp, dict) or resp.get("jsonrpc") != "2.0":
            raise AdminError(f"{where} answered something that is not JSON-RPC: not ours?")
        if "error" in resp:
            err = resp["error"]
            if not isinstance(err, dict):
                raise AdminError(f"{where} answered a malformed error")
            code = err.get("code", APP_ERROR)
            raise AdminError(str(err.get("message")), code if isinstance(code, int) else APP_ERROR)
        return resp.get("result")
