//! `import_gltf`: see `crates/app-gltf/tests/fuzz_check/mod.rs`.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/app-gltf/tests/fuzz_check/mod.rs"]
mod fuzz_check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_check::import_gltf(data);
});
