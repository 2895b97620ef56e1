//! Every edit and read call, and every error it can return.

use app_core::glam::{Mat4, Quat, Vec3};
use app_core::{Material, Shape};
use app_scene::{SceneDoc, SceneError};

fn doc() -> SceneDoc {
    SceneDoc::with_client_id(1)
}

#[test]
fn adds_each_kind_with_defaults() {
    let mut d = doc();
    let s = d.add_sphere([1.0, 2.0, 3.0], 0.5).unwrap();
    let b = d.add_box([0.0; 3], [1.0, 2.0, 3.0]).unwrap();
    let p = d.add_plane([0.0; 3], 10.0).unwrap();
    let sphere = d.node(s.as_str()).unwrap();
    assert_eq!(sphere.shape, Shape::Sphere { radius: 0.5 });
    assert_eq!(sphere.transform.translation, Vec3::new(1.0, 2.0, 3.0));
    assert_eq!(sphere.material, Material::default());
    assert!(sphere.visible && sphere.name.is_empty() && sphere.parent.is_none());
    assert_eq!(
        d.node(b.as_str()).unwrap().shape,
        Shape::Box {
            extents: Vec3::new(1.0, 2.0, 3.0)
        }
    );
    assert_eq!(
        d.node(p.as_str()).unwrap().shape,
        Shape::Plane { size: 10.0 }
    );
    let mut ids = vec![s.clone(), b, p];
    ids.sort();
    assert_eq!(d.node_ids(), ids);
    assert_eq!(
        d.snapshot()
            .iter()
            .map(|n| n.id.clone())
            .collect::<Vec<_>>(),
        ids
    );
    assert_eq!(d.len(), 3);
    assert!(s.as_str().starts_with("1-"), "ids carry the client id: {s}");
    assert!(d.drain_problems().is_empty());
}

#[test]
fn add_rejects_invalid_values_and_writes_nothing() {
    let mut d = doc();
    let err = d.add_sphere([0.0; 3], -1.0).unwrap_err();
    assert_eq!(err.to_string(), "radius must be > 0, got -1");
    let err = d.add_sphere([f64::NAN, 0.0, 0.0], 1.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "translation.x must be a finite number, got NaN"
    );
    assert!(
        d.add_box([0.0; 3], [1.0, 0.0, 1.0])
            .unwrap_err()
            .to_string()
            .starts_with("extents.y must be > 0")
    );
    assert!(d.add_plane([0.0; 3], f64::INFINITY).is_err());
    assert!(
        d.add_sphere([1e300, 0.0, 0.0], 1.0).is_err(),
        "beyond f32 range"
    );
    assert!(d.is_empty());
    assert!(
        d.take_local_updates().is_empty(),
        "a rejected call sends nothing"
    );
}

#[test]
fn shape_setters_check_kind_and_value() {
    let mut d = doc();
    let s = d.add_sphere([0.0; 3], 1.0).unwrap();
    let b = d.add_box([0.0; 3], [1.0; 3]).unwrap();
    let p = d.add_plane([0.0; 3], 1.0).unwrap();
    d.set_sphere_radius(s.as_str(), 2.0).unwrap();
    d.set_box_extents(b.as_str(), [2.0, 3.0, 4.0]).unwrap();
    d.set_plane_size(p.as_str(), 5.0).unwrap();
    assert_eq!(
        d.node(s.as_str()).unwrap().shape,
        Shape::Sphere { radius: 2.0 }
    );
    assert_eq!(
        d.node(b.as_str()).unwrap().shape,
        Shape::Box {
            extents: Vec3::new(2.0, 3.0, 4.0)
        }
    );
    assert_eq!(
        d.node(p.as_str()).unwrap().shape,
        Shape::Plane { size: 5.0 }
    );
    let err = d.set_sphere_radius(b.as_str(), 1.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("node \"{b}\" is a box, not a sphere")
    );
    assert!(matches!(
        d.set_box_extents(s.as_str(), [1.0; 3]),
        Err(SceneError::WrongKind { .. })
    ));
    assert!(matches!(
        d.set_plane_size(s.as_str(), 1.0),
        Err(SceneError::WrongKind { .. })
    ));
    assert_eq!(
        d.set_sphere_radius("abc", 1.0).unwrap_err().to_string(),
        "unknown node id \"abc\""
    );
    assert_eq!(
        d.set_sphere_radius(s.as_str(), 0.0)
            .unwrap_err()
            .to_string(),
        "radius must be > 0, got 0"
    );
    assert!(matches!(
        d.set_sphere_radius("", 1.0),
        Err(SceneError::Id(_))
    ));
    assert!(matches!(
        d.set_sphere_radius(&"x".repeat(200), 1.0),
        Err(SceneError::Id(_))
    ));
}

