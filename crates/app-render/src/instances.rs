//! Per-mesh instance buffers, kept compact and updated incrementally.
//!
//! Each [`ShapeKind`](app_core::ShapeKind) has one [`InstanceSet`]: a dense CPU array of [`InstanceRaw`]
//! mirrored in one GPU vertex buffer. Removing a node moves the last instance into its slot (swap-remove),
//! so the buffer stays compact and one draw call covers the whole set. Writes are tracked as a dirty slot
//! range, so a frame with no changes uploads nothing and a one-node change uploads one instance.

use std::collections::HashMap;
use std::ops::Range;

use app_core::{Material, NodeId};
use bytemuck::{Pod, Zeroable};
use glam::{Mat4, Vec3};

/// Per-instance vertex data (locations 2..=5 and 9..=12 in `scene.wgsl`), 128 bytes. Vertex buffers
/// rather than storage buffers, so WebGL2 draws it too (13 of WebGL2's 16 vertex attributes are used,
/// mesh attributes included). Normals need no matrix of their own: the vertex shader derives it from
/// `world_from_mesh` (its cofactor), which keeps instances small (each attribute costs WebGL2 four
/// calls per draw) and an edit's upload short.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub struct InstanceRaw {
    world_from_mesh: [[f32; 4]; 4],
    base_color_metallic: [f32; 4],
    emissive_roughness: [f32; 4],
    /// rgb: the node's `object_id` color; a: unused.
    object_color: [f32; 4],
    /// rgb: the highlight color (local selection, or a peer's selection in that peer's color);
    /// a: 1 when highlighted, else 0.
    highlight: [f32; 4],
}

impl InstanceRaw {
    /// Packs a node's world matrix, material, object color and highlight (`None`: not highlighted).
    pub fn new(
        world_from_mesh: Mat4,
        material: &Material,
        object_color: Vec3,
        highlight: Option<Vec3>,
    ) -> Self {
        Self {
            world_from_mesh: world_from_mesh.to_cols_array_2d(),
            base_color_metallic: material.base_color.extend(material.metallic).to_array(),
            emissive_roughness: material.emissive.extend(material.roughness).to_array(),
            object_color: object_color.extend(0.0).to_array(),
            highlight: highlight_raw(highlight),
        }
    }

    /// The matrix placing the mesh in the world.
    pub fn world_from_mesh(&self) -> Mat4 {
        Mat4::from_cols_array_2d(&self.world_from_mesh)
    }

    /// The vertex layout matching `scene.wgsl`'s instance attributes.
    pub const LAYOUT: wgpu::VertexBufferLayout<'static> = wgpu::VertexBufferLayout {
        array_stride: std::mem::size_of::<InstanceRaw>() as wgpu::BufferAddress,
        step_mode: wgpu::VertexStepMode::Instance,
        attributes: &wgpu::vertex_attr_array![
            2 => Float32x4, 3 => Float32x4, 4 => Float32x4, 5 => Float32x4,
            9 => Float32x4, 10 => Float32x4, 11 => Float32x4, 12 => Float32x4,
        ],
    };
}

fn highlight_raw(highlight: Option<Vec3>) -> [f32; 4] {
    highlight.map_or([0.0; 4], |color| color.extend(1.0).to_array())
}

/// The instances of one mesh: a dense array, its id ↔ slot maps and its GPU buffer.
#[derive(Default)]
pub struct InstanceSet {
    raw: Vec<InstanceRaw>,
    id_of_slot: Vec<NodeId>,
    slot_of_id: HashMap<NodeId, usize>,
    /// Slots written since the last upload.
    dirty: Option<Range<usize>>,
    buffer: Option<wgpu::Buffer>,
    /// Instances the GPU buffer can hold.
    capacity: usize,
    /// Bumped on every change to the instances (never reset), so a frame can tell cheaply whether what
    /// it would draw differs from what was drawn last.
    version: u64,
    /// A back-to-front copy for blended surfaces (see [`InstanceSet::upload_sorted`]).
    sorted: Sorted,
}

/// The instances of a blended group in drawing order, farthest from the eye first, and what that order
/// was computed for (the eye's bits and the set's version), so an unchanged view sorts nothing.
#[derive(Default)]
struct Sorted {
    buffer: Option<wgpu::Buffer>,
    capacity: usize,
    key: Option<([u32; 3], u64)>,
}

/// Slots of `raw` ordered by the distance of each instance's origin from `eye`, farthest first (ties
/// by slot, so the order is stable).
pub fn back_to_front(raw: &[InstanceRaw], eye: Vec3) -> Vec<usize> {
    let distance = |i: usize| (raw[i].world_from_mesh().w_axis.truncate() - eye).length_squared();
    let mut order: Vec<usize> = (0..raw.len()).collect();
    order.sort_by(|&a, &b| distance(b).total_cmp(&distance(a)).then(a.cmp(&b)));
    order
}

