//! The y-protocols sync protocol as y-websocket speaks it, one message per call.
//!
//! Message types (the first varint): `0` sync (`0` step 1 = state vector, `1` step 2 = update,
//! `2` update), `1` awareness (a length-prefixed awareness update), `2` auth (`0` = permission
//! denied + reason), `3` query awareness. Framing is `yrs::sync::{Message, SyncMessage}`; updates
//! are applied through [`SceneDoc::apply_update_v1`] (the hostile-update guard, the remote origin so
//! undo never reverts them) and step 1 is answered with [`SceneDoc::encode_diff_v1`], not with
//! yrs's `DefaultProtocol`, which opens transactions with `transact_mut` (a panic on wasm when the
//! document is busy) and applies updates unguarded.
//!
//! Every incoming message is hostile: it is size-limited, its framing is walked completely (no
//! trailing bytes, declared counts bounded by the bytes present) before anything is decoded, and a
//! rejected message leaves the document as it was.

use yrs::encoding::read::{Cursor, Read};
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ReadTxn, StateVector};

use crate::sync::guarded;
use crate::{SceneDoc, SceneError};

/// Largest incoming protocol message accepted (32 MiB): a whole 10,000-node scene is ~1.5 MB, so
/// this leaves room for big scenes while refusing memory bombs before any decoding.
pub const MAX_MESSAGE_BYTES: usize = 32 << 20;

/// y-protocols message type: document sync.
pub const MESSAGE_SYNC: u8 = 0;
/// y-protocols message type: awareness (presence) update.
pub const MESSAGE_AWARENESS: u8 = 1;
/// y-protocols message type: authentication result.
pub const MESSAGE_AUTH: u8 = 2;
/// y-protocols message type: a peer asks for our awareness state.
pub const MESSAGE_QUERY_AWARENESS: u8 = 3;

/// Whether handling `message` may reach the document (yrs): false only when its first byte says
/// awareness, auth or queryAwareness (types 1 to 3, whose handling is our own code), true for
/// everything else, malformed bytes included — a non-canonical `0x80 0x00` is a sync message too. An
/// update guard vets what this answers true for.
pub fn touches_document(message: &[u8]) -> bool {
    !matches!(
        message.first(),
        Some(&(MESSAGE_AWARENESS | MESSAGE_AUTH | MESSAGE_QUERY_AWARENESS))
    )
}

/// Why an incoming protocol message was refused. The document is unchanged in every case.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProtocolError {
    /// The message is larger than [`MAX_MESSAGE_BYTES`].
    #[error("protocol message is {len} bytes; the limit is {max}")]
    TooLarge {
        /// Size of the refused message.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The bytes are not one well-formed y-protocols message.
    #[error("malformed protocol message: {0}")]
    Malformed(String),
    /// A message type this engine does not speak (y-websocket ignores these too, with a log).
    #[error("unknown protocol message type {0}")]
    UnknownType(u64),
    /// The server refused us access (`messageAuth`, permission denied).
    #[error("permission denied by the server: {0}")]
    PermissionDenied(String),
    /// The update inside a sync message was refused by the document's guard.
    #[error(transparent)]
    Scene(#[from] SceneError),
}

/// What handling one incoming message produced, for the transport and the presence layer.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SyncOutcome {
    /// Messages to send back to the peer that sent this one (a step 2 answering a step 1).
    pub replies: Vec<Vec<u8>>,
    /// The awareness update (v1 payload, without the message-type prefix) carried by an awareness
    /// message, already checked to decode; presence lives outside the document.
    pub awareness: Option<Vec<u8>>,
    /// The peer asked for our awareness state (`queryAwareness`).
    pub awareness_query: bool,
    /// True if the message carried a document update (step 2 or update) that was applied.
    pub applied_update: bool,
}

/// A sync `update` message carrying a v1 update (what y-websocket sends after each local edit).
pub fn update_message(update_v1: &[u8]) -> Vec<u8> {
    Message::Sync(SyncMessage::Update(update_v1.to_vec())).encode_v1()
}

/// An awareness message carrying an encoded awareness update (v1 payload).
pub fn awareness_message(awareness_update: &[u8]) -> Vec<u8> {
    // Written by hand: `Message::Awareness` holds a decoded update, and re-encoding would reorder
    // its entries for nothing. Same bytes as y-protocols' `writeVarUint(1) + writeVarUint8Array`.
    use yrs::encoding::write::Write;
    let mut out = Vec::with_capacity(awareness_update.len() + 6);
    out.write_var(u64::from(MESSAGE_AWARENESS));
    out.write_buf(awareness_update);
    out
}

/// A `queryAwareness` message (asks peers to send their awareness state).
pub fn query_awareness_message() -> Vec<u8> {
    Message::AwarenessQuery.encode_v1()
}

