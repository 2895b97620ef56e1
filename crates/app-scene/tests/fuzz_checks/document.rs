//! Fuzz target `read_document`: a hostile but well-formed Yjs peer. The input describes transactions
//! on a raw Yrs document that follows the schema's layout (root maps of node maps) with arbitrary
//! values: wrong types, NaN and infinities, huge numbers, long arrays, unknown kinds, parent
//! references (cycles included), odd ids, nested shared types. Its updates reach a [`SceneDoc`],
//! which must accept them (they are well formed), read only valid nodes and keep working.

use arbitrary::Arbitrary;
use yrs::{Any, Array, ArrayPrelim, Doc, In, Map, MapPrelim, MapRef, Out, ReadTxn, StateVector};
use yrs::{Transact, TransactionMut, WriteTxn};

use super::{Mirror, SUBJECT_ID, base_doc, check_doc, check_reads, new_doc};

/// The whole input.
#[derive(Debug, Arbitrary)]
pub struct HostileDocument {
    /// The peer's client id (small: may equal the subject's own).
    pub peer: u8,
    /// Apply to the base document instead of an empty one.
    pub into_base: bool,
    /// Send v2 updates instead of v1.
    pub v2: bool,
    /// Deliver the updates newest first (the receiver keeps them pending until their
    /// dependencies arrive).
    pub reversed: bool,
    /// Transactions, each a list of writes; one update each.
    pub transactions: Vec<Vec<Write>>,
}

/// One write by the peer.
#[derive(Debug, Arbitrary)]
pub enum Write {
    /// `nodes[id] = new Y.Map(fields)`.
    Node(Id, Vec<(Key, Value)>),
    /// `nodes[id] = value` (not a map).
    NotAMap(Id, Value),
    /// `nodes[id][key] = value`, on the node map if there is one.
    Field(Id, Key, Value),
    /// `nodes[id].delete(key)`.
    DeleteField(Id, Key),
    /// `nodes.delete(id)`.
    Delete(Id),
    /// `lights.sun = value`.
    Light(Value),
    /// `lights[key] = value` or `meta[key] = value`.
    Other(bool, Str, Value),
    /// A `Y.Array` root named like one of ours (`nodes`, `lights`, `meta`) gets items.
    ArrayRoot(u8, Vec<Value>),
}

/// A node id.
#[derive(Debug, Arbitrary)]
pub enum Id {
    /// One of a few ids, so writes meet each other (parents, overwrites, cycles).
    Pool(u8),
    /// An id in this crate's own format for the subject (`7-<n>`): collides with its next edits.
    Subject(u8),
    /// Anything.
    Raw(String),
    /// Around the 128-byte limit.
    Long(u8),
}

impl Write {
    /// Roughly how many bytes this write adds to the peer's update.
    fn approx_bytes(&self) -> usize {
        let values: Vec<&Value> = match self {
            Write::Node(_, fields) => fields.iter().map(|(_, v)| v).collect(),
            Write::NotAMap(_, v)
            | Write::Field(_, _, v)
            | Write::Light(v)
            | Write::Other(_, _, v) => {
                vec![v]
            }
            Write::ArrayRoot(_, items) => items.iter().collect(),
            Write::DeleteField(..) | Write::Delete(_) => Vec::new(),
        };
        values.iter().map(|v| v.approx_bytes()).sum::<usize>() + 16
    }
}

/// How much a peer writes at most, over all its transactions: big enough for every limit the
/// reader has (long arrays, long strings, many nodes), small enough that the fuzzer's 2 GiB memory
/// limit, with AddressSanitizer's overhead and the subject's copies, is about the engine.
const PEER_BYTES: usize = 4 << 20;

impl Id {
    fn text(&self) -> String {
        match self {
            Id::Pool(n) => format!("n{}", n % 6),
            Id::Subject(n) => format!("{SUBJECT_ID:x}-{}", n % 8),
            Id::Raw(s) => s.clone(),
            Id::Long(n) => "L".repeat(120 + usize::from(n % 16)),
        }
    }
}

