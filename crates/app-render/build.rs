//! Ships the WGSL shaders without their comments: every browser downloads them inside the wasm, and
//! comments were about 40 % of their gzip bytes (scene.wgsl: 4,454 -> 2,592 B gzip -9). Lines are kept
//! (emptied, not removed), so a shader error's line number still points into `src/shaders/`.
//! WGSL has no string literals, so `//` always starts a comment; block comments are refused here so
//! that a future one cannot be half-stripped.
//!
//! With the `naga-ir` feature it also parses and validates each shader with naga (wgpu's version) and
//! writes the module as postcard bytes (`<name>.naga`): the GL backend then takes naga IR, and the
//! WebGL2 bundle carries no WGSL front end. A shader error then fails the build, naming the line.
//! `shader_source.rs` includes the results.

use std::error::Error;
use std::path::Path;
use std::{env, fs};

fn main() -> Result<(), Box<dyn Error>> {
    let source_dir = Path::new("src/shaders");
    println!("cargo:rerun-if-changed={}", source_dir.display());
    let out_dir = env::var_os("OUT_DIR").ok_or("cargo sets OUT_DIR for build scripts")?;
    for entry in fs::read_dir(source_dir)? {
        let path = entry?.path();
        let Some(name) = path
            .file_name()
            .filter(|_| path.extension().is_some_and(|e| e == "wgsl"))
        else {
            continue;
        };
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path)?;
        if text.contains("/*") {
            return Err(format!(
                "{}: use line comments (build.rs strips only those)",
                path.display()
            )
            .into());
        }
        let stripped: String = text
            .lines()
            .map(|line| line.split("//").next().unwrap_or("").trim())
            .flat_map(|line| [line, "\n"])
            .collect();
        #[cfg(feature = "naga-ir")]
        {
            let mut out_name = name.to_os_string();
            out_name.push(".naga");
            write_naga_ir(&path, &stripped, &Path::new(&out_dir).join(out_name))?;
        }
        fs::write(Path::new(&out_dir).join(name), stripped)?;
    }
    Ok(())
}

/// Parses and validates `wgsl` (read from `path`), and writes its naga module to `out`. The bytes are
/// decoded once more here, so that the bundle's decoding (same naga, same format) cannot fail.
#[cfg(feature = "naga-ir")]
fn write_naga_ir(path: &Path, wgsl: &str, out: &Path) -> Result<(), Box<dyn Error>> {
    let module = naga::front::wgsl::parse_str(wgsl)
        .map_err(|e| e.emit_to_string_with_path(wgsl, &path.display().to_string()))?;
    naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::empty(),
    )
    .validate(&module)
    .map_err(|e| e.emit_to_string_with_path(wgsl, &path.display().to_string()))?;
    let bytes = postcard::to_allocvec(&module)?;
    let decoded: naga::Module = postcard::from_bytes(&bytes)?;
    if postcard::to_allocvec(&decoded)? != bytes {
        return Err(format!("{}: naga IR does not survive a round trip", path.display()).into());
    }
    fs::write(out, bytes)?;
    Ok(())
}
