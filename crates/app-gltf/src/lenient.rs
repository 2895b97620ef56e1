//! What to do with glTF JSON that gltf-json 1.4 refuses and a JavaScript loader reads: fill in the two
//! properties it requires and glTF 2.0 does not, write integers that were written as decimals as
//! integers, step around `extras` that are not objects; or say that the file is glTF 1.0 (by its
//! `asset.version`).
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
//! - [`Survey::filled`] also rewrites every number token whose value is a whole number written with
//!   a fraction or an exponent (`1.0`, `5126.0`, `1e0`, `0.1e1`, `10e-1`) as plain digits: JSON has one
//!   number type, the glTF validator accepts them, three.js reads them, and Python-based exporters
//!   write counts and indices so; serde refuses a float where gltf-json has an integer. A float field
//!   reads the same value either way. Values beyond 20 digits are left as written.
//! - It renames every `"extras"` key to `"_extras"`: glTF lets `extras` be any JSON value (Unity and
//!   Python exporters write strings and numbers there), gltf-json only an object, and the engine
//!   never reads them. A string value that reads "extras" is not a key and stays.
//! - Text manipulation instead of `serde_json::Value`: reading a `Root` from a `Value`, or writing a
//!   `Value` out again, compiles code the importer module otherwise does not have (gltf-json's whole
//!   schema a second time: about 190 KB of wasm).

use crate::error::excerpt;

/// What [`survey`] saw.
#[derive(Default)]
pub(crate) struct Survey<'t> {
    /// `asset.version`, as written (escapes left in).
    pub version: Option<&'t [u8]>,
    /// What to change, front to back once sorted: (offset, bytes to remove there, text to put in
    /// their place).
    edits: Vec<(usize, usize, Vec<u8>)>,
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

    /// `text` with the missing members added, whole numbers written as integers and `extras` keys
    /// renamed, or `None` when there is nothing to change.
    pub fn filled(mut self, text: &[u8]) -> Option<Vec<u8>> {
        if self.edits.is_empty() {
            return None;
        }
        // Members are recorded when their object closes, numbers and keys when read: sort by offset
        // (stable, so a member and a key at one offset keep their order). Edits never overlap: each
        // removes only inside one token and adds only at a token's start.
        self.edits.sort_by_key(|(at, _, _)| *at);
        let extra: usize = self.edits.iter().map(|(_, _, add)| add.len()).sum();
        let mut out = Vec::with_capacity(text.len().saturating_add(extra));
        let mut from = 0;
        for (at, remove, add) in &self.edits {
            out.extend_from_slice(text.get(from..*at)?);
            out.extend_from_slice(add);
            from = at + remove;
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
                        let mut add = member.as_bytes().to_vec();
                        if frame.members {
                            add.push(b',');
                        }
                        found.edits.push((frame.open, 0, add));
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
                        if string == b"extras" {
                            found.edits.push((start, 0, b"_".to_vec()));
                        }
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
                let start = at;
                at += 1;
                while !matches!(
                    text.get(at),
                    None | Some(b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"')
                        | Some(b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    at += 1;
                }
                let token = text.get(start..at).unwrap_or_default();
                if let Some(digits) = whole_number(token) {
                    found.edits.push((start, token.len(), digits));
                }
            }
        }
    }
    found
}

/// Most digits a rewritten whole number may have (u64 has 20).
const MAX_DIGITS: usize = 20;

/// The plain digits of a JSON number token whose value is a whole number written with a fraction or
/// an exponent (`-2.50e1` → `-25`), or `None` for anything else (plain integers included). Byte work
/// only: parsing into a float and formatting it back would grow the importer module.
fn whole_number(token: &[u8]) -> Option<Vec<u8>> {
    let (negative, rest) = match token.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, token),
    };
    let (mantissa, exponent) = match rest.iter().position(|&b| b == b'e' || b == b'E') {
        Some(e) => (&rest[..e], Some(&rest[e + 1..])),
        None => (rest, None),
    };
    let (int, frac) = match mantissa.iter().position(|&b| b == b'.') {
        Some(dot) => (&mantissa[..dot], &mantissa[dot + 1..]),
        None if exponent.is_some() => (mantissa, &b""[..]),
        None => return None, // a plain integer (or a literal): nothing to rewrite
    };
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if int.is_empty() || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    // The exponent, bounded so that the arithmetic below cannot overflow.
    let shift: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (sign, digits) = match e.split_first() {
                Some((b'-', d)) => (-1, d),
                Some((b'+', d)) => (1, d),
                _ => (1, e),
            };
            if digits.is_empty() || digits.len() > 4 || !all_digits(digits) {
                return None;
            }
            sign * digits
                .iter()
                .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'))
        }
    };
    // value = digits × 10^(shift − frac.len()), with digits = int followed by frac.
    let mut digits: Vec<u8> = int.iter().chain(frac).copied().collect();
    let scale = shift - frac.len() as i64;
    if scale < 0 {
        let cut = usize::try_from(-scale).ok()?;
        let keep = digits.len().checked_sub(cut)?;
        if digits[keep..].iter().any(|&d| d != b'0') {
            return None; // not a whole number
        }
        digits.truncate(keep);
    } else {
        let zeros = usize::try_from(scale).ok()?;
        if zeros > MAX_DIGITS {
            return None;
        }
        digits.resize(digits.len() + zeros, b'0');
    }
    let first = digits
        .iter()
        .position(|&d| d != b'0')
        .unwrap_or(digits.len());
    let digits = if first == digits.len() {
        &b"0"[..]
    } else {
        &digits[first..]
    };
    if digits.len() > MAX_DIGITS {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() + 1);
    if negative {
        out.push(b'-');
    }
    out.extend_from_slice(digits);
    Some(out)
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
            r#"{"_extras": {"scenes": [{}], "s": "\"{[", "n": [-1500, true, null]},
            "scenes": [{"nodes":[],"_extras": {"nodes": 1}}]}"#
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
    fn whole_numbers_are_rewritten_and_extras_keys_renamed() {
        for (token, expected) in [
            ("1.0", Some("1")),
            ("5126.000", Some("5126")),
            ("-2.50e1", Some("-25")),
            ("1e0", Some("1")),
            ("10e-1", Some("1")),
            ("0.1e1", Some("1")),
            ("3.0e0", Some("3")),
            ("0.0", Some("0")),
            ("1E+2", Some("100")),
            ("1e20", None), // 21 digits
            ("1", None),
            ("1.5", None),
            ("15e-1", None),
            ("1e-400", None),
            ("1e99999", None),
            ("true", None),
            ("1.", Some("1")), // not JSON: the second reading reports it either way
            ("-", None),
            ("e5", None),
        ] {
            let got = whole_number(token.as_bytes()).map(|d| String::from_utf8(d).unwrap());
            assert_eq!(got.as_deref(), expected, "{token}");
        }
        let text = r#"{"buffers": [{"byteLength": 4.0, "extras": 42, "name": "extras"}],
            "extras": "x", "s": ["1.0", 2.5]}"#;
        assert_eq!(
            fill(text).unwrap(),
            r#"{"buffers": [{"byteLength": 4, "_extras": 42, "name": "extras"}],
            "_extras": "x", "s": ["1.0", 2.5]}"#
        );
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