#[test]
fn transform_setters() {
    let mut d = doc();
    let s = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.set_translation(s.as_str(), [1.0, 2.0, 3.0]).unwrap();
    d.set_rotation(s.as_str(), [0.0, 2.0, 0.0, 0.0]).unwrap();
    d.set_scale(s.as_str(), [1.0, 2.0, 3.0]).unwrap();
    let t = d.node(s.as_str()).unwrap().transform;
    assert_eq!(t.translation, Vec3::new(1.0, 2.0, 3.0));
    assert!(
        t.rotation
            .abs_diff_eq(Quat::from_xyzw(0.0, 1.0, 0.0, 0.0), 1e-6),
        "normalised"
    );
    assert_eq!(t.scale, Vec3::new(1.0, 2.0, 3.0));
    assert!(matches!(
        d.set_rotation(s.as_str(), [0.0; 4]),
        Err(SceneError::ZeroRotation)
    ));
    assert!(
        d.set_rotation(s.as_str(), [f64::NAN, 0.0, 0.0, 1.0])
            .is_err()
    );
    assert!(d.set_scale(s.as_str(), [1.0, -1.0, 1.0]).is_err());
    assert!(
        d.set_translation(s.as_str(), [0.0, f64::NEG_INFINITY, 0.0])
            .is_err()
    );
    assert!(matches!(
        d.set_translation("nope", [0.0; 3]),
        Err(SceneError::UnknownNode(_))
    ));
    assert_eq!(
        d.node(s.as_str()).unwrap().transform,
        t,
        "failed calls changed nothing"
    );
}

#[test]
fn material_name_visibility_setters() {
    let mut d = doc();
    let s = d.add_sphere([0.0; 3], 1.0).unwrap();
    d.set_base_color(s.as_str(), [1.0, 0.5, 0.0]).unwrap();
    d.set_metallic_roughness(s.as_str(), 1.0, 0.25).unwrap();
    d.set_emissive(s.as_str(), [0.0, 0.0, 1.0]).unwrap();
    d.set_name(s.as_str(), "Sun").unwrap();
    d.set_visible(s.as_str(), false).unwrap();
    let n = d.node(s.as_str()).unwrap();
    assert_eq!(n.material.base_color, Vec3::new(1.0, 0.5, 0.0));
    assert_eq!((n.material.metallic, n.material.roughness), (1.0, 0.25));
    assert_eq!(n.material.emissive, Vec3::Z);
    assert_eq!(n.name, "Sun");
    assert!(!n.visible);
    assert_eq!(
        d.set_base_color(s.as_str(), [1.5, 0.0, 0.0])
            .unwrap_err()
            .to_string(),
        "red must be within 0..1, got 1.5"
    );
    assert!(d.set_metallic_roughness(s.as_str(), 0.5, -0.1).is_err());
    assert!(d.set_emissive(s.as_str(), [0.0, f64::NAN, 0.0]).is_err());
    assert!(matches!(
        d.set_name(s.as_str(), &"x".repeat(2000)),
        Err(SceneError::NameTooLong { .. })
    ));
    assert!(d.set_visible("nope", true).is_err());
    assert!(d.set_base_color("nope", [0.0; 3]).is_err());
    assert_eq!(d.node(s.as_str()).unwrap(), n);
}