/// A node key: one of the schema's (see `app_scene::schema::key`) or any other.
#[derive(Debug, Arbitrary)]
#[allow(missing_docs)]
pub enum Key {
    Kind,
    Name,
    Placement,
    Transform,
    Radius,
    Extents,
    Size,
    Material,
    Visible,
    Other(String),
}

impl Key {
    fn text(&self) -> String {
        use app_scene::schema::key;
        match self {
            Key::Kind => key::KIND,
            Key::Name => key::NAME,
            Key::Placement => key::PLACEMENT,
            Key::Transform => key::TRANSFORM,
            Key::Radius => key::RADIUS,
            Key::Extents => key::EXTENTS,
            Key::Size => key::SIZE,
            Key::Material => key::MATERIAL,
            Key::Visible => key::VISIBLE,
            Key::Other(k) => k,
        }
        .to_owned()
    }
}

/// A number, biased to the edges.
#[derive(Debug, Arbitrary)]
pub enum Num {
    /// A small integer (stored as a Yjs integer).
    Small(i8),
    /// Any integer, beyond 2^53 included.
    Int(i64),
    /// Any float, NaN and infinities included.
    Float(f64),
    /// One of the edge values readers clamp at.
    Edge(u8),
}

impl Num {
    fn any(&self) -> Any {
        const EDGES: [f64; 16] = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            1e6,
            1e6 + 1.0,
            -1e6 - 1.0,
            1e-6,
            1e-7,
            f64::MIN_POSITIVE,
            3.5e38,
            f32::MAX as f64,
            9_007_199_254_740_993.0,
            0.5,
            1.0,
            2.0,
        ];
        match self {
            Num::Small(v) => Any::from(i64::from(*v)),
            Num::Int(v) => Any::from(*v),
            Num::Float(v) => Any::from(*v),
            Num::Edge(i) => Any::from(EDGES[usize::from(*i) % EDGES.len()]),
        }
    }
}

/// A string, biased to the ones readers compare with.
#[derive(Debug, Arbitrary)]
pub enum Str {
    /// A kind name, valid or nearly.
    Kind(u8),
    /// A node id.
    Id(Id),
    /// Anything.
    Raw(String),
    /// Long strings: names over the limit, order keys over theirs. Up to 1,023 two-byte chars, so
    /// both limits are crossed from either side; a bigger cap lets a 4 KB input expand to hundreds
    /// of megabytes of strings, which tests the fuzzer's memory, not the engine (CI once hit the
    /// 2 GiB limit that way).
    Long(u16),
}

impl Str {
    fn text(&self) -> String {
        match self {
            Str::Kind(i) => {
                ["sphere", "box", "plane", "Sphere", "torus", ""][usize::from(*i) % 6].to_owned()
            }
            Str::Id(id) => id.text(),
            Str::Raw(s) => s.clone(),
            Str::Long(n) => "é".repeat(usize::from(*n % 1024)),
        }
    }
}

/// An atomic value with no nesting.
#[derive(Debug, Arbitrary)]
#[allow(missing_docs)]
pub enum Leaf {
    Null,
    Undefined,
    Bool(bool),
    Num(Num),
    Str(Str),
    Buffer(Vec<u8>),
    /// An array of numbers (the layout of transforms, extents, materials).
    Numbers(Vec<Num>),
}

impl Leaf {
    fn any(&self) -> Any {
        match self {
            Leaf::Null => Any::Null,
            Leaf::Undefined => Any::Undefined,
            Leaf::Bool(b) => Any::Bool(*b),
            Leaf::Num(n) => n.any(),
            Leaf::Str(s) => Any::from(s.text()),
            Leaf::Buffer(b) => Any::Buffer(b.clone().into()),
            Leaf::Numbers(v) => Any::Array(v.iter().map(Num::any).collect()),
        }
    }
}

