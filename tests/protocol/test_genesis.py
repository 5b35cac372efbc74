"""Genesis: TOML round trips, the genesis id, and one clear error per mistake."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.cid import cid_of
from protocol.errors import ConfigError
from protocol.genesis import Genesis, genesis_id, genesis_to_toml, parse_genesis
from protocol.keys import PrivateKey, decompress_point, peer_id_from_public_bytes
from protocol.validators import ValidatorSet

PEERS = [PrivateKey(bytes([i + 1]) * 32).peer_id for i in range(7)]
MODEL = cid_of(b"model weights")
SMALL_ORDER_PEER = peer_id_from_public_bytes(bytes([1]) + bytes(31))


def base(**kw: object) -> Genesis:
    args: dict[str, object] = {
        "network_id": "testnet",
        "validators": ValidatorSet(PEERS[:4]),
        "accepted_model_ids": (MODEL,),
    }
    args.update(kw)
    return Genesis(**args)  # type: ignore[arg-type]


def toml_with(**overrides: str | None) -> str:
    """A minimal genesis TOML with some ``key = value`` lines replaced (None drops the key)."""
    values: dict[str, str | None] = {
        "network_id": '"testnet"',
        "validators": "[" + ", ".join(f'"{p}"' for p in PEERS[:4]) + "]",
        "accepted_model_ids": f'["{MODEL}"]',
    }
    values.update(overrides)
    return "".join(f"{k} = {v}\n" for k, v in values.items() if v is not None)


def test_defaults_and_round_trip() -> None:
    g = base()
    assert (g.score_tolerance, g.record_threshold, g.min_block_importance) == (0.02, 0.5, 0.25)
    assert (g.max_block_records, g.block_interval_ms) == (1024, 250)
    text = genesis_to_toml(g)
    assert parse_genesis(text) == g
    assert genesis_id(g) in text


@given(
    network=st.from_regex(r"[a-z0-9-]{1,32}", fullmatch=True),
    n=st.integers(1, 7),
    tol=st.floats(0.0011, 0.499),
    thr=st.floats(0.0, 1.0),
    imp=st.floats(0.0, 1.0),
    records=st.integers(1, 4096),
    payload=st.integers(1, 8 * 1024 * 1024),
    interval=st.integers(1, 3_600_000),
    t0=st.integers(0, 2**63 - 1),
    models=st.lists(st.binary(max_size=8), min_size=1, max_size=4, unique=True),
)
@settings(max_examples=100, deadline=None)
def test_round_trip_any_valid_genesis(
    network: str, n: int, tol: float, thr: float, imp: float, records: int, payload: int,
    interval: int, t0: int, models: list[bytes],
) -> None:
    g = Genesis(
        network, ValidatorSet(PEERS[:n]), tuple(cid_of(m) for m in models), tol, thr, imp,
        records, payload, interval, t0,
    )
    back = parse_genesis(genesis_to_toml(g))
    assert back == g
    assert genesis_id(back) == genesis_id(g)


def test_genesis_id_is_stable_and_ignores_list_order() -> None:
    g = base(accepted_model_ids=(MODEL, cid_of(b"other")))
    h = base(
        validators=ValidatorSet(reversed(PEERS[:4])), accepted_model_ids=(cid_of(b"other"), MODEL)
    )
    assert genesis_id(g) == genesis_id(h)
    assert genesis_id(base()) != genesis_id(base(score_tolerance=0.03))
    assert genesis_id(base()) != genesis_id(base(validators=ValidatorSet(PEERS[:5])))
    # Golden value: a change here changes every network's id.
    assert genesis_id(base()) == GOLDEN_ID


def test_max_view_lag_is_in_the_id_only_away_from_its_default() -> None:
    assert base().max_view_lag == 16
    assert genesis_id(base(max_view_lag=16)) == genesis_id(base())
    lagged = base(max_view_lag=4)
    assert genesis_id(lagged) not in {genesis_id(base()), genesis_id(base(ship_share=0.1))}
    # ship_share is written whenever a later optional field is: positions stay unambiguous.
    assert genesis_id(base(ship_share=0.1, max_view_lag=4)) != genesis_id(lagged)
    assert parse_genesis(genesis_to_toml(lagged)) == lagged


def test_proposers_default_to_the_validators() -> None:
    g = base()
    assert g.proposers == ()
    assert g.proposer_ids == g.validators.peer_ids
    assert all(g.is_proposer(p) for p in g.validators)
    assert not g.is_proposer(PEERS[-1])


def test_proposers_listed_apart_from_validators() -> None:
    more = tuple(reversed(PEERS[2:7]))
    g = base(proposers=more)
    assert g.proposer_ids == tuple(sorted(more)) == g.proposers  # one spelling: sorted
    assert g.is_proposer(PEERS[6])
    assert not g.is_proposer(PEERS[0])  # a validator that is not listed does not propose
    assert genesis_id(g) != genesis_id(base())
    assert genesis_id(g) == genesis_id(base(proposers=tuple(sorted(more))))
    assert parse_genesis(genesis_to_toml(g)) == g
    assert "proposers" not in genesis_to_toml(base())  # files without it keep their text and id


GOLDEN_ID = "bafkreigfmoju3lcpolm3hrxxvmag62abyp5amlmkydgztjmgptp52qgb7q"  # default min_block_importance 0.25


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"network_id": None}, "missing required field(s): network_id"),
        ({"validators": None}, "missing required field(s): validators"),
        ({"accepted_model_ids": None}, "missing required field(s): accepted_model_ids"),
        ({"network_id": "42"}, "field 'network_id': expected a string, got int"),
        ({"network_id": '"Test_Net"'}, "field 'network_id': must be 1 to 32 characters"),
        ({"network_id": '""'}, "field 'network_id': must be 1 to 32 characters"),
        ({"validators": '"one"'}, "field 'validators': expected a list of strings, got str"),
        ({"validators": "[1]"}, "field 'validators': entry 0 is a int, expected a string"),
        ({"validators": '["12D3KooWnotapeer"]'}, "field 'validators': entry 0: bad peer id"),
        ({"validators": f'["{SMALL_ORDER_PEER}"]'}, "small-order"),
        ({"validators": f'["{PEERS[0]}", "{PEERS[1]}", "{PEERS[0]}"]'}, "field 'validators': entry 2: duplicate validator"),
        ({"validators": "[]"}, "field 'validators': need at least one validator"),
        ({"accepted_model_ids": "[]"}, "field 'accepted_model_ids': must list at least one model CID"),
        ({"accepted_model_ids": '["bafy-nope"]'}, "field 'accepted_model_ids': entry 0 is not a valid model CID"),
        ({"accepted_model_ids": f'["{MODEL}", "{MODEL}"]'}, "field 'accepted_model_ids': lists the same model CID twice"),
        ({"score_tolerance": "0.5"}, "field 'score_tolerance': must be > 0.001 and < 0.5, got 0.5"),
        ({"score_tolerance": "0.001"}, "field 'score_tolerance': must be > 0.001 and < 0.5"),
        ({"score_tolerance": '"0.02"'}, "field 'score_tolerance': expected a number, got str"),
        ({"score_tolerance": "nan"}, "field 'score_tolerance': must be finite"),
        ({"score_tolerance": "true"}, "field 'score_tolerance': expected a number, got bool"),
        ({"record_threshold": "1.5"}, "field 'record_threshold': must be between 0 and 1, got 1.5"),
        ({"min_block_importance": "-0.1"}, "field 'min_block_importance': must be between 0 and 1"),
        ({"max_block_records": "4097"}, "field 'max_block_records': must be between 1 and 4096, got 4097"),
        ({"max_block_records": "10.0"}, "field 'max_block_records': expected an integer, got float"),
        ({"max_payload_bytes": "0"}, "field 'max_payload_bytes': must be between 1 and"),
        ({"block_interval_ms": "0"}, "field 'block_interval_ms': must be between 1 and 3600000"),
        ({"genesis_time_ms": "-1"}, "field 'genesis_time_ms': must be between 0 and"),
        ({"proposers": '"one"'}, "field 'proposers': expected a list of strings, got str"),
        ({"proposers": '["12D3KooWnotapeer"]'}, "field 'proposers': entry 0: bad peer id"),
        ({"proposers": f'["{PEERS[0]}", "{PEERS[0]}"]'}, "field 'proposers': entry 1: duplicate proposer"),
        ({"max_view_lag": "0"}, "field 'max_view_lag': must be between 1 and 1000000, got 0"),
        ({"max_view_lag": "1.5"}, "field 'max_view_lag': expected an integer, got float"),
    ],
)
def test_each_mistake_gets_one_clear_error(overrides: dict[str, str | None], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_genesis(toml_with(**overrides))
    assert message in str(info.value)


def test_unknown_key_and_bad_toml() -> None:
    with pytest.raises(ConfigError, match=r"unknown field\(s\): quorum_size"):
        parse_genesis(genesis_to_toml(base()) + "quorum_size = 3\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_genesis("network_id = \n")
    with pytest.raises(ConfigError, match="over"):
        parse_genesis("#" * (1 << 20) + "x")


def test_optional_fields_take_defaults() -> None:
    text = f'network_id = "x"\nvalidators = ["{PEERS[0]}"]\naccepted_model_ids = ["{MODEL}"]\n'
    g = parse_genesis(text)
    assert g == Genesis("x", ValidatorSet([PEERS[0]]), (MODEL,))
    assert (g.validators.n, g.validators.q) == (1, 1)


def test_direct_construction_validates_too() -> None:
    with pytest.raises(ConfigError, match="'accepted_model_ids': expected a list"):
        base(accepted_model_ids=[MODEL])
    with pytest.raises(ConfigError, match="'validators': expected a ValidatorSet"):
        base(validators=PEERS[:3])


def test_genesis_id_property_is_the_id_and_not_a_field() -> None:
    import dataclasses

    g = base()
    assert g.id == genesis_id(g) == cid_of(g.canonical_bytes())
    # Derived, never read from a file: a TOML "_id" is an unknown field.
    with pytest.raises(ConfigError, match="unknown"):
        parse_genesis(toml_with(_id=f'"{MODEL}"'))
    # replace() recomputes it.
    assert dataclasses.replace(g, score_tolerance=0.03).id == genesis_id(base(score_tolerance=0.03))


def test_validators_are_loaded_strictly() -> None:
    # A validator key off the curve could never sign: refuse it when the genesis loads.
    off_curve = next(
        peer_id_from_public_bytes(y.to_bytes(32, "little"))
        for y in range(2, 40)
        if decompress_point(y.to_bytes(32, "little")) is None
    )
    with pytest.raises(ConfigError, match="curve"):
        ValidatorSet([*PEERS[:3], off_curve])
    with pytest.raises(ConfigError):
        ValidatorSet([*PEERS[:3], SMALL_ORDER_PEER])


@pytest.mark.parametrize(
    "text",
    [
        "genesis_time_ms = " + "9" * 5000 + "\n",  # int's 4300-digit conversion limit raised ValueError
        "validators = " + "[" * 100_000 + "\n",  # RecursionError inside tomllib
        "x = 1\n" * 50_000,  # over the size cap: refused before parsing
    ],
)
def test_hostile_toml_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_genesis(text)


def test_has_others_names_a_node_alone_in_its_genesis() -> None:
    # A proposer alone in its genesis skips catching up before its first block (docs/sync.md).
    alone = Genesis("x", ValidatorSet([PEERS[0]]), (MODEL,))
    assert not alone.has_others(PEERS[0])
    assert alone.has_others(PEERS[1])  # an observer: the validator is someone else
    assert Genesis("x", ValidatorSet(PEERS[:2]), (MODEL,)).has_others(PEERS[0])
    assert Genesis("x", ValidatorSet([PEERS[0]]), (MODEL,), proposers=(PEERS[1],)).has_others(PEERS[0])