#[test]
fn light_defaults_and_setter() {
    let mut d = doc();
    assert_eq!(d.light(), app_core::DirectionalLight::default());
    d.set_light([0.0, -1.0, 0.0], [1.0, 0.9, 0.8], 3.0).unwrap();
    let l = d.light();
    assert_eq!(
        (l.direction_in_world, l.color, l.intensity),
        (Vec3::NEG_Y, Vec3::new(1.0, 0.9, 0.8), 3.0)
    );
    assert!(matches!(
        d.set_light([0.0; 3], [1.0; 3], 1.0),
        Err(SceneError::ZeroDirection)
    ));
    assert!(d.set_light([0.0, 1.0, 0.0], [2.0, 1.0, 1.0], 1.0).is_err());
    assert!(d.set_light([0.0, 1.0, 0.0], [1.0; 3], -1.0).is_err());
}

#[test]
fn reparent_reorder_and_cycles() {
    let mut d = doc();
    let a = d.add_sphere([1.0, 0.0, 0.0], 1.0).unwrap();
    let b = d.add_sphere([0.0, 2.0, 0.0], 1.0).unwrap();
    let c = d.add_sphere([0.0, 0.0, 3.0], 1.0).unwrap();
    d.set_parent(b.as_str(), Some(a.as_str())).unwrap();
    d.set_parent(c.as_str(), Some(b.as_str())).unwrap();
    assert_eq!(d.node(c.as_str()).unwrap().parent, Some(b.clone()));
    let world = d.world_from_parent(c.as_str());
    assert!(
        world
            .transform_point3(Vec3::ZERO)
            .abs_diff_eq(Vec3::new(1.0, 2.0, 0.0), 1e-6)
    );
    assert_eq!(d.world_from_parent(a.as_str()), Mat4::IDENTITY);
    assert_eq!(d.world_from_parent("unknown"), Mat4::IDENTITY);
    let err = d.set_parent(a.as_str(), Some(c.as_str())).unwrap_err();
    assert!(matches!(err, SceneError::Cycle { .. }), "{err}");
    assert!(matches!(
        d.set_parent(a.as_str(), Some(a.as_str())),
        Err(SceneError::Cycle { .. })
    ));
    assert!(matches!(
        d.set_parent(a.as_str(), Some("nope")),
        Err(SceneError::UnknownNode(_))
    ));
    assert_eq!(d.children(Some(a.as_str())), vec![b.clone()]);
    assert_eq!(d.children(None), vec![a.clone()]);

    // Reorder among siblings.
    let x = d.add_box([0.0; 3], [1.0; 3]).unwrap();
    let y = d.add_box([0.0; 3], [1.0; 3]).unwrap();
    assert_eq!(d.children(None), vec![a.clone(), x.clone(), y.clone()]);
    d.move_before(y.as_str(), Some(a.as_str())).unwrap();
    assert_eq!(d.children(None), vec![y.clone(), a.clone(), x.clone()]);
    d.move_before(y.as_str(), Some(x.as_str())).unwrap();
    assert_eq!(d.children(None), vec![a.clone(), y.clone(), x.clone()]);
    d.move_before(a.as_str(), None).unwrap();
    assert_eq!(d.children(None), vec![y.clone(), x.clone(), a.clone()]);
    assert!(matches!(
        d.move_before(a.as_str(), Some(c.as_str())),
        Err(SceneError::NotSibling { .. })
    ));
    assert!(d.move_before("nope", None).is_err());

    // Back to a root.
    d.set_parent(c.as_str(), None).unwrap();
    assert_eq!(d.node(c.as_str()).unwrap().parent, None);
}

