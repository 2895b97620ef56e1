//! Plain values shared by `app-scene` (which produces them from the Yrs document) and `app-render`
//! (which draws them). Neither of those crates knows the other; this crate is their only common language.
//!
//! Everything here is cheap, `Clone`, and free of I/O: ids, transforms, materials, shapes, nodes, lights,
//! scene changes, and the validation rules every edge of the engine applies before writing anything.

mod asset;
mod change;
mod id;
mod import;
mod light;
mod node;
mod validate;

pub use asset::{
    AlphaMode, AssetError, AssetId, Filter, ImageAsset, ImageFormat, MAX_IMAGE_SIDE, MAX_INDICES,
    MAX_VERTICES, MeshAsset, Sampler, Surface, TextureRef, UvTransform, Wrap,
};
pub use change::{NodeFields, SceneChange};
pub use glam;
pub use id::{IdError, NodeId};
pub use import::{ImportedNode, ImportedScene, MAX_IMPORT_BYTES};
pub use light::{DEFAULT_BACKGROUND, DirectionalLight};
pub use node::{Material, Node, Shape, ShapeKind, Transform};
pub use validate::{
    MAX_EMISSIVE, MIN_SIZE, ValueError, WORLD_LIMIT, check_coordinate, check_emissive,
    check_finite, check_non_negative, check_positive, check_size, check_unit,
};
