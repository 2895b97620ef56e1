//! `read_document`: see `crates/app-scene/tests/fuzz_checks/document.rs`.
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/app-scene/tests/fuzz_checks/mod.rs"]
mod fuzz_checks;

use fuzz_checks::document::HostileDocument;

libfuzzer_sys::fuzz_target!(init: fuzz_checks::install_panic_hook(), |input: HostileDocument| {
    fuzz_checks::document::read_document(&input);
});