/// Roughly how many bytes `value` takes once encoded: enough to bound what one input expands to.
fn approx_bytes(value: &Any) -> usize {
    match value {
        Any::String(s) => s.len(),
        Any::Buffer(b) => b.len(),
        Any::Array(items) => items.iter().map(approx_bytes).sum::<usize>() + 1,
        Any::Map(entries) => {
            entries
                .iter()
                .map(|(k, v)| k.len() + approx_bytes(v))
                .sum::<usize>()
                + 1
        }
        _ => 9,
    }
}

/// A value a peer may store under a key.
#[derive(Debug, Arbitrary)]
pub enum Value {
    /// An atomic value.
    Leaf(Leaf),
    /// `[parent, order]`, the placement layout, with arbitrary parts.
    Placement(Option<Id>, Leaf),
    /// An array of values.
    Array(Vec<Leaf>),
    /// The same value many times (up to 65,535: long arrays).
    Repeat(Leaf, u16),
    /// A JSON-like map (the light's layout).
    Map(Vec<(Str, Leaf)>),
    /// A shared `Y.Map` where an atomic value belongs.
    SharedMap(Vec<(Key, Leaf)>),
    /// A shared `Y.Array`.
    SharedArray(Vec<Leaf>),
}

impl Value {
    /// Roughly how many bytes this value adds to an update.
    fn approx_bytes(&self) -> usize {
        match self {
            Value::SharedMap(entries) => entries
                .iter()
                .map(|(_, v)| approx_bytes(&v.any()) + 8)
                .sum(),
            Value::SharedArray(items) => items.iter().map(|v| approx_bytes(&v.any())).sum(),
            _ => match self.input() {
                In::Any(any) => approx_bytes(&any),
                _ => 0,
            },
        }
    }

    fn input(&self) -> In {
        match self {
            Value::Leaf(l) => In::Any(l.any()),
            Value::Placement(parent, order) => {
                let parent = parent.as_ref().map_or(Any::Null, |p| Any::from(p.text()));
                In::Any(Any::Array(vec![parent, order.any()].into()))
            }
            Value::Array(items) => In::Any(Any::Array(items.iter().map(Leaf::any).collect())),
            Value::Repeat(leaf, n) => {
                let one = leaf.any();
                // Long arrays, not big ones: at most about 1 MiB of repeated strings or buffers
                // (65,535 copies of a 2 KB string would be 130 MB from a few input bytes, and the
                // harness, not the engine, runs out of memory; CI once did).
                let count = usize::from(*n).min((1 << 20) / approx_bytes(&one).max(1));
                In::Any(Any::Array(vec![one; count].into()))
            }
            Value::Map(entries) => In::Any(Any::from(
                entries
                    .iter()
                    .map(|(k, v)| (k.text(), v.any()))
                    .collect::<std::collections::HashMap<_, _>>(),
            )),
            Value::SharedMap(entries) => In::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.text(), In::Any(v.any())))
                    .collect::<MapPrelim>(),
            ),
            Value::SharedArray(items) => In::Array(
                items
                    .iter()
                    .map(|v| In::Any(v.any()))
                    .collect::<ArrayPrelim>(),
            ),
        }
    }
}

fn node_map(txn: &TransactionMut<'_>, nodes: &MapRef, id: &str) -> Option<MapRef> {
    match nodes.get(txn, id) {
        Some(Out::YMap(map)) => Some(map),
        _ => None,
    }
}