/// The framing of one message, walked without decoding any content.
enum Frame<'a> {
    Sync { kind: u64, payload: &'a [u8] },
    Awareness(&'a [u8]),
    Auth,
    QueryAwareness,
}

fn malformed(e: impl std::fmt::Display) -> ProtocolError {
    ProtocolError::Malformed(e.to_string())
}

/// Reads the message type and the length-prefixed payload, checks nothing trails it, and bounds the
/// counts that yrs would otherwise pre-allocate for (state vector and awareness entries).
fn frame(message: &[u8]) -> Result<Frame<'_>, ProtocolError> {
    if message.len() > MAX_MESSAGE_BYTES {
        return Err(ProtocolError::TooLarge {
            len: message.len(),
            max: MAX_MESSAGE_BYTES,
        });
    }
    let mut cursor = Cursor::new(message);
    let kind: u64 = cursor.read_var().map_err(malformed)?;
    let frame = match kind {
        0 => {
            let sub: u64 = cursor.read_var().map_err(malformed)?;
            let payload = read_buf(message, &mut cursor)?;
            match sub {
                0 => bound_count(payload, 2, "state vector")?,
                1 | 2 => {}
                other => return Err(malformed(format!("unknown sync message type {other}"))),
            }
            Frame::Sync { kind: sub, payload }
        }
        1 => {
            let payload = read_buf(message, &mut cursor)?;
            // An entry is at least client id, clock and an empty string: 3 bytes.
            bound_count(payload, 3, "awareness update")?;
            Frame::Awareness(payload)
        }
        2 => {
            let status: u64 = cursor.read_var().map_err(malformed)?;
            if status == 0 {
                cursor.read_string().map_err(malformed)?;
            }
            Frame::Auth
        }
        3 => Frame::QueryAwareness,
        other => return Err(ProtocolError::UnknownType(other)),
    };
    if cursor.next != message.len() {
        return Err(malformed(format!(
            "{} bytes after the end of the message (one message per call)",
            message.len() - cursor.next
        )));
    }
    Ok(frame)
}

/// A length-prefixed byte string, borrowed from `message` itself (the cursor's own `read_buf`
/// borrows the cursor, which the caller still needs).
fn read_buf<'a>(message: &'a [u8], cursor: &mut Cursor<'_>) -> Result<&'a [u8], ProtocolError> {
    let len: u32 = cursor.read_var().map_err(malformed)?;
    let start = cursor.next;
    let end = start
        .checked_add(len as usize)
        .filter(|end| *end <= message.len())
        .ok_or_else(|| {
            malformed(format!(
                "declares {len} bytes, {} remain",
                message.len() - start
            ))
        })?;
    cursor.next = end;
    Ok(&message[start..end])
}

/// Refuses a payload whose leading count declares more entries than its bytes can hold: yrs
/// reserves memory for the declared count before reading the entries.
fn bound_count(payload: &[u8], min_entry_bytes: usize, what: &str) -> Result<(), ProtocolError> {
    let mut cursor = Cursor::new(payload);
    let count: u64 = cursor.read_var().map_err(malformed)?;
    let room = (payload.len() - cursor.next) / min_entry_bytes;
    if count > room as u64 {
        return Err(malformed(format!(
            "{what} declares {count} entries in {} bytes",
            payload.len()
        )));
    }
    Ok(())
}

/// Decodes a whole message with yrs's framing types, under the panic guard.
fn decode(message: &[u8]) -> Result<Message, ProtocolError> {
    guarded(|| Message::decode_v1(message).map_err(|e| e.to_string())).map_err(malformed)
}

impl SceneDoc {
    /// The sync step 1 message (our state vector) to send when a connection opens.
    pub fn sync_step1(&self) -> Vec<u8> {
        // A read transaction only fails while a write is open, which no call leaves behind; an
        // empty state vector then asks for everything, which is still correct.
        let sv = self
            .read_txn()
            .map(|txn| txn.state_vector())
            .unwrap_or_default();
        Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1()
    }

    /// Handles one incoming y-protocols message: answers a step 1 with a step 2 (what the peer is
    /// missing), applies a step 2 or update through the guarded, non-undoable remote path, and
    /// hands awareness payloads and queries back. A malformed, oversized or hostile message is
    /// refused with an error and the document is left as it was.
    pub fn handle_sync_message(&mut self, message: &[u8]) -> Result<SyncOutcome, ProtocolError> {
        let mut outcome = SyncOutcome::default();
        match frame(message)? {
            Frame::Sync { kind: 0, .. } => {
                let Message::Sync(SyncMessage::SyncStep1(sv)) = decode(message)? else {
                    return Err(malformed("sync step 1 did not decode as one"));
                };
                let diff = self.encode_diff_for(&sv)?;
                outcome
                    .replies
                    .push(Message::Sync(SyncMessage::SyncStep2(diff)).encode_v1());
            }
            Frame::Sync { payload, .. } => {
                self.apply_update_v1(payload)?;
                outcome.applied_update = true;
            }
            Frame::Awareness(payload) => {
                // Decoding checks the entries (UTF-8 strings, counts); the payload itself is kept
                // so the presence layer reads exactly what the peer sent.
                if !matches!(decode(message)?, Message::Awareness(_)) {
                    return Err(malformed("awareness message did not decode as one"));
                }
                outcome.awareness = Some(payload.to_vec());
            }
            Frame::Auth => {
                if let Message::Auth(Some(reason)) = decode(message)? {
                    return Err(ProtocolError::PermissionDenied(reason));
                }
            }
            Frame::QueryAwareness => outcome.awareness_query = true,
        }
        Ok(outcome)
    }

    /// What a peer with state vector `sv` is missing, as a v1 update.
    fn encode_diff_for(&self, sv: &StateVector) -> Result<Vec<u8>, ProtocolError> {
        let txn = self.read_txn().map_err(crate::doc::busy)?;
        Ok(txn.encode_diff_v1(sv))
    }
}
