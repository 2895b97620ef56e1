//! Scene changes: what `app-scene` hands out after edits (local or remote) and `app-render` applies.

use glam::Vec3;

use crate::{AssetId, DirectionalLight, Node, NodeId};

/// Which fields of a node an update touched, so consumers can skip work (a color change needs no new
/// transform upload). A plain bit set; combine with `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct NodeFields(u16);

impl NodeFields {
    /// No field.
    pub const NONE: Self = Self(0);
    /// `name`.
    pub const NAME: Self = Self(1 << 0);
    /// `parent` and order key.
    pub const PLACEMENT: Self = Self(1 << 1);
    /// `transform`.
    pub const TRANSFORM: Self = Self(1 << 2);
    /// Shape parameters (radius, extents, size).
    pub const SHAPE: Self = Self(1 << 3);
    /// `material`.
    pub const MATERIAL: Self = Self(1 << 4);
    /// `visible`.
    pub const VISIBLE: Self = Self(1 << 5);
    /// Every field.
    pub const ALL: Self = Self(0b11_1111);

    /// True if every bit of `other` is set here.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if any bit of `other` is set here.
    pub fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// True if no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for NodeFields {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for NodeFields {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

/// One change to the scene since the last drain. Changes carry full node values (not diffs), so applying
/// the latest change for a node is always enough, whatever was missed before it.
#[derive(Debug, Clone, PartialEq)]
pub enum SceneChange {
    /// A node appeared (created locally or received from a peer).
    NodeAdded(Node),
    /// A node's `fields` changed; `node` is its whole new value.
    NodeUpdated {
        /// The node after the change.
        node: Node,
        /// Which fields changed.
        fields: NodeFields,
    },
    /// A node is gone.
    NodeRemoved(NodeId),
    /// The directional light changed.
    LightChanged(DirectionalLight),
    /// An asset arrived in the document (imported here or received from a peer). Nodes that use it
    /// may have been reported before it.
    AssetAdded(AssetId),
    /// The background (the clear radiance behind the scene, linear RGB, each 0..=1) may have
    /// changed: it is reported whenever the document's lights changed.
    BackgroundChanged(Vec3),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_sets_combine() {
        let mut f = NodeFields::TRANSFORM | NodeFields::SHAPE;
        assert!(f.contains(NodeFields::TRANSFORM));
        assert!(!f.contains(NodeFields::MATERIAL));
        assert!(f.intersects(NodeFields::SHAPE | NodeFields::NAME));
        f |= NodeFields::MATERIAL;
        assert!(f.contains(NodeFields::MATERIAL | NodeFields::SHAPE));
        assert!(NodeFields::NONE.is_empty());
        assert!(NodeFields::ALL.contains(f));
    }
}
