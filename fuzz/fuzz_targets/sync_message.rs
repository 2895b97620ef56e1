//! `sync_message`: see `crates/app-scene/tests/fuzz_checks/mod.rs`.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/app-scene/tests/fuzz_checks/mod.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(init: fuzz_checks::install_panic_hook(), |data: &[u8]| {
    fuzz_checks::sync_message(data);
});
