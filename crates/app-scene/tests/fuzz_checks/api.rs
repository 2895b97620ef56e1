//! Fuzz target `api_sequence`: two replicas driven by an arbitrary sequence of `SceneDoc` calls with
//! arbitrary arguments, exchanging updates in several ways. Errors are fine, panics are not; after
//! each step the edited replica reads consistently (see [`check_reads`]), a call with valid
//! arguments on a valid node succeeds and reads back, and at the end both replicas converge.

use arbitrary::Arbitrary;

use app_core::NodeId;
use app_scene::{SceneDoc, SceneError};

use super::{Mirror, advance_clock, check_doc, check_reads, handshake, new_doc};

/// The whole input.
#[derive(Debug, Arbitrary)]
pub struct Session {
    /// The calls, in order.
    pub steps: Vec<Step>,
}

/// One call on replica `b` (false: replica A, true: replica B).
#[derive(Debug, Arbitrary)]
pub struct Step {
    /// Which replica.
    pub b: bool,
    /// What it does.
    pub call: Call,
}

/// A number, mostly valid.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Num {
    /// Quarter steps around zero.
    Small(i8),
    /// Within 0..=1.
    Unit(u8),
    /// Anything, NaN included.
    Any(f64),
}

impl Num {
    fn get(self) -> f64 {
        match self {
            Num::Small(v) => f64::from(v) / 4.0,
            Num::Unit(v) => f64::from(v) / 255.0,
            Num::Any(v) => v,
        }
    }
}

fn get<const N: usize>(v: [Num; N]) -> [f64; N] {
    v.map(Num::get)
}

/// A node named by a call: mostly one that exists.
#[derive(Debug, Arbitrary)]
pub enum Target {
    /// The n-th node of the replica's snapshot (modulo its size).
    Existing(u8),
    /// Any string.
    Raw(String),
}

/// A `SceneDoc` call (named after it, arguments in its order), or a way of moving updates between
/// the replicas.
#[derive(Debug, Arbitrary)]
#[allow(missing_docs)]
pub enum Call {
    AddSphere([Num; 3], Num),
    AddBox([Num; 3], [Num; 3]),
    AddPlane([Num; 3], Num),
    SetRadius(Target, Num),
    SetExtents(Target, [Num; 3]),
    SetSize(Target, Num),
    SetTranslation(Target, [Num; 3]),
    SetRotation(Target, [Num; 4]),
    SetScale(Target, [Num; 3]),
    SetBaseColor(Target, [Num; 3]),
    SetMetallicRoughness(Target, Num, Num),
    SetEmissive(Target, [Num; 3]),
    SetName(Target, String),
    SetVisible(Target, bool),
    SetLight([Num; 3], [Num; 3], Num),
    SetParent(Target, Option<Target>),
    MoveBefore(Target, Option<Target>),
    Remove(Target),
    Undo,
    Redo,
    EndUndoStep,
    /// Time passes (undo steps merge within 500 ms).
    Wait(u16),
    /// Sends this replica's queued local updates to the other one, in order or newest first.
    SendLocal {
        reversed: bool,
    },
    /// Sends what the other replica is missing (state-vector diff).
    SendDiff,
    /// Sends the whole state, v1 or v2.
    SendWhole {
        v2: bool,
    },
    /// Runs the y-protocols handshake.
    Handshake,
}

struct Replica {
    doc: SceneDoc,
    mirror: Mirror,
    /// Local updates taken from the document, not yet sent.
    outbox: Vec<Vec<u8>>,
}

impl Replica {
    fn new(client_id: u64) -> Self {
        Self {
            doc: new_doc(client_id),
            mirror: Mirror::default(),
            outbox: Vec::new(),
        }
    }
}

/// The id a call names.
fn target(doc: &SceneDoc, target: &Target) -> String {
    match target {
        Target::Existing(n) => {
            let ids = doc.node_ids();
            ids.get(usize::from(*n) % ids.len().max(1))
                .map_or_else(|| "none".to_owned(), |id| id.as_str().to_owned())
        }
        Target::Raw(s) => s.clone(),
    }
}

