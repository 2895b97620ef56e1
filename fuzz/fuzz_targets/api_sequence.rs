//! `api_sequence`: see `crates/app-scene/tests/fuzz_checks/api.rs`.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/app-scene/tests/fuzz_checks/mod.rs"]
mod fuzz_checks;

use fuzz_checks::api::Session;

libfuzzer_sys::fuzz_target!(init: fuzz_checks::install_panic_hook(), |session: Session| {
    fuzz_checks::api::api_sequence(&session);
});
