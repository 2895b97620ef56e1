//! Hostile but well-formed documents, end to end on lavapipe: a Yjs-level peer writes wrong types,
//! NaN, 1e30 scales and translations, a million-element array, unknown kinds, a parent cycle, a
//! self-parent and an id that collides with another peer's. The engine draws what is valid (with the
//! documented replacements for invalid fields), skips the rest, reports each problem once, and its
//! per-frame work is that of the equivalent clean scene.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use app_render::golden::{Tolerance, compare};
use app_render::{Renderer, RgbaImage};
use app_scene::SceneDoc;
use app_wasm::bridge::{apply_scene_changes, rebuild_renderer};
use yrs::{Any, Doc, Map, MapPrelim, MapRef, ReadTxn, StateVector, Transact, TransactionMut};

mod native;

use native::gpu;

fn render(renderer: &mut Renderer) -> RgbaImage {
    native::render(renderer, 128)
}

/// Writes `image` to `tests/out/native/<name>.png` (git-ignored) so a person can look at it.
fn save(image: &RgbaImage, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/out/native");
    let _ = std::fs::create_dir_all(&dir);
    let Ok(file) = std::fs::File::create(dir.join(format!("{name}.png"))) else {
        return;
    };
    let mut encoder = png::Encoder::new(file, image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    if let Ok(mut writer) = encoder.write_header() {
        let _ = writer.write_image_data(&image.pixels);
    }
}

fn nums(values: &[f64]) -> Any {
    Any::Array(values.iter().map(|&x| Any::from(x)).collect())
}

/// A transform as stored: translation, rotation quaternion (x, y, z, w), scale.
fn transform(t: [f64; 3], s: [f64; 3]) -> Any {
    nums(&[t[0], t[1], t[2], 0.0, 0.0, 0.0, 1.0, s[0], s[1], s[2]])
}

fn node(txn: &mut TransactionMut<'_>, nodes: &MapRef, id: &str, fields: Vec<(&str, Any)>) {
    let prelim: MapPrelim = fields
        .into_iter()
        .map(|(k, v)| (k, yrs::In::Any(v)))
        .collect();
    nodes.insert(txn, id, prelim);
}

fn placement(parent: &str, order: &str) -> Any {
    Any::Array(vec![Any::from(parent), Any::from(order)].into())
}

fn state(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

/// A raw Yjs peer writing everything wrong (and a few valid nodes among it).
fn hostile_peer() -> Doc {
    let doc = Doc::with_client_id(9);
    let nodes = doc.get_or_insert_map("nodes");
    let mut txn = doc.transact_mut();
    let sphere = |r: f64| vec![("kind", Any::from("sphere")), ("radius", Any::from(r))];
    let with = |mut base: Vec<(&'static str, Any)>, more: Vec<(&'static str, Any)>| {
        base.extend(more);
        base
    };
    // Valid.
    node(
        &mut txn,
        &nodes,
        "floor",
        vec![
            ("kind", "plane".into()),
            ("size", Any::from(6.0)),
            ("transform", transform([0.0, -1.0, 0.0], [1.0; 3])),
        ],
    );
    // A 1e30 scale: replaced by 1 (the sphere keeps its radius and place).
    node(
        &mut txn,
        &nodes,
        "scale-1e30",
        with(
            sphere(0.3),
            vec![("transform", transform([0.0, 1.2, 0.0], [1e30; 3]))],
        ),
    );
    // A 1e30 translation: replaced by the origin.
    node(
        &mut txn,
        &nodes,
        "far-away",
        vec![
            ("kind", "box".into()),
            ("extents", nums(&[0.4, 0.4, 0.4])),
            ("transform", transform([1e30, 0.0, 0.0], [1.0; 3])),
        ],
    );
    // NaN radius: replaced by 1.
    node(
        &mut txn,
        &nodes,
        "nan-radius",
        with(
            sphere(f64::NAN),
            vec![("transform", transform([0.0, 0.0, -3.0], [1.0; 3]))],
        ),
    );
    // A million-element extents array: replaced by 1.
    node(
        &mut txn,
        &nodes,
        "million",
        vec![
            ("kind", "box".into()),
            ("extents", nums(&vec![0.5; 1_000_000])),
            ("transform", transform([2.0, 0.0, -1.0], [1.0; 3])),
        ],
    );
    // Skipped: unknown kind, not a map, a missing kind.
    node(
        &mut txn,
        &nodes,
        "torus",
        vec![("kind", "torus".into()), ("radius", Any::from(5.0))],
    );
    nodes.insert(&mut txn, "not-a-map", Any::from("sphere"));
    node(
        &mut txn,
        &nodes,
        "no-kind",
        vec![("radius", Any::from(2.0))],
    );
    // A parent cycle: the member with the smallest id ("cyc-a") becomes the root.
    node(
        &mut txn,
        &nodes,
        "cyc-a",
        with(
            sphere(0.25),
            vec![
                ("transform", transform([-2.0, 0.5, 0.0], [1.0; 3])),
                ("placement", placement("cyc-b", "a0")),
            ],
        ),
    );
    node(
        &mut txn,
        &nodes,
        "cyc-b",
        with(
            sphere(0.2),
            vec![
                ("transform", transform([0.0, 0.6, 0.0], [1.0; 3])),
                ("placement", placement("cyc-a", "a1")),
            ],
        ),
    );
    // Its own parent: a root.
    node(
        &mut txn,
        &nodes,
        "selfish",
        with(
            sphere(0.3),
            vec![
                ("transform", transform([1.0, 0.0, 1.0], [1.0; 3])),
                ("placement", placement("selfish", "a2")),
            ],
        ),
    );
    drop(txn);
    doc
}

/// Two peers that write the same id concurrently; returns their updates.
fn colliding_peers() -> (Vec<u8>, Vec<u8>) {
    let write = |client: u64, x: f64, r: f64| {
        let doc = Doc::with_client_id(client);
        let nodes = doc.get_or_insert_map("nodes");
        let mut txn = doc.transact_mut();
        node(
            &mut txn,
            &nodes,
            "same-id",
            vec![
                ("kind", "sphere".into()),
                ("radius", Any::from(r)),
                ("transform", transform([x, 0.0, 0.0], [1.0; 3])),
            ],
        );
        drop(txn);
        state(&doc)
    };
    (write(7, -1.0, 0.5), write(8, 1.0, 0.4))
}

/// The scene the hostile document should read as, written through the validated API.
fn expected_scene(same_id_x: f64, same_id_radius: f64) -> SceneDoc {
    let mut d = SceneDoc::with_client_id(1);
    let floor = d.add_plane([0.0, -1.0, 0.0], 6.0).unwrap();
    d.add_sphere([0.0, 1.2, 0.0], 0.3).unwrap();
    d.add_box([0.0, 0.0, 0.0], [0.4, 0.4, 0.4]).unwrap();
    d.add_sphere([0.0, 0.0, -3.0], 1.0).unwrap();
    d.add_box([2.0, 0.0, -1.0], [1.0, 1.0, 1.0]).unwrap();
    let a = d.add_sphere([-2.0, 0.5, 0.0], 0.25).unwrap();
    let b = d.add_sphere([0.0, 0.6, 0.0], 0.2).unwrap();
    d.set_parent(b.as_str(), Some(a.as_str())).unwrap();
    d.add_sphere([1.0, 0.0, 1.0], 0.3).unwrap();
    d.add_sphere([same_id_x, 0.0, 0.0], same_id_radius).unwrap();
    let _ = floor;
    d
}

#[test]
fn hostile_documents_draw_what_is_valid_and_report_each_problem_once() {
    let gpu = gpu();
    let (first, second) = colliding_peers();
    let hostile = state(&hostile_peer());

    // Two replicas receive the same updates in different orders and converge.
    let mut scene = SceneDoc::with_client_id(1);
    let mut other = SceneDoc::with_client_id(2);
    for update in [&hostile, &first, &second] {
        scene.apply_update_v1(update).unwrap();
    }
    for update in [&second, &hostile, &first] {
        other.apply_update_v1(update).unwrap();
    }
    assert_eq!(scene.snapshot(), other.snapshot(), "replicas converge");

    // The colliding id holds exactly one of the two writes, the same on both replicas.
    let same = scene.node("same-id").expect("one write wins");
    let (x, radius) = match same.shape {
        app_core::Shape::Sphere { radius } => (same.transform.translation.x, radius),
        other => panic!("unexpected shape {other:?}"),
    };
    assert!(
        (x, radius) == (-1.0, 0.5) || (x, radius) == (1.0, 0.4),
        "{x} {radius}"
    );

    let mut renderer = Renderer::new(&gpu);
    apply_scene_changes(&mut scene, &mut renderer);
    let problems = scene.drain_problems();
    for needle in [
        "scale-1e30",
        "far-away",
        "nan-radius",
        "million",
        "torus",
        "not-a-map",
        "no-kind",
    ] {
        assert_eq!(
            problems.iter().filter(|p| p.contains(needle)).count(),
            1,
            "{needle} is reported exactly once: {problems:#?}"
        );
    }
    assert_eq!(renderer.instance_count(), 9, "9 valid nodes drawn");
    renderer.refit_bounds();
    let image = render(&mut renderer);
    // A second frame: nothing new to report, nothing uploaded but the frame uniforms.
    apply_scene_changes(&mut scene, &mut renderer);
    let steady = render(&mut renderer);
    assert_eq!(steady, image);
    assert!(scene.drain_problems().is_empty(), "each problem once");
    let hostile_stats = renderer.last_stats();

    // The same picture and the same per-frame work as the clean equivalent scene.
    let mut clean = expected_scene(f64::from(x), f64::from(radius));
    let mut clean_renderer = Renderer::new(&gpu);
    rebuild_renderer(&mut clean, &mut clean_renderer);
    clean_renderer.refit_bounds();
    let expected = render(&mut clean_renderer);
    render(&mut clean_renderer);
    save(&image, "hostile_scene");
    save(&expected, "hostile_scene_clean_equivalent");
    let comparison = compare(&image, &expected, Tolerance::DEFAULT).expect("same size");
    assert!(
        comparison.passes(Tolerance::DEFAULT),
        "hostile scene differs from its clean equivalent on {:.2}% of pixels",
        comparison.differing_share * 100.0
    );
    assert_eq!(hostile_stats, clean_renderer.last_stats());

    // The 1e30 values never reach the bounds: the camera and shadows still fit the scene.
    let bounds = renderer.refit_bounds().expect("bounds");
    assert!(bounds.max.abs().max_element() < 10.0, "{bounds:?}");
}

#[test]
fn api_calls_beyond_the_world_limits_are_errors_that_name_them() {
    let mut d = SceneDoc::with_client_id(1);
    let err = d.add_sphere([1e30, 0.0, 0.0], 1.0).unwrap_err().to_string();
    assert!(
        err.contains("translation.x") && err.contains("1000000"),
        "{err}"
    );
    let err = d.add_sphere([0.0; 3], 1e30).unwrap_err().to_string();
    assert!(err.contains("radius"), "{err}");
    let id = d.add_sphere([0.0; 3], 1.0).unwrap();
    let err = d
        .set_scale(id.as_str(), [1.0, 1e30, 1.0])
        .unwrap_err()
        .to_string();
    assert!(err.contains("scale.y"), "{err}");
    assert_eq!(d.snapshot().len(), 1, "rejected calls change nothing");
}