/// Applies one write, skipping writes to the root the peer declared as an array.
fn write(txn: &mut TransactionMut<'_>, array_root: Option<&str>, write: &Write) {
    use app_scene::schema::{LIGHTS, META, NODES};
    let root = match write {
        Write::Light(_) | Write::Other(false, ..) => LIGHTS,
        Write::Other(true, ..) => META,
        _ => NODES,
    };
    if array_root == Some(root) {
        return;
    }
    let map = txn.get_or_insert_map(root);
    match write {
        Write::Node(id, fields) => {
            let prelim: MapPrelim = fields.iter().map(|(k, v)| (k.text(), v.input())).collect();
            map.insert(txn, id.text(), prelim);
        }
        Write::NotAMap(id, value) => {
            map.insert(txn, id.text(), value.input());
        }
        Write::Field(id, key, value) => {
            if let Some(node) = node_map(txn, &map, &id.text()) {
                node.insert(txn, key.text(), value.input());
            }
        }
        Write::DeleteField(id, key) => {
            if let Some(node) = node_map(txn, &map, &id.text()) {
                node.remove(txn, &key.text());
            }
        }
        Write::Delete(id) => {
            map.remove(txn, &id.text());
        }
        Write::Light(value) => {
            map.insert(txn, app_scene::schema::SUN, value.input());
        }
        Write::Other(_, key, value) => {
            map.insert(txn, key.text(), value.input());
        }
        Write::ArrayRoot(..) => {}
    }
}

/// The updates the peer sends, one per transaction, and its whole state.
fn peer_updates(input: &HostileDocument) -> (Vec<Vec<u8>>, Vec<u8>) {
    let peer = Doc::with_client_id(u64::from(input.peer));
    // A real Yjs peer of this schema declares its roots as maps, as the subject does; a peer that
    // declares one of them as an array instead writes into a separate document's worth of items
    // under the same name, which the subject must also survive.
    let array_root = input.transactions.iter().flatten().find_map(|w| match w {
        Write::ArrayRoot(which, _) => Some(*which),
        _ => None,
    });
    let names = [
        app_scene::schema::NODES,
        app_scene::schema::LIGHTS,
        app_scene::schema::META,
    ];
    let array_root = array_root.map(|which| names[usize::from(which) % 3]);
    let array = array_root.map(|name| peer.get_or_insert_array(name));
    let encode = |txn: &yrs::Transaction<'_>, sv: &StateVector| {
        if input.v2 {
            txn.encode_diff_v2(sv)
        } else {
            txn.encode_diff_v1(sv)
        }
    };
    let mut updates = Vec::new();
    let mut written = 0;
    for writes in &input.transactions {
        let before = peer.transact().state_vector();
        {
            let mut txn = peer.transact_mut();
            for w in writes {
                written += w.approx_bytes();
                if written > PEER_BYTES {
                    break;
                }
                match (w, &array) {
                    (Write::ArrayRoot(_, items), Some(array)) => {
                        let len = array.len(&txn);
                        for item in items {
                            array.insert(&mut txn, len, item.input());
                        }
                    }
                    (Write::ArrayRoot(..), None) => {}
                    _ => write(&mut txn, array_root, w),
                }
            }
        }
        updates.push(encode(&peer.transact(), &before));
    }
    let whole = encode(&peer.transact(), &StateVector::default());
    (updates, whole)
}

/// Runs the input: the peer's updates, one by one (checked after each), then its whole state.
pub fn read_document(input: &HostileDocument) {
    let (mut updates, whole) = peer_updates(input);
    let mut doc = if input.into_base {
        base_doc()
    } else {
        new_doc(SUBJECT_ID)
    };
    let mut mirror = Mirror::default();
    check_reads(&mut doc, &mut mirror);
    if input.reversed {
        updates.reverse();
    }
    let apply = |doc: &mut app_scene::SceneDoc, update: &[u8]| {
        if input.v2 {
            doc.apply_update_v2(update)
        } else {
            doc.apply_update_v1(update)
        }
    };
    for update in &updates {
        let result = apply(&mut doc, update);
        // In order, a well-formed peer's updates are accepted. Out of order, yrs 0.28.1 can panic
        // merging pending updates (refused by the guard): the document must still work.
        if !input.reversed {
            result.unwrap_or_else(|e| panic!("a well-formed update was refused: {e}"));
        }
        check_reads(&mut doc, &mut mirror);
    }
    // The peer's whole state, as a late joiner's sync would send it.
    let result = apply(&mut doc, &whole);
    if !input.reversed {
        result.unwrap_or_else(|e| panic!("the peer's whole state was refused: {e}"));
    }
    check_doc(&mut doc, &mut mirror);
}
