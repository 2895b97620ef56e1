//! A bounding-volume hierarchy over a mesh's triangles, built once per mesh, so picking a mesh costs
//! O(log triangles) per instance instead of a pass over every triangle. [`LazyBvh`] builds it at the
//! first pick rather than at upload, so a model's first frame does not wait for it.
//!
//! Built top-down by splitting each node's triangles at the median centroid of its longest axis; a
//! leaf holds at most [`LEAF_SIZE`] triangles. Ray tests use Möller–Trumbore, both faces (a click
//! on a back face still hits what is drawn there when the surface is double-sided; a single-sided
//! back face is never the nearest visible hit on a closed mesh).

use std::sync::{Mutex, OnceLock};

use glam::Vec3;

use crate::pick::Ray;

const LEAF_SIZE: usize = 4;

#[derive(Debug, Clone, Copy)]
struct Node {
    min: Vec3,
    max: Vec3,
    /// Leaf: first triangle in `order` and count; inner: left child index (right is `left + 1`),
    /// count 0.
    start: u32,
    count: u32,
}

/// Triangles and the hierarchy over them, in mesh space.
#[derive(Debug, Default)]
pub struct Bvh {
    triangles: Vec<[Vec3; 3]>,
    order: Vec<u32>,
    nodes: Vec<Node>,
}

impl Bvh {
    /// Builds the hierarchy over `indices` (three per triangle; indices already checked against
    /// `positions`, and any that are not are skipped).
    pub fn new(positions: &[[f32; 3]], indices: &[u32]) -> Self {
        let triangles: Vec<[Vec3; 3]> = indices
            .chunks_exact(3)
            .filter_map(|t| {
                let p = |i: u32| positions.get(i as usize).map(|p| Vec3::from(*p));
                Some([p(t[0])?, p(t[1])?, p(t[2])?])
            })
            .collect();
        let mut bvh = Self {
            order: (0..triangles.len() as u32).collect(),
            triangles,
            nodes: Vec::new(),
        };
        if !bvh.triangles.is_empty() {
            bvh.nodes.push(bvh.leaf(0, bvh.triangles.len()));
            bvh.split(0);
        }
        bvh
    }

    fn leaf(&self, start: usize, count: usize) -> Node {
        let (mut min, mut max) = (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY));
        for &t in &self.order[start..start + count] {
            for p in self.triangles[t as usize] {
                min = min.min(p);
                max = max.max(p);
            }
        }
        Node {
            min,
            max,
            start: start as u32,
            count: count as u32,
        }
    }

    /// Splits node `at` (a leaf) while it holds more than [`LEAF_SIZE`] triangles. Iterative, so a
    /// degenerate mesh cannot overflow the stack.
    fn split(&mut self, at: usize) {
        let mut stack = vec![at];
        while let Some(at) = stack.pop() {
            let node = self.nodes[at];
            let (start, count) = (node.start as usize, node.count as usize);
            if count <= LEAF_SIZE {
                continue;
            }
            let axis = (node.max - node.min).max_position();
            let triangles = &self.triangles;
            let centroid = |t: &u32| {
                let [a, b, c] = triangles[*t as usize];
                (a + b + c)[axis]
            };
            let half = count / 2;
            self.order[start..start + count]
                .select_nth_unstable_by(half, |a, b| centroid(a).total_cmp(&centroid(b)));
            let left = self.nodes.len();
            self.nodes.push(self.leaf(start, half));
            self.nodes.push(self.leaf(start + half, count - half));
            self.nodes[at] = Node {
                start: left as u32,
                count: 0,
                ..node
            };
            stack.push(left);
            stack.push(left + 1);
        }
    }

    /// Number of triangles.
    #[cfg(test)]
    pub fn triangle_count(&self) -> usize {
        self.triangles.len()
    }

    /// The parameter of the nearest hit of `ray` (mesh space) with a triangle, if any.
    pub fn intersect(&self, ray: &Ray) -> Option<f32> {
        let mut nearest: Option<f32> = None;
        let mut stack = Vec::with_capacity(64);
        if !self.nodes.is_empty() {
            stack.push(0usize);
        }
        let inv = ray.direction.recip();
        while let Some(at) = stack.pop() {
            let node = self.nodes[at];
            let Some(t_box) = slab(node.min, node.max, ray.origin, inv) else {
                continue;
            };
            if nearest.is_some_and(|best| t_box > best) {
                continue;
            }
            if node.count == 0 {
                stack.push(node.start as usize);
                stack.push(node.start as usize + 1);
                continue;
            }
            let range = node.start as usize..(node.start + node.count) as usize;
            for &t in &self.order[range] {
                if let Some(hit) = triangle(self.triangles[t as usize], ray)
                    && nearest.is_none_or(|best| hit < best)
                {
                    nearest = Some(hit);
                }
            }
        }
        nearest
    }
}

/// Entry parameter of the ray into the box (0 when inside), or `None` if it misses or the box is
/// behind.
fn slab(min: Vec3, max: Vec3, origin: Vec3, inv_direction: Vec3) -> Option<f32> {
    let a = (min - origin) * inv_direction;
    let b = (max - origin) * inv_direction;
    // NaN (0 × ∞ on a ray parallel to a face through its plane) is ignored by min/max.
    let near = a.min(b).max_element().max(0.0);
    let far = a.max(b).min_element();
    (near <= far).then_some(near)
}

