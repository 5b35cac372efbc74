"""Node configuration: one frozen dataclass per subsystem, built from TOML in one place.

``<data_dir>/config.toml`` is written by ``attnshare init`` and read by
``attnshare run``. CLI flags override it through :func:`load_config`'s
``overrides``. Network-wide rules (validators, thresholds, accepted models) are
not here: they live in the genesis file, which every node must share.

The subsystems' own parameter structs, each with defaults and ``validate()``:
``PipelineConfig`` (here), ``node.net.NetParams`` with ``BudgetParams``
(``node/net/``), ``node.admin.AdminParams`` (``node/admin/wire.py``),
``protocol.catchup.SyncParams`` (``[sync]``, docs/sync.md).

Every way a config or genesis file can be wrong ends in a ConfigError that
names the file and the problem, never a traceback: unreadable or non-UTF-8
bytes, invalid TOML, nesting deeper than the TOML parser's recursion limit,
integers over Python's digit limit, wrong types, unknown keys, values out of
range (:func:`read_toml`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node.admin.wire import AdminParams
from node.net.budget import BudgetParams
from node.net.config import NetParams
from node.store.params import StoreParams
from protocol.catchup import SyncParams
from protocol.errors import ConfigError

if TYPE_CHECKING:
    from protocol.genesis import Genesis

CONFIG_FILE = "config.toml"
#: keys that older versions wrote and that no longer mean anything: read and ignored
REMOVED_KEYS = frozenset({("pipeline", "max_inflight_blocks")})
#: config and genesis files are small; anything bigger is a mistake
MAX_TOML_BYTES = 1 << 20


@dataclass(frozen=True)
class PipelineConfig:
    """How pending records become blocks."""

    #: flush a block once this many records are selected (capped by genesis max_block_records)
    block_max_records: int = 1024
    #: flush whatever is selected after this long, even if the block is small
    block_interval_ms: int = 250
    #: how many pending records are scored together (the attention window). 512: the model
    #: was trained on windows of 32-512; at 512 it ranks as well as at 1,024 and a node decides
    #: 1.35x the records at 2/3 of the CPU (attention is n^2; docs/throughput.md)
    window: int = 512
    #: absolute floor: a record scoring below it never ships, whatever the budget; None: no floor
    ship_threshold: float | None = None
    #: shipping budget, the share of records shipped over time in (0, 1]; None: the genesis ship_share
    ship_share: float | None = None
    #: optional cap on shipped record bytes per second; None: no byte cap
    ship_bytes_per_s: int | None = None
    #: a proposer starting up waits at most this long for one catch-up round to end before it
    #: decides its first window, so its first block names the validators' view (0: no wait)
    startup_sync_s: float = 10.0

    def validate(self) -> None:
        if not 1 <= self.block_max_records <= 4096:
            raise ConfigError("pipeline.block_max_records must be in [1, 4096]")
        if not 10 <= self.block_interval_ms <= 600_000:
            raise ConfigError("pipeline.block_interval_ms must be in [10, 600000]")
        if not 1 <= self.window <= 4096:
            raise ConfigError("pipeline.window must be in [1, 4096]")
        if self.ship_threshold is not None and not 0.0 <= self.ship_threshold <= 1.0:
            raise ConfigError("pipeline.ship_threshold must be in [0, 1]")
        if self.ship_share is not None and not 0.0 < self.ship_share <= 1.0:
            raise ConfigError("pipeline.ship_share must be in (0, 1]")
        if self.ship_bytes_per_s is not None and (
            not isinstance(self.ship_bytes_per_s, int) or isinstance(self.ship_bytes_per_s, bool)
            or not 1 <= self.ship_bytes_per_s <= 1 << 40
        ):
            raise ConfigError("pipeline.ship_bytes_per_s must be an integer in [1, 2^40]")
        if not 0.0 <= self.startup_sync_s <= 600.0:
            raise ConfigError("pipeline.startup_sync_s must be in [0, 600]")


@dataclass(frozen=True)
class NodeConfig:
    """Everything one daemon needs besides its key and the genesis."""

    data_dir: Path
    listen: tuple[str, ...] = ("/ip4/127.0.0.1/tcp/0",)
    bootstrap: tuple[str, ...] = ()
    #: genesis file; relative paths are relative to data_dir
    genesis: str = "genesis.toml"
    #: seconds between anti-entropy rounds against a random peer
    anti_entropy_s: float = 2.0
    #: loopback Prometheus port; 0 = off
    metrics_port: int = 0
    #: loopback TCP admin port (token in <data_dir>/admin.token); 0 = off, the Unix socket only
    admin_tcp_port: int = 0
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    #: the store's bounds and retention ([store] table; docs/store.md)
    store: StoreParams = field(default_factory=StoreParams)
    #: networking ([net] table, per-peer budget in [net.budget]; docs/net.md).
    #: Its listen_addrs always come from ``listen`` above.
    net: NetParams = field(default_factory=NetParams)
    #: admin API limits ([admin] table; docs/net.md)
    admin: AdminParams = field(default_factory=AdminParams)
    #: sync serving and catch-up ([sync] table; docs/sync.md). ``anti_entropy_s`` sets its interval.
    sync: SyncParams = field(default_factory=SyncParams)

    @property
    def net_params(self) -> NetParams:
        """``net`` with this node's listen addresses: what ``open_p2p`` gets."""
        return replace(self.net, listen_addrs=tuple(self.listen))

    @classmethod
    def default(cls, data_dir: Path) -> NodeConfig:
        return cls(data_dir=Path(data_dir))

    @property
    def genesis_path(self) -> Path:
        p = Path(self.genesis)
        return p if p.is_absolute() else self.data_dir / p

    @property
    def admin_socket(self) -> Path:
        return self.data_dir / "admin.sock"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store.sqlite"

    def validate(self) -> None:
        if not self.listen:
            raise ConfigError("node.listen must list at least one multiaddr")
        for a in (*self.listen, *self.bootstrap):
            if not isinstance(a, str) or not a.startswith("/"):
                raise ConfigError(f"not a multiaddr: {a!r}")
        if not 0.1 <= self.anti_entropy_s <= 3600:
            raise ConfigError("node.anti_entropy_s must be in [0.1, 3600]")
        if not 0 <= self.metrics_port <= 65535:
            raise ConfigError("node.metrics_port must be in [0, 65535]")
        if not 0 <= self.admin_tcp_port <= 65535:
            raise ConfigError("node.admin_tcp_port must be in [0, 65535]")
        self.pipeline.validate()
        self.store.validate()
        self.net_params.validate()
        self.admin.validate()
        self.sync.validate()


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, tuple | list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def config_to_toml(cfg: NodeConfig) -> str:
    lines = ["# attnshare node configuration", "[node]"]
    for name in ("listen", "bootstrap", "genesis", "anti_entropy_s", "metrics_port", "admin_tcp_port"):
        lines.append(f"{name} = {_toml_value(getattr(cfg, name))}")
    lines += ["", "[pipeline]"]
    for f in fields(PipelineConfig):
        v = getattr(cfg.pipeline, f.name)
        if v is not None:
            lines.append(f"{f.name} = {_toml_value(v)}")
    # [net]: only what differs from the defaults (a local net's scenario tunes pings, say);
    # the listen addresses live in [node], the budget has its own table.
    default_net = NetParams()
    net = [f"{f.name} = {_toml_value(getattr(cfg.net, f.name))}" for f in fields(NetParams)
           if f.name not in ("listen_addrs", "budget") and getattr(cfg.net, f.name) != getattr(default_net, f.name)]
    if net:
        lines += ["", "[net]", *net]
    return "\n".join(lines) + "\n"