impl InstanceSet {
    /// Number of instances.
    pub fn len(&self) -> u32 {
        self.raw.len() as u32
    }

    /// Inserts or overwrites `id`'s instance. Writing an identical value marks nothing dirty.
    pub fn upsert(&mut self, id: &NodeId, instance: InstanceRaw) {
        let slot = match self.slot_of_id.get(id) {
            Some(&slot) => {
                if self.raw[slot] == instance {
                    return;
                }
                self.raw[slot] = instance;
                slot
            }
            None => {
                let slot = self.raw.len();
                self.raw.push(instance);
                self.id_of_slot.push(id.clone());
                self.slot_of_id.insert(id.clone(), slot);
                slot
            }
        };
        self.mark_dirty(slot);
    }

    /// Removes `id`'s instance, moving the last instance into its slot. Returns false if absent.
    pub fn remove(&mut self, id: &NodeId) -> bool {
        let Some(slot) = self.slot_of_id.remove(id) else {
            return false;
        };
        let last = self.raw.len() - 1;
        self.raw.swap_remove(slot);
        self.id_of_slot.swap_remove(slot);
        if slot != last {
            // The moved instance now lives in `slot`; its GPU copy must follow.
            self.slot_of_id.insert(self.id_of_slot[slot].clone(), slot);
            self.mark_dirty(slot);
        }
        // Removing the last slot marks nothing dirty, but what is drawn changed.
        self.version += 1;
        if let Some(dirty) = &mut self.dirty {
            // Slots past the end no longer exist and need no upload.
            dirty.end = dirty.end.min(self.raw.len());
            if dirty.start >= dirty.end {
                self.dirty = None;
            }
        }
        true
    }

    /// Sets or clears `id`'s highlight; false if `id` has no instance here. Writing the same value
    /// marks nothing dirty.
    pub fn set_highlight(&mut self, id: &NodeId, highlight: Option<Vec3>) -> bool {
        let Some(&slot) = self.slot_of_id.get(id) else {
            return false;
        };
        let raw = highlight_raw(highlight);
        if self.raw[slot].highlight != raw {
            self.raw[slot].highlight = raw;
            self.mark_dirty(slot);
        }
        true
    }

    /// Every instance with its node id.
    pub fn iter(&self) -> impl Iterator<Item = (&NodeId, &InstanceRaw)> {
        self.id_of_slot.iter().zip(&self.raw)
    }

    /// A number that changes whenever the instances change (see [`crate::Renderer::frame_key`]).
    pub fn version(&self) -> u64 {
        self.version
    }

    fn mark_dirty(&mut self, slot: usize) {
        self.version += 1;
        self.dirty = Some(match self.dirty.take() {
            Some(range) => range.start.min(slot)..range.end.max(slot + 1),
            None => slot..slot + 1,
        });
    }

