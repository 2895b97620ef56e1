//! The background as document state: `lights.background`, validated, undoable, synced, reported in
//! the change stream after the light, and safe against whatever a peer writes there.

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_core::glam::Vec3;
use app_core::{DEFAULT_BACKGROUND, DirectionalLight, SceneChange};
use app_scene::SceneDoc;
use app_scene::schema::{BACKGROUND, LIGHTS};
use yrs::updates::decoder::Decode;
use yrs::{Any, Doc, In, Map, MapPrelim, ReadTxn, StateVector, Transact};

fn doc(client_id: u64) -> SceneDoc {
    SceneDoc::with_client_id(client_id)
}

#[test]
fn set_read_and_reported_after_the_light() {
    let mut d = doc(1);
    assert_eq!(d.background(), DEFAULT_BACKGROUND);
    assert_eq!(DEFAULT_BACKGROUND, Vec3::new(0.018, 0.022, 0.032));
    assert!(d.drain_changes().is_empty());
    d.set_background([0.1, 0.2, 0.3]).unwrap();
    assert_eq!(d.background(), Vec3::new(0.1, 0.2, 0.3));
    assert_eq!(
        d.drain_changes(),
        [
            SceneChange::LightChanged(DirectionalLight::default()),
            SceneChange::BackgroundChanged(Vec3::new(0.1, 0.2, 0.3)),
        ]
    );
    // The same value again writes nothing.
    d.take_local_updates();
    d.set_background([0.1, 0.2, 0.3]).unwrap();
    assert!(d.take_local_updates().is_empty());
    assert!(d.drain_changes().is_empty());
    // A light edit reports the background too (both live in `lights`).
    d.set_light([0.0, -1.0, 0.0], [1.0; 3], 3.0).unwrap();
    assert!(matches!(
        &d.drain_changes()[..],
        [SceneChange::LightChanged(l), SceneChange::BackgroundChanged(b)]
            if l.intensity == 3.0 && *b == Vec3::new(0.1, 0.2, 0.3)
    ));
    assert!(d.drain_problems().is_empty());
}

#[test]
fn invalid_values_are_refused_naming_the_channel() {
    let mut d = doc(1);
    d.set_background([0.5; 3]).unwrap();
    d.take_local_updates();
    d.drain_changes();
    for (rgb, message) in [
        (
            [1.5, 0.0, 0.0],
            "background.red must be within 0..1, got 1.5",
        ),
        (
            [0.0, -0.1, 0.0],
            "background.green must be within 0..1, got -0.1",
        ),
        (
            [0.0, 0.0, f64::NAN],
            "background.blue must be a finite number, got NaN",
        ),
    ] {
        assert_eq!(d.set_background(rgb).unwrap_err().to_string(), message);
    }
    assert_eq!(d.background(), Vec3::splat(0.5));
    assert!(d.take_local_updates().is_empty());
    assert!(d.drain_changes().is_empty());
}

#[test]
fn undo_redo_and_sync() {
    let mut d = doc(1);
    let mut peer = doc(2);
    d.set_background([0.1, 0.2, 0.3]).unwrap();
    d.end_undo_step();
    d.set_background([0.9, 0.8, 0.7]).unwrap();
    for u in d.take_local_updates() {
        peer.apply_update_v1(&u).unwrap();
    }
    assert_eq!(peer.background(), Vec3::new(0.9, 0.8, 0.7));
    assert!(
        peer.drain_changes()
            .contains(&SceneChange::BackgroundChanged(Vec3::new(0.9, 0.8, 0.7)))
    );
    d.drain_changes();

    assert!(d.undo().unwrap());
    assert_eq!(d.background(), Vec3::new(0.1, 0.2, 0.3));
    assert_eq!(
        d.drain_changes().last(),
        Some(&SceneChange::BackgroundChanged(Vec3::new(0.1, 0.2, 0.3)))
    );
    assert!(d.undo().unwrap());
    assert_eq!(d.background(), DEFAULT_BACKGROUND);
    assert!(d.redo().unwrap());
    assert_eq!(d.background(), Vec3::new(0.1, 0.2, 0.3));
    for u in d.take_local_updates() {
        peer.apply_update_v1(&u).unwrap();
    }
    assert_eq!(peer.background(), d.background());
    // A peer's background is never undone locally.
    assert!(!peer.undo().unwrap());
    assert_eq!(peer.background(), Vec3::new(0.1, 0.2, 0.3));
}