def _typed(section: str, key: str, value: Any, want: Any) -> Any:
    if want in (int, "int") and (not isinstance(value, int) or isinstance(value, bool)):
        raise ConfigError(f"{section}.{key} must be an integer")
    if want in ("int | None",) and (not isinstance(value, int) or isinstance(value, bool)):
        raise ConfigError(f"{section}.{key} must be an integer")
    if want in (float, "float", "float | None"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{section}.{key} must be a number")
        try:
            return float(value)
        except OverflowError:
            raise ConfigError(f"{section}.{key} is out of range") from None
    if want in (str, "str") and not isinstance(value, str):
        raise ConfigError(f"{section}.{key} must be a string")
    if want in ("tuple[str, ...]",):
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise ConfigError(f"{section}.{key} must be a list of strings")
        return tuple(value)
    return value


def read_toml_text(path: Path, what: str) -> str:
    """The file's text; ConfigError (naming ``what`` and the path) if unreadable, huge or not UTF-8.

    FileNotFoundError passes through, for the caller's own hint.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_TOML_BYTES + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_TOML_BYTES:
        raise ConfigError(f"{what} {path}: larger than {MAX_TOML_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{what} {path}: not UTF-8 (line {line})") from None


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """tomllib, with every failure as a ConfigError naming ``where``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}: invalid TOML: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer over Python's 4300-digit limit
        raise ConfigError(f"{where}: invalid TOML: {str(exc)[:120]}") from None


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Read and parse a TOML file; ConfigError on anything wrong (FileNotFoundError passes)."""
    return parse_toml(read_toml_text(path, what), f"{what} {path}")


def load_genesis(path: Path) -> Genesis:
    """Read the genesis file; ConfigError (never a traceback) on anything wrong with it."""
    from protocol.genesis import parse_genesis

    try:
        text = read_toml_text(path, "genesis")
    except FileNotFoundError:
        raise ConfigError(f"no genesis file at {path}: pass --genesis to init, or copy it there") from None
    parse_toml(text, f"genesis {path}")  # TOML-level failures, with the path in the message
    try:
        return parse_genesis(text)
    except ConfigError as exc:
        raise ConfigError(f"genesis {path}: {exc}") from None
    except (RecursionError, ValueError, TypeError) as exc:
        raise ConfigError(f"genesis {path}: {type(exc).__name__}: {str(exc)[:120]}") from None


def load_config(data_dir: Path, overrides: dict[str, Any] | None = None) -> NodeConfig:
    """Read ``<data_dir>/config.toml``, apply ``overrides`` (flat node-level keys), validate."""
    data_dir = Path(data_dir)
    path = data_dir / CONFIG_FILE
    try:
        raw = read_toml(path, "config")
    except FileNotFoundError:
        raise ConfigError(f"no config at {path}: run `attnshare init --data-dir {data_dir}` first") from None
    unknown = set(raw) - {"node", "pipeline", "store", "net", "admin", "sync"}
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}")
    node_kw = _section(path, raw, "node", {f.name: f.type for f in fields(NodeConfig)
                                           if f.name not in _SUBSECTIONS})
    pipe_kw = _section(path, raw, "pipeline", {f.name: f.type for f in fields(PipelineConfig)})
    store_kw = _section(path, raw, "store", {f.name: f.type for f in fields(StoreParams)})
    net_table = raw.get("net", {})
    budget_kw = _section(path, net_table if isinstance(net_table, dict) else {}, "budget",
                         {f.name: f.type for f in fields(BudgetParams)}, prefix="net.")
    net_kw = _section(path, raw, "net", {f.name: f.type for f in fields(NetParams)
                                         if f.name not in ("listen_addrs", "budget")},
                      skip=frozenset({"budget"}))
    admin_kw = _section(path, raw, "admin", {f.name: f.type for f in fields(AdminParams)})
    sync_kw = _section(path, raw, "sync", {f.name: f.type for f in fields(SyncParams) if f.name != "interval_ms"})
    try:
        cfg = NodeConfig(data_dir=data_dir, pipeline=PipelineConfig(**pipe_kw), store=StoreParams(**store_kw),
                         net=NetParams(budget=BudgetParams(**budget_kw), **net_kw),
                         admin=AdminParams(**admin_kw), sync=SyncParams(**sync_kw), **node_kw)
        if overrides:
            cfg = replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
        cfg.validate()
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return cfg


_SUBSECTIONS = frozenset({"data_dir", "pipeline", "store", "net", "admin", "sync"})


def _section(path: Path, raw: dict[str, Any], name: str, types: dict[str, Any], *,
             prefix: str = "", skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    table = raw.get(name, {})
    full = prefix + name
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{full}] must be a table, not a {type(table).__name__}")
    out: dict[str, Any] = {}
    for k, v in table.items():
        if (name, k) in REMOVED_KEYS or k in skip:
            continue
        if k not in types:
            raise ConfigError(f"{path}: unknown key {full}.{k}")
        out[k] = _typed(full, k, v, types[k])
    return out


def write_config(cfg: NodeConfig) -> Path:
    cfg.validate()
    path = cfg.data_dir / CONFIG_FILE
    path.write_text(config_to_toml(cfg))
    return path
