//! The renderer's asset caches: meshes (built-in and imported), surfaces and textures on the GPU, the
//! draw groups that use them, and the list of assets it still needs from whoever feeds it.
//!
//! Contract:
//! - A node is drawn by its [`DrawKey`] group (mesh × surface): every node of a group is one instance
//!   of one instanced draw.
//! - A group whose mesh or surface has not been supplied is kept but not drawn; the missing assets
//!   are announced once each by [`Renderer::take_wanted_assets`]. Textures a surface samples are
//!   wanted when the surface arrives; until they do it samples white.
//! - When the last node of a group leaves, the group goes; an asset no group uses any more is
//!   released (its GPU memory freed), and wanted again if a node needs it later.

use std::collections::{BTreeMap, HashMap, HashSet};

use app_core::{AssetId, MeshAsset, Shape, ShapeKind, Surface};

use super::Renderer;
use crate::instances::InstanceSet;
use crate::mesh::{GpuMesh, builtin_gpu_mesh};
use crate::surface::{GpuSurface, GpuTexture, SurfaceKit, texture_keys};

/// Which mesh a group draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeshKey {
    /// A built-in shape's unit mesh.
    Builtin(ShapeKind),
    /// An imported mesh asset.
    Asset(AssetId),
}

/// A draw group: the nodes drawn with one mesh and one surface (`None`: the default surface).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DrawKey {
    /// The mesh.
    pub mesh: MeshKey,
    /// The surface.
    pub surface: Option<AssetId>,
}

impl DrawKey {
    /// The group drawing `shape`, or `None` for a group node (nothing drawn).
    pub fn of(shape: &Shape) -> Option<Self> {
        match *shape {
            Shape::Sphere { .. } | Shape::Box { .. } | Shape::Plane { .. } => Some(Self {
                mesh: MeshKey::Builtin(shape.kind()),
                surface: None,
            }),
            Shape::Mesh { mesh, surface } => Some(Self {
                mesh: MeshKey::Asset(mesh),
                surface,
            }),
            Shape::Group => None,
        }
    }
}

/// The draw groups in a fixed order (so frames are reproducible).
pub(crate) type Groups = BTreeMap<DrawKey, InstanceSet>;

/// GPU copies of the assets in use.
pub(crate) struct Assets {
    builtin: Vec<(ShapeKind, GpuMesh)>,
    meshes: HashMap<AssetId, GpuMesh>,
    surfaces: HashMap<AssetId, GpuSurface>,
    default_surface: GpuSurface,
    textures: HashMap<(AssetId, bool), GpuTexture>,
    pub kit: SurfaceKit,
    /// Announced and not supplied yet.
    requested: HashSet<AssetId>,
    /// To announce.
    wanted: Vec<AssetId>,
    /// Bumped whenever an asset arrives or leaves (part of the frame key).
    pub version: u64,
}

impl Assets {
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue) -> Self {
        let mut kit = SurfaceKit::new(device, queue);
        let default_surface =
            GpuSurface::new(device, &mut kit, Surface::default(), &HashMap::new());
        Self {
            builtin: ShapeKind::BUILT_IN
                .into_iter()
                .map(|kind| (kind, builtin_gpu_mesh(device, kind)))
                .collect(),
            meshes: HashMap::new(),
            surfaces: HashMap::new(),
            default_surface,
            textures: HashMap::new(),
            kit,
            requested: HashSet::new(),
            wanted: Vec::new(),
            version: 0,
        }
    }

    /// The mesh of `key`, if supplied.
    pub fn mesh(&self, key: MeshKey) -> Option<&GpuMesh> {
        match key {
            MeshKey::Builtin(kind) => self
                .builtin
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, m)| m),
            MeshKey::Asset(id) => self.meshes.get(&id),
        }
    }

    /// The surface of a group, if supplied (`None` is the default surface, always there).
    pub fn surface(&self, id: Option<AssetId>) -> Option<&GpuSurface> {
        match id {
            None => Some(&self.default_surface),
            Some(id) => self.surfaces.get(&id),
        }
    }

    fn want(&mut self, id: AssetId) {
        if self.requested.insert(id) {
            self.wanted.push(id);
        }
    }

    /// Announces what a new group needs.
    pub fn note_group(&mut self, key: &DrawKey) {
        if let MeshKey::Asset(id) = key.mesh
            && !self.meshes.contains_key(&id)
        {
            self.want(id);
        }
        if let Some(id) = key.surface
            && !self.surfaces.contains_key(&id)
        {
            self.want(id);
        }
    }

    /// Releases what no group uses: meshes and surfaces not named by a group, textures not sampled
    /// by a remaining surface. O(groups + assets), run when a group goes.
    pub fn release_unused(&mut self, groups: &Groups) {
        let used_meshes: HashSet<AssetId> = groups
            .keys()
            .filter_map(|k| match k.mesh {
                MeshKey::Asset(id) => Some(id),
                MeshKey::Builtin(_) => None,
            })
            .collect();
        let used_surfaces: HashSet<AssetId> = groups.keys().filter_map(|k| k.surface).collect();
        let before = self.meshes.len() + self.surfaces.len() + self.textures.len();
        self.meshes.retain(|id, _| used_meshes.contains(id));
        self.surfaces.retain(|id, _| used_surfaces.contains(id));
        let sampled: HashSet<(AssetId, bool)> = self
            .surfaces
            .values()
            .flat_map(|s| texture_keys(&s.surface).collect::<Vec<_>>())
            .collect();
        self.textures.retain(|key, _| sampled.contains(key));
        if self.meshes.len() + self.surfaces.len() + self.textures.len() != before {
            self.version += 1;
        }
    }
}