    /// Brings the GPU buffer up to date; returns the bytes written. Grows the buffer by doubling (and then
    /// writes every instance), otherwise writes only the dirty slot range.
    pub fn upload(&mut self, device: &wgpu::Device, queue: &wgpu::Queue) -> u64 {
        let stride = std::mem::size_of::<InstanceRaw>();
        if self.raw.len() > self.capacity || self.buffer.is_none() {
            self.capacity = self.raw.len().next_power_of_two().max(16);
            self.buffer = Some(device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("instances"),
                size: (self.capacity * stride) as wgpu::BufferAddress,
                usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }));
            self.dirty = if self.raw.is_empty() {
                None
            } else {
                Some(0..self.raw.len())
            };
        }
        let (Some(buffer), Some(range)) = (&self.buffer, self.dirty.take()) else {
            return 0;
        };
        let bytes: &[u8] = bytemuck::cast_slice(&self.raw[range.clone()]);
        queue.write_buffer(buffer, (range.start * stride) as wgpu::BufferAddress, bytes);
        bytes.len() as u64
    }

    /// The GPU buffer, once uploaded.
    pub fn buffer(&self) -> Option<&wgpu::Buffer> {
        self.buffer.as_ref()
    }

    /// For a blended group: writes the instances farthest from `eye` first into a second buffer
    /// (blending "over" needs what is behind drawn first), unless neither the eye nor the instances
    /// changed since the last sort. Returns the bytes written. O(n log n) in the group's instances, so
    /// only blended groups pay it, and only on frames where the view or they changed.
    pub fn upload_sorted(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, eye: Vec3) -> u64 {
        let key = (eye.to_array().map(f32::to_bits), self.version);
        if self.sorted.key == Some(key) || self.raw.is_empty() {
            return 0;
        }
        let sorted: Vec<InstanceRaw> = back_to_front(&self.raw, eye)
            .into_iter()
            .map(|slot| self.raw[slot])
            .collect();
        let stride = std::mem::size_of::<InstanceRaw>();
        if self.sorted.buffer.is_none() || self.sorted.capacity < sorted.len() {
            self.sorted.capacity = sorted.len().next_power_of_two().max(16);
            self.sorted.buffer = Some(device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("sorted instances"),
                size: (self.sorted.capacity * stride) as wgpu::BufferAddress,
                usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }));
        }
        let Some(buffer) = &self.sorted.buffer else {
            return 0;
        };
        let bytes: &[u8] = bytemuck::cast_slice(&sorted);
        queue.write_buffer(buffer, 0, bytes);
        self.sorted.key = Some(key);
        bytes.len() as u64
    }

    /// The back-to-front buffer written by [`InstanceSet::upload_sorted`], if any.
    pub fn sorted_buffer(&self) -> Option<&wgpu::Buffer> {
        self.sorted.buffer.as_ref()
    }

    /// The slots waiting for upload.
    #[cfg(test)]
    fn dirty(&self) -> Option<Range<usize>> {
        self.dirty.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> NodeId {
        NodeId::new(s).unwrap()
    }

    fn instance(x: f32) -> InstanceRaw {
        InstanceRaw::new(
            Mat4::from_translation(Vec3::X * x),
            &Material::default(),
            Vec3::ONE,
            None,
        )
    }

    #[test]
    fn upsert_marks_only_the_written_slot() {
        let mut set = InstanceSet::default();
        for i in 0..10 {
            set.upsert(&id(&format!("n{i}")), instance(i as f32));
        }
        assert_eq!(set.dirty(), Some(0..10));
        set.dirty = None;
        set.upsert(&id("n4"), instance(40.0));
        assert_eq!(set.dirty(), Some(4..5));
        set.dirty = None;
        set.upsert(&id("n4"), instance(40.0));
        assert_eq!(set.dirty(), None, "an identical value writes nothing");
    }

    #[test]
    fn remove_swaps_the_last_instance_in_and_stays_compact() {
        let mut set = InstanceSet::default();
        for i in 0..5 {
            set.upsert(&id(&format!("n{i}")), instance(i as f32));
        }
        set.dirty = None;
        assert!(set.remove(&id("n1")));
        assert!(!set.remove(&id("n1")));
        assert_eq!(set.len(), 4);
        assert_eq!(
            set.raw[1],
            instance(4.0),
            "last instance moved into the hole"
        );
        assert_eq!(set.slot_of_id[&id("n4")], 1);
        assert_eq!(set.dirty(), Some(1..2));
        assert!(set.remove(&id("n4")));
        assert!(set.remove(&id("n3")));
        assert_eq!(set.len(), 2);
        assert_eq!(
            set.dirty(),
            Some(1..2),
            "each removal moved another instance into slot 1"
        );
        set.dirty = None;
        assert!(set.remove(&id("n2")));
        assert_eq!(
            set.dirty(),
            None,
            "removing the last slot leaves nothing to upload"
        );
        for (slot, node) in set.id_of_slot.iter().enumerate() {
            assert_eq!(set.slot_of_id[node], slot);
        }
    }

    #[test]
    fn blended_instances_are_ordered_farthest_first() {
        let raw: Vec<InstanceRaw> = [2.0, -7.0, 5.0, 0.5].map(instance).to_vec();
        let eye = Vec3::new(10.0, 0.0, 0.0);
        // Distances from x = 10: 8, 17, 5, 9.5.
        assert_eq!(back_to_front(&raw, eye), vec![1, 3, 0, 2]);
        assert_eq!(back_to_front(&raw, -eye), vec![2, 0, 3, 1]);
    }

    #[test]
    fn highlighting_rewrites_one_slot_and_only_when_it_changes() {
        let mut set = InstanceSet::default();
        for i in 0..5 {
            set.upsert(&id(&format!("n{i}")), instance(i as f32));
        }
        set.dirty = None;
        assert!(set.set_highlight(&id("n3"), Some(Vec3::X)));
        assert_eq!(set.dirty(), Some(3..4));
        set.dirty = None;
        assert!(set.set_highlight(&id("n3"), Some(Vec3::X)));
        assert_eq!(set.dirty(), None);
        assert!(!set.set_highlight(&id("missing"), Some(Vec3::X)));
    }
}