#[test]
fn remove_takes_the_subtree() {
    let mut d = doc();
    let a = d.add_sphere([0.0; 3], 1.0).unwrap();
    let b = d.add_sphere([0.0; 3], 1.0).unwrap();
    let c = d.add_sphere([0.0; 3], 1.0).unwrap();
    let other = d.add_plane([0.0; 3], 1.0).unwrap();
    d.set_parent(b.as_str(), Some(a.as_str())).unwrap();
    d.set_parent(c.as_str(), Some(b.as_str())).unwrap();
    assert!(d.contains(c.as_str()));
    d.remove_node(a.as_str()).unwrap();
    assert_eq!(d.node_ids(), vec![other.clone()]);
    assert!(d.contains(other.as_str()));
    for gone in [&a, &b, &c] {
        assert!(
            !d.contains(gone.as_str()),
            "{gone} was removed with its ancestor"
        );
    }
    assert!(!d.contains("") && !d.contains("no such node"));
    assert!(matches!(
        d.remove_node(a.as_str()),
        Err(SceneError::UnknownNode(_))
    ));
}

#[test]
fn concurrent_reparenting_cycle_resolves_the_same_everywhere() {
    let mut p1 = SceneDoc::with_client_id(1);
    let a = p1.add_sphere([1.0, 0.0, 0.0], 1.0).unwrap();
    let b = p1.add_sphere([0.0, 1.0, 0.0], 1.0).unwrap();
    let mut p2 = SceneDoc::with_client_id(2);
    p2.apply_update_v1(&p1.encode_state_v1()).unwrap();
    // Concurrently: p1 puts a under b, p2 puts b under a.
    p1.set_parent(a.as_str(), Some(b.as_str())).unwrap();
    p2.set_parent(b.as_str(), Some(a.as_str())).unwrap();
    p1.apply_update_v1(&p2.encode_state_v1()).unwrap();
    p2.apply_update_v1(&p1.encode_state_v1()).unwrap();
    assert_eq!(p1.snapshot(), p2.snapshot());
    // The smallest id of the cycle is the root.
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    assert_eq!(p1.node(lo.as_str()).unwrap().parent, None);
    assert_eq!(p1.node(hi.as_str()).unwrap().parent, Some(lo.clone()));
    assert!(p1.world_from_parent(hi.as_str()).is_finite());
    // Removing the root of the resolved tree removes the other, not vice versa.
    p1.remove_node(hi.as_str()).unwrap();
    assert_eq!(p1.node_ids(), vec![lo]);
}

#[test]
fn dangling_parent_reads_as_root() {
    let mut p1 = SceneDoc::with_client_id(1);
    let a = p1.add_sphere([0.0; 3], 1.0).unwrap();
    let b = p1.add_sphere([0.0; 3], 1.0).unwrap();
    let mut p2 = SceneDoc::with_client_id(2);
    p2.apply_update_v1(&p1.encode_state_v1()).unwrap();
    p1.remove_node(a.as_str()).unwrap();
    p2.set_parent(b.as_str(), Some(a.as_str())).unwrap();
    p1.apply_update_v1(&p2.encode_state_v1()).unwrap();
    p2.apply_update_v1(&p1.encode_state_v1()).unwrap();
    assert_eq!(p1.snapshot(), p2.snapshot());
    assert_eq!(p1.node(b.as_str()).unwrap().parent, None);
}

#[test]
fn ids_are_unique_across_peers() {
    let mut p1 = SceneDoc::with_client_id(1);
    let mut p2 = SceneDoc::with_client_id(2);
    let a = p1.add_sphere([0.0; 3], 1.0).unwrap();
    let b = p2.add_sphere([0.0; 3], 1.0).unwrap();
    assert_ne!(a, b);
    // A replica that reuses a client id skips ids already in the document.
    let mut p3 = SceneDoc::with_client_id(1);
    p3.apply_update_v1(&p1.encode_state_v1()).unwrap();
    let c = p3.add_sphere([0.0; 3], 1.0).unwrap();
    assert_ne!(a, c);
}

#[test]
fn random_client_ids_fit_in_53_bits() {
    let d = SceneDoc::new();
    assert!(d.client_id() < (1 << 53));
    assert_eq!(
        SceneDoc::with_client_id(u64::MAX).client_id(),
        (1 << 53) - 1
    );
}
