//! CPU time to encode and submit one frame, for 1,000 / 10,000 / 100,000 sphere instances, with nothing
//! changed and with one node moved.
//!
//! Runs on wgpu's noop backend: wgpu-core validates and tracks everything as usual but no driver records
//! or executes commands, so the figure is the renderer's and wgpu's own CPU cost, not the rasteriser's
//! (on lavapipe the "GPU" is the same CPU and drawing 100,000 spheres takes seconds). Each frame also
//! polls the device without blocking, as the browser frame loop does, so finished submissions are freed.
//!
//! Run: `cargo bench -p app-render --bench frame -- --warm-up-time 1 --measurement-time 3`.
//! Draw calls and bytes uploaded per frame are printed once per case.
//!
//! Each case prints its draw calls and bytes uploaded once. What this bench shows is the shape: an
//! unchanged frame uploads nothing and skips the shadow pass (scene + output draws, 2), and a one-node
//! change writes one 128-byte instance and redraws the shadow map (3 draws), whatever the node count.
//! Timings on a quiet 2-core machine were flat at about 7 µs (unchanged) and 10 µs (one changed) for
//! 1,000 / 10,000 / 100,000 instances (2026-11-22, with 132-byte instances); the latest figures are in
//! `bench/results/` (`bash scripts/bench.sh`). With other builds on the same cores the medians wander by
//! 10x, so compare runs made side by side only.

// Test code: failing loudly is the point (CLAUDE.md invariant 6 covers the library, not its tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_core::glam::{Mat4, Vec3};
use app_core::{Node, NodeId, Shape, Transform};
use app_render::{FrameStats, Gpu, Renderer};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

fn noop_gpu() -> Gpu {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = wgpu::Backends::NOOP;
    desc.backend_options.noop = wgpu::NoopBackendOptions {
        enable: true,
        ..Default::default()
    };
    let instance = wgpu::Instance::new(desc);
    let adapter = pollster::block_on(instance.request_adapter(&Default::default()))
        .expect("the noop adapter is always available when enabled");
    pollster::block_on(Gpu::from_adapter(&adapter)).expect("noop device")
}

/// Sphere `index` of a cube-shaped grid with `side` spheres per edge.
fn sphere(index: usize, side: usize, offset: Vec3) -> Node {
    let cell = Vec3::new(
        (index % side) as f32,
        ((index / side) % side) as f32,
        (index / (side * side)) as f32,
    );
    Node::new(
        NodeId::new(format!("s{index}")).unwrap(),
        Shape::Sphere { radius: 0.2 },
        Transform::from_translation(cell * 0.5 + offset),
    )
}

struct Fixture {
    renderer: Renderer,
    view: wgpu::TextureView,
    side: usize,
}

impl Fixture {
    fn new(gpu: &Gpu, count: usize) -> Self {
        let mut renderer = Renderer::new(gpu);
        let side = (count as f64).cbrt().ceil() as usize;
        for index in 0..count {
            renderer.upsert_node(&sphere(index, side, Vec3::ZERO), Mat4::IDENTITY);
        }
        renderer.camera.distance = side as f32;
        let view = gpu
            .device
            .create_texture(&wgpu::TextureDescriptor {
                label: Some("bench output"),
                size: wgpu::Extent3d {
                    width: WIDTH,
                    height: HEIGHT,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: FORMAT,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                view_formats: &[],
            })
            .create_view(&Default::default());
        let mut fixture = Self {
            renderer,
            view,
            side,
        };
        // The first frame uploads everything and allocates targets; the bench measures steady state.
        fixture.frame();
        fixture
    }

    fn frame(&mut self) -> FrameStats {
        let gpu = self.renderer.gpu().clone();
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        let stats = self
            .renderer
            .encode_frame(&mut encoder, &self.view, FORMAT, WIDTH, HEIGHT);
        gpu.queue.submit([encoder.finish()]);
        // Non-blocking, like the browser loop: frees resources of finished submissions.
        let _ = gpu.device.poll(wgpu::PollType::Poll);
        stats
    }
}

fn frame(c: &mut Criterion) {
    let gpu = noop_gpu();
    let mut group = c.benchmark_group("frame");
    for count in [1_000usize, 10_000, 100_000] {
        let mut fixture = Fixture::new(&gpu, count);
        group.bench_with_input(BenchmarkId::new("unchanged", count), &count, |b, _| {
            b.iter(|| fixture.frame())
        });
        println!("frame/unchanged/{count}: {:?}", fixture.frame());

        // Moves node 0 back and forth inside the grid's bounds, so every frame has exactly one change.
        let mut flip = false;
        let side = fixture.side;
        let mut one_changed = move |fixture: &mut Fixture| {
            flip = !flip;
            let offset = if flip { Vec3::Y * 0.1 } else { Vec3::ZERO };
            fixture
                .renderer
                .upsert_node(&sphere(0, side, offset), Mat4::IDENTITY);
            fixture.frame()
        };
        group.bench_with_input(BenchmarkId::new("one_changed", count), &count, |b, _| {
            b.iter(|| one_changed(&mut fixture))
        });
        println!("frame/one_changed/{count}: {:?}", one_changed(&mut fixture));
    }
    group.finish();
}

criterion_group!(benches, frame);
criterion_main!(benches);
