//! Shared test support: a lavapipe renderer, PNG output and golden-image comparison.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use app_render::golden::{self, Tolerance};
use app_render::{Gpu, Renderer, RgbaImage};

/// Workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A renderer on the headless adapter (lavapipe on a machine without a GPU).
pub fn renderer() -> Renderer {
    let gpu = pollster::block_on(Gpu::headless())
        .expect("a Vulkan or GL adapter (install mesa-vulkan-drivers)");
    eprintln!("adapter: {} ({:?})", gpu.info.name, gpu.info.backend);
    Renderer::new(&gpu)
}

/// Renders the current view offscreen and reads it back.
pub fn render(renderer: &mut Renderer, width: u32, height: u32) -> RgbaImage {
    let readback = renderer
        .render_offscreen(width, height)
        .expect("valid size");
    readback.wait(&renderer.gpu().device).expect("readback")
}

/// Writes `image` as a PNG.
pub fn save_png(image: &RgbaImage, path: &Path) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create output dir");
    }
    let file = std::fs::File::create(path).expect("create png");
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("png header");
    writer.write_image_data(&image.pixels).expect("png data");
}

/// Reads an RGBA8 PNG.
pub fn load_png(path: &Path) -> Option<RgbaImage> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).ok()?));
    let mut reader = decoder.read_info().ok()?;
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).ok()?;
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return None;
    }
    pixels.truncate(info.buffer_size());
    Some(RgbaImage {
        width: info.width,
        height: info.height,
        pixels,
    })
}

/// Where test renders are written (git-ignored): `tests/out/native/<name>.png`.
pub fn output_path(name: &str) -> PathBuf {
    workspace_root()
        .join("tests/out/native")
        .join(format!("{name}.png"))
}

/// Compares `actual` with `tests/golden/<name>.png` under the shared native tolerance
/// (`golden::Tolerance::DEFAULT`). With `BLESS_GOLDEN=1` the reference is rewritten instead. On failure
/// writes `<name>.actual.png` and `<name>.diff.png` next to the test output and panics with their paths.
pub fn assert_golden(name: &str, actual: &RgbaImage) {
    let golden = workspace_root()
        .join("tests/golden")
        .join(format!("{name}.png"));
    save_png(actual, &output_path(name));
    if std::env::var_os("BLESS_GOLDEN").is_some() {
        save_png(actual, &golden);
        eprintln!("blessed {}", golden.display());
        return;
    }
    let expected = load_png(&golden).unwrap_or_else(|| {
        panic!(
            "missing golden {}; run with BLESS_GOLDEN=1 to create it",
            golden.display()
        )
    });
    let tolerance = Tolerance::DEFAULT;
    let comparison = golden::compare(actual, &expected, tolerance)
        .unwrap_or_else(|| panic!("golden {name}: size differs"));
    if !comparison.passes(tolerance) {
        let out = workspace_root().join("tests/out/native");
        let actual_path = out.join(format!("{name}.actual.png"));
        let diff_path = out.join(format!("{name}.diff.png"));
        save_png(actual, &actual_path);
        save_png(&comparison.diff, &diff_path);
        panic!(
            "golden {name}: {:.3}% of pixels differ by more than {} (limit {:.3}%; {:.3}% forgiven as edge shifts); actual: {}, diff: {}",
            comparison.differing_share * 100.0,
            tolerance.channel,
            tolerance.max_differing_share * 100.0,
            comparison.edge_share * 100.0,
            actual_path.display(),
            diff_path.display()
        );
    }
}
