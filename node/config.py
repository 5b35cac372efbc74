"""Node configuration: one frozen dataclass per subsystem, built from TOML in one place.

``<data_dir>/config.toml`` is written by ``attnshare init`` and read by
``attnshare run``. CLI flags override it through :func:`load_config`'s
``overrides``. Network-wide rules (validators, thresholds, accepted models) are
not here: they live in the genesis file, which every node must share.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from protocol.errors import ConfigError

CONFIG_FILE = "config.toml"


@dataclass(frozen=True)
class PipelineConfig:
    """How pending records become blocks."""

    #: flush a block once this many records are selected (capped by genesis max_block_records)
    block_max_records: int = 1024
    #: flush whatever is selected after this long, even if the block is small
    block_interval_ms: int = 250
    #: how many pending records are scored together (the attention window)
    window: int = 1024
    #: absolute floor: a record scoring below it never ships, whatever the budget; None: no floor
    ship_threshold: float | None = None
    #: shipping budget, the share of records shipped over time in (0, 1]; None: the genesis ship_share
    ship_share: float | None = None
    #: optional cap on shipped record bytes per second; None: no byte cap
    ship_bytes_per_s: int | None = None
    #: maximum blocks of ours waiting for a decision (flow control against our own flood)
    max_inflight_blocks: int = 2

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
        if not 1 <= self.max_inflight_blocks <= 64:
            raise ConfigError("pipeline.max_inflight_blocks must be in [1, 64]")


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
    return "\n".join(lines) + "\n"


def _typed(section: str, key: str, value: Any, want: Any) -> Any:
    if want in (int, "int") and (not isinstance(value, int) or isinstance(value, bool)):
        raise ConfigError(f"{section}.{key} must be an integer")
    if want in (float, "float", "float | None"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{section}.{key} must be a number")
        return float(value)
    if want in (str, "str") and not isinstance(value, str):
        raise ConfigError(f"{section}.{key} must be a string")
    if want in ("tuple[str, ...]",):
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise ConfigError(f"{section}.{key} must be a list of strings")
        return tuple(value)
    return value


def load_config(data_dir: Path, overrides: dict[str, Any] | None = None) -> NodeConfig:
    """Read ``<data_dir>/config.toml``, apply ``overrides`` (flat node-level keys), validate."""
    data_dir = Path(data_dir)
    path = data_dir / CONFIG_FILE
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no config at {path}: run `attnshare init --data-dir {data_dir}` first") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    unknown = set(raw) - {"node", "pipeline"}
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}")
    node_kw: dict[str, Any] = {}
    node_types = {f.name: f.type for f in fields(NodeConfig)}
    for k, v in raw.get("node", {}).items():
        if k not in node_types or k in ("data_dir", "pipeline"):
            raise ConfigError(f"{path}: unknown key node.{k}")
        node_kw[k] = _typed("node", k, v, node_types[k])
    pipe_kw: dict[str, Any] = {}
    pipe_types = {f.name: f.type for f in fields(PipelineConfig)}
    for k, v in raw.get("pipeline", {}).items():
        if k not in pipe_types:
            raise ConfigError(f"{path}: unknown key pipeline.{k}")
        pipe_kw[k] = _typed("pipeline", k, v, pipe_types[k])
    cfg = NodeConfig(data_dir=data_dir, pipeline=PipelineConfig(**pipe_kw), **node_kw)
    if overrides:
        cfg = replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
    cfg.validate()
    return cfg


def write_config(cfg: NodeConfig) -> Path:
    cfg.validate()
    path = cfg.data_dir / CONFIG_FILE
    path.write_text(config_to_toml(cfg))
    return path
