"""Certified-block verification: is this (block, certificate) pair committed?

A certified block arrives from outside the live vote flow: over sync (a
catch-up batch, a single fetch) or as a certificate for a block we fetched.
Nothing in it is trusted. :func:`verify_certified` is the one place that
decides, for every caller, whether such a pair may be committed.

Order of checks (cheapest first, so junk costs the sender more than us):

1. sizes and shapes: the block decodes under our limits and carries its
   payload; the certificate decodes under its own byte bound;
2. header against the genesis, with no curve math: the network is ours
   (finding 13: a block of another network never commits here), the proposer
   may propose (``genesis.is_proposer``: the genesis proposers, or the
   validators when it names none; a set lookup, keys parsed once when the
   genesis loaded), the record count and payload size are within
   the genesis bounds, the model id is accepted;
3. certificate against the block, still without curve math: same block id,
   same (proposer, seq);
4. signatures: the proposer's header signature, then the certificate
   (:func:`protocol.quorum.verify_certificate` checks membership, decisions,
   slots and duplicates of every vote before it verifies any signature);
5. the payload: CID and length (again, inside ``open_payload``), bomb-proof
   decompression and canonical decoding; every record's origin is the
   proposer and no CID repeats.

Any failure raises a RemoteError subclass naming what was wrong; success
returns the decoded block, its records and the certificate.

Two smaller rules for the sync client live here too, so that its adapter
holds none: :func:`verify_fetched` (a single block fetched by id, which has
no certificate yet) and :func:`check_synced_slot` (a block of a catch-up
answer against what this node already committed in that slot).
"""

from __future__ import annotations

from protocol.admission import check_records as admission_check_records
from protocol.admission import precheck
from protocol.block import Block, BlockLimits, decode_block, open_payload
from protocol.errors import ValidationError
from protocol.genesis import Genesis
from protocol.quorum import Certificate, decode_certificate, verify_certificate
from protocol.record import Record
from protocol.validators import Members


def check_header_for_genesis(block: Block, genesis: Genesis) -> None:
    """Cheap header checks against the genesis; raises ValidationError. No curve math.

    The same header rules a validator applies (:func:`protocol.admission.precheck`:
    network, size caps, model), plus the proposer's right to propose. Shared with
    single-block fetches, which verify a block that has no certificate yet.
    """
    h = block.header
    if h.network != genesis.network_id:
        raise ValidationError(f"block {block.block_id} is for network {h.network!r:.40}, not {genesis.network_id}")
    if not genesis.is_proposer(h.proposer):
        raise ValidationError(f"block {block.block_id} proposer is not a genesis proposer")
    refused = precheck(h, genesis)
    if refused is not None:
        raise ValidationError(f"block {block.block_id} breaks a genesis rule: {refused[1].name}")


def check_records(block: Block, records: tuple[Record, ...]) -> None:
    """The admission record rules (own origin, no repeats); raises ValidationError."""
    refused = admission_check_records(block.header, records)
    if refused is not None:
        raise ValidationError(f"block {block.block_id} payload breaks a rule: {refused[1].name}")


def verify_certified(
    block: bytes | Block,
    cert: bytes | Certificate,
    genesis: Genesis,
    limits: BlockLimits,
) -> tuple[Block, tuple[Record, ...], Certificate]:
    """Verify a certified block end to end (see the module docstring for the order).

    ``block`` and ``cert`` may be wire bytes or already decoded. Raises
    DecodeError, SignatureError or ValidationError (all RemoteError).
    CPU cost is bounded by the limits: callers on an event loop run this in a
    worker thread.
    """
    blk = block if isinstance(block, Block) else decode_block(block, limits)
    if blk.payload is None:
        raise ValidationError(f"certified block {blk.block_id} came without its payload")
    # Members, as on gossip: a genesis proposer need not vote (review 9 #2).
    members = Members(genesis.validators, genesis.proposer_ids)
    c = cert if isinstance(cert, Certificate) else decode_certificate(cert, members)
    check_header_for_genesis(blk, genesis)
    h = blk.header
    if c.block_id != blk.block_id or (c.proposer, c.seq) != (h.proposer, h.seq):
        raise ValidationError(f"certificate for {c.block_id} does not match block {blk.block_id}")
    blk.signed.verify(genesis.id)
    verify_certificate(c, genesis.validators, genesis.id)
    records = open_payload(h, blk.payload, limits)
    check_records(blk, records)
    return blk, records, c


def verify_fetched(data: bytes, block_id: str, genesis: Genesis, limits: BlockLimits) -> Block:
    """A block fetched by id: it decodes under ``limits``, is the block asked for, passes the
    genesis header rules and carries its proposer's valid signature. Raises RemoteError.

    Its certificate, if any came along, is checked by the consensus core with the votes.
    """
    block = decode_block(data, limits)
    if block.block_id != block_id:
        raise ValidationError("sync peer returned a different block")
    check_header_for_genesis(block, genesis)
    block.signed.verify(genesis.id)
    return block


def check_synced_slot(block: Block, asked_proposer: str, committed_id: str | None) -> bool:
    """A block in an answer about ``asked_proposer``'s chain, against this node's committed block
    in its slot (``committed_id``, None if none): True if it is that block already (nothing to
    verify), False if the slot is open here. Raises ValidationError for another proposer's block,
    or for a block other than the committed one (two certified blocks in one slot: more than f
    validators are faulty)."""
    if block.header.proposer != asked_proposer:
        raise ValidationError("sync peer sent a block of another proposer")
    if committed_id is None:
        return False
    if committed_id != block.block_id:
        raise ValidationError(f"block {block.block_id} conflicts with committed {committed_id}")
    return True