/// Möller–Trumbore, both faces.
fn triangle([a, b, c]: [Vec3; 3], ray: &Ray) -> Option<f32> {
    let (e1, e2) = (b - a, c - a);
    let p = ray.direction.cross(e2);
    let det = e1.dot(p);
    if det.abs() < 1e-12 {
        return None;
    }
    let inv = 1.0 / det;
    let s = ray.origin - a;
    let u = s.dot(p) * inv;
    if !(0.0..=1.0).contains(&u) {
        return None;
    }
    let q = s.cross(e1);
    let v = ray.direction.dot(q) * inv;
    if v < 0.0 || u + v > 1.0 {
        return None;
    }
    let t = e2.dot(q) * inv;
    (t >= 0.0 && t.is_finite()).then_some(t)
}

/// A mesh's positions and its indices, three per triangle.
type MeshTriangles = (Vec<[f32; 3]>, Vec<u32>);

/// A [`Bvh`] built on first use. Building one was the largest part of uploading a big mesh (the glTF
/// bench's generated 500,000-triangle model: about 0.35 s of a 0.9 s import in a CPU profile of the
/// browser, 2026-12-07), and only picking needs it; until then this holds the mesh's positions and indices (less memory than the
/// hierarchy's own triangle copy).
#[derive(Debug)]
pub struct LazyBvh {
    source: Mutex<Option<MeshTriangles>>,
    built: OnceLock<Bvh>,
}

impl LazyBvh {
    /// Keeps `positions` and `indices` (as for [`Bvh::new`]) until the first [`LazyBvh::get`].
    pub fn new(positions: Vec<[f32; 3]>, indices: Vec<u32>) -> Self {
        Self {
            source: Mutex::new(Some((positions, indices))),
            built: OnceLock::new(),
        }
    }

    /// The hierarchy, built now if this is the first call.
    pub fn get(&self) -> &Bvh {
        self.built.get_or_init(|| {
            // The lock is only taken here, once (`get_or_init` runs this at most once), and nothing
            // that can panic runs under it: a poisoned lock cannot happen; if it did, the mesh would
            // read as having no triangles (never picked) rather than fail.
            let source = self.source.lock().ok().and_then(|mut source| source.take());
            source.map_or_else(Bvh::default, |(positions, indices)| {
                Bvh::new(&positions, &indices)
            })
        })
    }

    /// Whether [`LazyBvh::get`] has built the hierarchy.
    #[cfg(test)]
    pub fn is_built(&self) -> bool {
        self.built.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grid of 2·n² triangles in the z = 0 plane over 0..n.
    fn grid(n: u32) -> (Vec<[f32; 3]>, Vec<u32>) {
        let mut positions = Vec::new();
        for y in 0..=n {
            for x in 0..=n {
                positions.push([x as f32, y as f32, 0.0]);
            }
        }
        let mut indices = Vec::new();
        for y in 0..n {
            for x in 0..n {
                let a = y * (n + 1) + x;
                indices.extend_from_slice(&[a, a + 1, a + n + 2, a, a + n + 2, a + n + 1]);
            }
        }
        (positions, indices)
    }

    #[test]
    fn finds_the_same_hits_as_testing_every_triangle() {
        let (positions, indices) = grid(20);
        let bvh = Bvh::new(&positions, &indices);
        assert_eq!(bvh.triangle_count(), 800);
        for (x, y, hit) in [
            (3.3, 7.7, true),
            (19.9, 0.1, true),
            (-0.5, 3.0, false),
            (25.0, 1.0, false),
        ] {
            let ray = Ray {
                origin: Vec3::new(x, y, 5.0),
                direction: Vec3::new(0.0, 0.0, -2.0),
            };
            let brute = bvh
                .triangles
                .iter()
                .filter_map(|t| triangle(*t, &ray))
                .reduce(f32::min);
            assert_eq!(bvh.intersect(&ray), brute, "({x}, {y})");
            assert_eq!(brute.is_some(), hit);
            if hit {
                assert!((bvh.intersect(&ray).unwrap() - 2.5).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn a_lazy_hierarchy_is_built_at_the_first_pick_and_finds_the_same_hits() {
        let (positions, indices) = grid(20);
        let eager = Bvh::new(&positions, &indices);
        let lazy = LazyBvh::new(positions, indices);
        assert!(!lazy.is_built());
        for (x, y) in [(3.3, 7.7), (19.9, 0.1), (-0.5, 3.0)] {
            let ray = Ray {
                origin: Vec3::new(x, y, 5.0),
                direction: Vec3::new(0.0, 0.0, -2.0),
            };
            assert_eq!(lazy.get().intersect(&ray), eager.intersect(&ray));
        }
        assert!(lazy.is_built());
        assert_eq!(lazy.get().triangle_count(), 800);
    }

    #[test]
    fn an_empty_or_degenerate_mesh_is_never_hit() {
        let ray = Ray {
            origin: Vec3::Z,
            direction: Vec3::NEG_Z,
        };
        assert_eq!(Bvh::new(&[], &[]).intersect(&ray), None);
        let flat = Bvh::new(&[[0.0; 3]; 3], &[0, 1, 2, 0, 1, 2]);
        assert_eq!(flat.intersect(&ray), None);
    }
}