/// True if every value is a valid coordinate / size / unit value.
fn all(values: &[f64], check: fn(&'static str, f64) -> Result<f32, app_core::ValueError>) -> bool {
    values.iter().all(|&v| check("", v).is_ok())
}

/// Runs one call on `me`. `Err((id, error))` if a call with valid arguments on a valid node (or an
/// addition with valid arguments) failed: the caller reports it.
fn call(me: &mut Replica, call: &Call) -> Result<(), (String, SceneError)> {
    use app_core::{
        check_coordinate as coord, check_emissive as emissive, check_size as size,
        check_unit as unit,
    };
    let doc = &mut me.doc;
    // `must`: the arguments are valid, so the call must succeed if the node is a valid one.
    let (id, result, must): (String, Result<(), SceneError>, bool) = match call {
        Call::AddSphere(t, r) => {
            let (t, r) = (get(*t), r.get());
            let added = doc.add_sphere(t, r);
            added_ok(doc, added, all(&t, coord) && all(&[r], size))?;
            return Ok(());
        }
        Call::AddBox(t, e) => {
            let (t, e) = (get(*t), get(*e));
            let added = doc.add_box(t, e);
            added_ok(doc, added, all(&t, coord) && all(&e, size))?;
            return Ok(());
        }
        Call::AddPlane(t, s) => {
            let (t, s) = (get(*t), s.get());
            let added = doc.add_plane(t, s);
            added_ok(doc, added, all(&t, coord) && all(&[s], size))?;
            return Ok(());
        }
        Call::SetRadius(t, r) => {
            let id = target(doc, t);
            let r = r.get();
            let result = doc.set_sphere_radius(&id, r);
            (id, result, false)
        }
        Call::SetExtents(t, e) => {
            let id = target(doc, t);
            let result = doc.set_box_extents(&id, get(*e));
            (id, result, false)
        }
        Call::SetSize(t, s) => {
            let id = target(doc, t);
            let result = doc.set_plane_size(&id, s.get());
            (id, result, false)
        }
        Call::SetTranslation(t, v) => {
            let (id, v) = (target(doc, t), get(*v));
            let result = doc.set_translation(&id, v);
            if result.is_ok() {
                let node = doc.node(&id).expect("a node just edited reads back");
                let expected = v.map(|x| x as f32);
                assert_eq!(
                    node.transform.translation.to_array(),
                    expected,
                    "translation read back"
                );
                let numbers = doc
                    .node_numbers(&id)
                    .expect("a node just edited reads back");
                assert_eq!(numbers.translation, v, "translation read back as set");
            }
            (id, result, all(&v, coord))
        }
        Call::SetRotation(t, q) => {
            let id = target(doc, t);
            let result = doc.set_rotation(&id, get(*q));
            (id, result, false)
        }
        Call::SetScale(t, v) => {
            let (id, v) = (target(doc, t), get(*v));
            let result = doc.set_scale(&id, v);
            (id, result, all(&v, size))
        }
        Call::SetBaseColor(t, v) => {
            let (id, v) = (target(doc, t), get(*v));
            let result = doc.set_base_color(&id, v);
            if result.is_ok() {
                let numbers = doc
                    .node_numbers(&id)
                    .expect("a node just edited reads back");
                assert_eq!(numbers.color, v, "base color read back as set");
            }
            (id, result, all(&v, unit))
        }
        Call::SetMetallicRoughness(t, m, r) => {
            let (id, m, r) = (target(doc, t), m.get(), r.get());
            let result = doc.set_metallic_roughness(&id, m, r);
            (id, result, all(&[m, r], unit))
        }
        Call::SetEmissive(t, v) => {
            let (id, v) = (target(doc, t), get(*v));
            let result = doc.set_emissive(&id, v);
            (id, result, all(&v, emissive))
        }
        Call::SetName(t, name) => {
            let id = target(doc, t);
            let result = doc.set_name(&id, name);
            if result.is_ok() {
                assert_eq!(
                    &doc.node(&id).expect("edited node").name,
                    name,
                    "name read back"
                );
            }
            (id, result, name.len() <= app_scene::MAX_NAME_BYTES)
        }
        Call::SetVisible(t, visible) => {
            let id = target(doc, t);
            let result = doc.set_visible(&id, *visible);
            (id, result, true)
        }
        Call::SetLight(d, c, i) => {
            let _ = doc.set_light(get(*d), get(*c), i.get());
            return Ok(());
        }
        Call::SetParent(t, parent) => {
            let id = target(doc, t);
            let parent = parent.as_ref().map(|p| target(doc, p));
            let result = doc.set_parent(&id, parent.as_deref());
            if result.is_ok() {
                let node = doc.node(&id).expect("a node just moved reads back");
                assert_eq!(
                    node.parent.as_ref().map(NodeId::as_str),
                    parent.as_deref(),
                    "parent read back"
                );
            }
            return Ok(());
        }
        Call::MoveBefore(t, before) => {
            let id = target(doc, t);
            let before = before.as_ref().map(|b| target(doc, b));
            let parent = doc.node(&id).map(|n| n.parent);
            let result = doc.move_before(&id, before.as_deref());
            if result.is_ok() {
                let node = doc.node(&id).expect("a node just moved reads back");
                assert_eq!(Some(node.parent), parent, "move_before changed the parent");
            }
            return Ok(());
        }
        Call::Remove(t) => {
            let id = target(doc, t);
            let result = doc.remove_node(&id);
            if result.is_ok() {
                assert!(doc.node(&id).is_none(), "a removed node still reads");
            }
            (id, result, true)
        }
        Call::Undo => {
            doc.undo().map_err(|e| ("undo".to_owned(), e))?;
            return Ok(());
        }
        Call::Redo => {
            doc.redo().map_err(|e| ("redo".to_owned(), e))?;
            return Ok(());
        }
        Call::EndUndoStep => {
            doc.end_undo_step();
            return Ok(());
        }
        Call::Wait(ms) => {
            advance_clock(u64::from(*ms));
            return Ok(());
        }
        Call::SendLocal { .. } | Call::SendDiff | Call::SendWhole { .. } | Call::Handshake => {
            return Ok(());
        }
    };
    match result {
        Err(e) if must && doc.node(&id).is_some() => Err((id, e)),
        _ => Ok(()),
    }
}

fn added_ok(
    doc: &SceneDoc,
    added: Result<NodeId, SceneError>,
    must: bool,
) -> Result<(), (String, SceneError)> {
    match added {
        Ok(id) => {
            assert!(
                doc.node(id.as_str()).is_some(),
                "an added node does not read back"
            );
            Ok(())
        }
        Err(e) if must => Err(("(new node)".to_owned(), e)),
        Err(_) => Ok(()),
    }
}

/// Moves updates from `from` to `to` as `how` says; every update a replica produced must be
/// accepted by the other.
fn send(from: &mut Replica, to: &mut Replica, how: &Call) {
    from.outbox.extend(from.doc.take_local_updates());
    match how {
        Call::SendLocal { reversed } => {
            let mut updates = std::mem::take(&mut from.outbox);
            if *reversed {
                updates.reverse();
            }
            for update in updates {
                let result = to.doc.apply_update_v1(&update);
                // In order, every update must be accepted. Out of order, a legitimate update can
                // be refused ("while reading, an unexpected value was found";
                // tests/fuzz/crashers/api_sequence/, not yet explained): the handshake at the end
                // must still converge.
                if !*reversed {
                    result.unwrap_or_else(|e| panic!("a peer's local update was refused: {e}"));
                }
            }
        }
        Call::SendDiff => {
            let diff = from
                .doc
                .encode_diff_v1(&to.doc.state_vector_v1())
                .unwrap_or_else(|e| panic!("diff: {e}"));
            to.doc
                .apply_update_v1(&diff)
                .unwrap_or_else(|e| panic!("a diff was refused: {e}"));
        }
        Call::SendWhole { v2 } => {
            let result = if *v2 {
                to.doc.apply_update_v2(&from.doc.encode_state_v2())
            } else {
                to.doc.apply_update_v1(&from.doc.encode_state_v1())
            };
            result.unwrap_or_else(|e| panic!("a peer's whole state was refused: {e}"));
        }
        Call::Handshake => handshake(&mut from.doc, &mut to.doc),
        _ => {}
    }
}

/// Runs the session.
pub fn api_sequence(session: &Session) {
    let mut a = Replica::new(1);
    let mut b = Replica::new(2);
    for step in &session.steps {
        let (me, other) = if step.b {
            (&mut b, &mut a)
        } else {
            (&mut a, &mut b)
        };
        match &step.call {
            how @ (Call::SendLocal { .. }
            | Call::SendDiff
            | Call::SendWhole { .. }
            | Call::Handshake) => {
                send(me, other, how);
                check_reads(&mut other.doc, &mut other.mirror);
            }
            other_call => {
                if let Err((id, e)) = call(me, other_call) {
                    panic!("{other_call:?} on valid node {id:?} failed: {e}");
                }
            }
        }
        check_reads(&mut me.doc, &mut me.mirror);
    }
    // Everything delivered both ways: the replicas converge, and both still work.
    send(&mut a, &mut b, &Call::SendLocal { reversed: false });
    send(&mut b, &mut a, &Call::SendLocal { reversed: false });
    handshake(&mut a.doc, &mut b.doc);
    for r in [&mut a, &mut b] {
        check_doc(&mut r.doc, &mut r.mirror);
    }
}
