//! What to do with glTF JSON that gltf-json 1.4 refuses: fill in the two properties it requires
//! and glTF 2.0 does not, or say that the file is glTF 1.0 (by its `asset.version`).
//!
//! Contract:
//! - [`survey`] reads the text once, front to back, token by token with a stack of open containers
//!   (no recursion), and looks only at the root object, its `asset`, its scenes and its animation
//!   channels' targets. It never panics and never indexes out of bounds; on text that is not JSON
//!   its answer is harmless (the second reading reports the text's error).
//! - [`Survey::filled`] is the text with, just inside the brace of each object lacking one,
//!   `"nodes":[]` added to scenes (Blender writes its empty scenes as `{"name": "Scene.001"}`) and
//!   `"node":4294967295` to animation channel targets (`KHR_animation_pointer` channels, Blockbench's
//!   untargeted ones; glTF says such a channel is ignored, and animations are only counted). Nothing
//!   is removed and no line break is added, so line numbers in later errors stay true.
//! - Text manipulation instead of `serde_json::Value`: reading a `Root` from a `Value`, or writing a
//!   `Value` out again, compiles code the importer module otherwise does not have (gltf-json's whole
//!   schema a second time: about 190 KB of wasm).

use crate::error::excerpt;

/// What [`survey`] saw.
#[derive(Default)]
pub(crate) struct Survey<'t> {
    /// `asset.version`, as written (escapes left in).
    pub version: Option<&'t [u8]>,
    /// Where to add which member: (offset just after an object's `{`, the member, whether the object
    /// already has members).
    inserts: Vec<(usize, &'static str, bool)>,
}

impl Survey<'_> {
    /// Why the file is glTF 1.0, if it is: its `asset.version` (a file without one fails on the
    /// missing `asset`, as in three.js).
    pub fn gltf_1(&self) -> Option<String> {
        if let Some(version) = self.version {
            // Byte work only: number parsing and lossy decoding would grow the importer module.
            let major = version.split(|&b| b == b'.').next();
            let version = std::str::from_utf8(version).unwrap_or_default();
            return matches!(major, Some(b"0" | b"1"))
                .then(|| format!("asset.version is \"{}\"", excerpt(version, 20)));
        }
        None
    }

    /// `text` with the missing members added, or `None` when none is missing.
    pub fn filled(&self, text: &[u8]) -> Option<Vec<u8>> {
        if self.inserts.is_empty() {
            return None;
        }
        let extra: usize = self.inserts.iter().map(|(_, m, _)| m.len() + 1).sum();
        let mut out = Vec::with_capacity(text.len().saturating_add(extra));
        let mut from = 0;
        // Offsets were recorded front to back.
        for &(at, member, has_members) in &self.inserts {
            out.extend_from_slice(text.get(from..at)?);
            out.extend_from_slice(member.as_bytes());
            if has_members {
                out.push(b',');
            }
            from = at;
        }
        out.extend_from_slice(text.get(from..)?);
        Some(out)
    }
}

/// What a container is, by where it sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Asset,
    Scenes,
    /// A scene: must have `nodes`.
    Scene,
    Animations,
    Animation,
    Channels,
    Channel,
    /// A channel's target: must have `node`.
    Target,
    Other,
}

/// An open container.
struct Frame<'t> {
    role: Role,
    object: bool,
    /// Objects: the last key read.
    key: &'t [u8],
    /// Offset just after the opening bracket.
    open: usize,
    /// Objects: whether a member was read, and whether the watched one was.
    members: bool,
    found: bool,
}

