//! The update guard: a second WebAssembly instance that rehearses untrusted updates before the live
//! engine sees them (issue 8). Placeholder until that work lands.