#[test]
fn stored_as_an_atomic_array_of_the_numbers_given() {
    let mut d = doc(1);
    d.set_background([0.1, 0.2, 0.3]).unwrap();
    let raw = Doc::new();
    let lights = raw.get_or_insert_map(LIGHTS);
    raw.transact_mut()
        .apply_update(yrs::Update::decode_v1(&d.encode_state_v1()).unwrap())
        .unwrap();
    let txn = raw.transact();
    assert_eq!(
        lights.get(&txn, BACKGROUND),
        Some(yrs::Out::Any(Any::Array(
            vec![Any::from(0.1), Any::from(0.2), Any::from(0.3)].into()
        )))
    );
}

/// A raw Yjs-level peer's update writing `value` under `lights.background`.
fn peer_writes(value: In) -> Vec<u8> {
    let peer = Doc::with_client_id(99);
    let lights = peer.get_or_insert_map(LIGHTS);
    lights.insert(&mut peer.transact_mut(), BACKGROUND, value);
    peer.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

fn nums(values: &[f64]) -> In {
    In::Any(Any::Array(values.iter().map(|&v| Any::from(v)).collect()))
}

#[test]
fn garbage_from_a_peer_reads_as_the_default_or_clamped() {
    let garbage: Vec<(&str, In, Vec3)> = vec![
        ("string", In::Any(Any::from("blue")), DEFAULT_BACKGROUND),
        ("two numbers", nums(&[0.5, 0.5]), DEFAULT_BACKGROUND),
        ("NaN", nums(&[f64::NAN, 0.0, 0.0]), DEFAULT_BACKGROUND),
        ("huge", nums(&vec![0.5; 100_000]), DEFAULT_BACKGROUND),
        ("beyond f32", nums(&[1e300, 0.0, 0.0]), DEFAULT_BACKGROUND),
        (
            "strings",
            In::Any(Any::Array(vec![Any::from("a"); 3].into())),
            DEFAULT_BACKGROUND,
        ),
        ("null", In::Any(Any::Null), DEFAULT_BACKGROUND),
        (
            "a shared map",
            In::Map(MapPrelim::from([("r", In::Any(Any::from(1.0)))])),
            DEFAULT_BACKGROUND,
        ),
        (
            "out of range",
            nums(&[2.0, -1.0, 0.5]),
            Vec3::new(1.0, 0.0, 0.5),
        ),
    ];
    for (what, value, expected) in garbage {
        let mut d = doc(1);
        let s = d.add_sphere([0.0; 3], 1.0).unwrap();
        d.set_light([0.0, -1.0, 0.0], [1.0; 3], 2.0).unwrap();
        let light = d.light();
        d.drain_changes();
        d.drain_problems();
        d.apply_update_v1(&peer_writes(value)).unwrap();
        assert_eq!(d.background(), expected, "{what}");
        let changes = d.drain_changes();
        assert_eq!(
            changes,
            [
                SceneChange::LightChanged(light),
                SceneChange::BackgroundChanged(expected)
            ],
            "{what}"
        );
        let problems = d.drain_problems();
        assert!(
            problems.iter().any(|p| p.contains("background")),
            "{what}: {problems:#?}"
        );
        // Nothing else is affected, the document saves and reloads, and a local edit replaces it.
        assert_eq!(d.light(), light, "{what}");
        assert!(d.node(s.as_str()).is_some(), "{what}");
        let mut copy = doc(3);
        copy.apply_update_v1(&d.encode_state_v1()).unwrap();
        assert_eq!(copy.background(), expected, "{what}");
        let mut copy = doc(4);
        copy.apply_update_v2(&d.encode_state_v2()).unwrap();
        assert_eq!(copy.background(), expected, "{what}");
        d.set_background([0.25, 0.5, 0.75]).unwrap();
        assert_eq!(d.background(), Vec3::new(0.25, 0.5, 0.75), "{what}");
        assert!(d.drain_problems().is_empty(), "{what}");
    }
}