impl Renderer {
    /// Asset ids a drawn node needs that have not been supplied, each announced once (again after
    /// it was released and is needed anew). Supply each with [`Renderer::insert_mesh`],
    /// [`Renderer::insert_surface`] or [`Renderer::insert_image`].
    pub fn take_wanted_assets(&mut self) -> Vec<AssetId> {
        std::mem::take(&mut self.assets.wanted)
    }

    /// Supplies a mesh asset (validated by its decoder). Ignored unless a group uses it.
    pub fn insert_mesh(&mut self, id: AssetId, mesh: &MeshAsset) {
        let assets = &mut self.assets;
        assets.requested.remove(&id);
        let used = self.groups.keys().any(|k| k.mesh == MeshKey::Asset(id));
        if used && !assets.meshes.contains_key(&id) {
            let gpu_mesh = GpuMesh::new(&self.gpu.device, mesh, "mesh asset", true);
            assets.meshes.insert(id, gpu_mesh);
            assets.version += 1;
            self.shadow.dirty = true;
            self.refit_bounds();
        }
    }

    /// Supplies a surface asset; the textures it samples become wanted. Ignored unless a group uses it.
    pub fn insert_surface(&mut self, id: AssetId, surface: Surface) {
        let assets = &mut self.assets;
        assets.requested.remove(&id);
        let used = self.groups.keys().any(|k| k.surface == Some(id));
        if !used || assets.surfaces.contains_key(&id) {
            return;
        }
        for (image, srgb) in texture_keys(&surface).collect::<Vec<_>>() {
            if !assets.textures.contains_key(&(image, srgb)) {
                assets.want(image);
            }
        }
        let gpu = GpuSurface::new(&self.gpu.device, &mut assets.kit, surface, &assets.textures);
        assets.surfaces.insert(id, gpu);
        assets.version += 1;
        self.shadow.dirty = true;
    }

    /// Supplies a decoded image (`width`×`height` RGBA8, straight alpha, rows top to bottom) and
    /// rebuilds the surfaces sampling it. Ignored unless a surface samples it, or when the pixel
    /// count does not match the size.
    pub fn insert_image(&mut self, id: AssetId, width: u32, height: u32, rgba: &[u8]) {
        let assets = &mut self.assets;
        assets.requested.remove(&id);
        let max = self.gpu.device.limits().max_texture_dimension_2d;
        let size_ok = width > 0
            && height > 0
            && width <= max
            && height <= max
            && (width as usize) * (height as usize) * 4 == rgba.len();
        let variants: HashSet<(AssetId, bool)> = assets
            .surfaces
            .values()
            .flat_map(|s| texture_keys(&s.surface).collect::<Vec<_>>())
            .filter(|(image, _)| *image == id)
            .collect();
        if !size_ok || variants.is_empty() {
            return;
        }
        for key in variants {
            assets.textures.entry(key).or_insert_with(|| {
                GpuTexture::new(
                    &self.gpu.device,
                    &self.gpu.queue,
                    (width, height, rgba),
                    key.1,
                )
            });
        }
        let stale: Vec<AssetId> = assets
            .surfaces
            .iter()
            .filter(|(_, s)| !s.complete && texture_keys(&s.surface).any(|(image, _)| image == id))
            .map(|(sid, _)| *sid)
            .collect();
        for sid in stale {
            if let Some(old) = assets.surfaces.remove(&sid) {
                let gpu = GpuSurface::new(
                    &self.gpu.device,
                    &mut assets.kit,
                    old.surface,
                    &assets.textures,
                );
                assets.surfaces.insert(sid, gpu);
            }
        }
        assets.version += 1;
    }

    /// How many meshes, surfaces and textures are on the GPU now (built-ins and the default surface
    /// not counted): what tests check to see assets released.
    pub fn asset_counts(&self) -> (usize, usize, usize) {
        let a = &self.assets;
        (a.meshes.len(), a.surfaces.len(), a.textures.len())
    }
}