/// Surveys glTF JSON `text` (see the module docs): one pass over its tokens with a stack of open
/// containers, no recursion.
pub(crate) fn survey(text: &[u8]) -> Survey<'_> {
    let mut found = Survey::default();
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut expect_key = false;
    let mut at = 0;
    while let Some(&byte) = text.get(at) {
        match byte {
            b'{' | b'[' => {
                let object = byte == b'{';
                let role = match stack.last() {
                    None if object => Role::Root,
                    None => Role::Other,
                    Some(parent) => match (parent.role, parent.key, object) {
                        (Role::Root, b"asset", true) => Role::Asset,
                        (Role::Root, b"scenes", false) => Role::Scenes,
                        (Role::Root, b"animations", false) => Role::Animations,
                        (Role::Scenes, _, true) => Role::Scene,
                        (Role::Animations, _, true) => Role::Animation,
                        (Role::Animation, b"channels", false) => Role::Channels,
                        (Role::Channels, _, true) => Role::Channel,
                        (Role::Channel, b"target", true) => Role::Target,
                        _ => Role::Other,
                    },
                };
                at += 1;
                stack.push(Frame {
                    role,
                    object,
                    key: b"",
                    open: at,
                    members: false,
                    found: false,
                });
                expect_key = object;
            }
            b'}' | b']' => {
                at += 1;
                if let Some(frame) = stack.pop() {
                    let member = match frame.role {
                        Role::Scene => "\"nodes\":[]",
                        Role::Target => "\"node\":4294967295",
                        _ => "",
                    };
                    if !member.is_empty() && !frame.found {
                        found.inserts.push((frame.open, member, frame.members));
                    }
                }
                expect_key = false;
            }
            b'"' => {
                let start = at + 1;
                at = start;
                loop {
                    match text.get(at) {
                        None => return found,
                        Some(b'\\') => at += 2,
                        Some(b'"') => break,
                        Some(_) => at += 1,
                    }
                }
                let string = text.get(start..at).unwrap_or_default();
                at += 1;
                match stack.last_mut() {
                    Some(frame) if expect_key && frame.object => {
                        frame.key = string;
                        frame.members = true;
                        frame.found |= match frame.role {
                            Role::Scene => string == b"nodes",
                            Role::Target => string == b"node",
                            _ => false,
                        };
                    }
                    Some(frame) if frame.role == Role::Asset && frame.key == b"version" => {
                        found.version = Some(string);
                    }
                    _ => {}
                }
                expect_key = false;
            }
            b',' => {
                at += 1;
                expect_key = stack.last().is_some_and(|f| f.object);
            }
            b':' | b' ' | b'\t' | b'\n' | b'\r' => at += 1,
            _ => {
                // A number or a literal (or not JSON): up to the next delimiter, at least one byte.
                at += 1;
                while !matches!(
                    text.get(at),
                    None | Some(b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"')
                        | Some(b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    at += 1;
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(text: &str) -> Option<String> {
        survey(text.as_bytes())
            .filled(text.as_bytes())
            .map(|t| String::from_utf8(t).unwrap())
    }

    #[test]
    fn fills_scene_nodes_and_channel_targets_in_place() {
        let text = r#"{"asset": {"version": "2.0"}, "scenes": [{}, {"name": "a"}, {"nodes": [0]}],
            "animations": [{"channels": [{"sampler": 0, "target": {"path": "pointer"}},
            {"target": {"node": 1, "path": "rotation"}}], "samplers": []}]}"#;
        let filled = fill(text).unwrap();
        assert_eq!(
            filled,
            r#"{"asset": {"version": "2.0"}, "scenes": [{"nodes":[]}, {"nodes":[],"name": "a"}, {"nodes": [0]}],
            "animations": [{"channels": [{"sampler": 0, "target": {"node":4294967295,"path": "pointer"}},
            {"target": {"node": 1, "path": "rotation"}}], "samplers": []}]}"#
        );
        assert_eq!(survey(text.as_bytes()).version, Some(b"2.0".as_slice()));
        assert_eq!(
            fill(r#"{"scenes": [{"nodes": []}], "x": [1, {"y": "}"}]}"#),
            None
        );
    }

    #[test]
    fn skips_what_it_does_not_look_at_and_survives_broken_text() {
        let text = r#"{"extras": {"scenes": [{}], "s": "\"{[", "n": [-1.5e3, true, null]},
            "scenes": [{"extras": {"nodes": 1}}]}"#;
        assert_eq!(
            fill(text).unwrap(),
            r#"{"extras": {"scenes": [{}], "s": "\"{[", "n": [-1.5e3, true, null]},
            "scenes": [{"nodes":[],"extras": {"nodes": 1}}]}"#
        );
        for broken in [
            "",
            "{",
            "{\"scenes\": [{}",
            "[{}]",
            "{\"a\" 1}",
            "{\"a\": }",
            "\"\\",
        ] {
            let _ = survey(broken.as_bytes());
        }
        // What was seen before the break still counts.
        assert!(fill(r#"{"scenes": [{}], "oops": "#).is_some());
    }

    #[test]
    fn tells_gltf_1_apart() {
        let v1 = survey(br#"{"asset": {"version": "1.0.1"}, "nodes": {"a": {}}}"#);
        assert_eq!(v1.gltf_1().unwrap(), "asset.version is \"1.0.1\"");
        assert_eq!(survey(br#"{"asset": {"version": "2.0"}}"#).gltf_1(), None);
        assert_eq!(
            survey(br#"{"asset": {"version": "2.1"}, "nodes": {}}"#).gltf_1(),
            None
        );
    }
}
