//! Scene document benchmarks: build, encode, load, heap per node, drain cost vs document size.
//! `cargo bench -p app-scene` (figures for the size targets are printed once before the timings).

// A bench may unwrap and panic like a test; criterion's macros make undocumented public items.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::alloc::System;
use std::time::{Duration, Instant};

use app_scene::SceneDoc;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use yrs::Transact;
use yrs::updates::decoder::Decode;

/// Counts heap bytes so the bench can report bytes per node. A crate's wrapper around the system
/// allocator, because implementing `GlobalAlloc` takes `unsafe`, which the workspace forbids.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live heap bytes: everything allocated minus everything freed (a reallocation counts its growth
/// as allocated, its shrinking as freed). Only differences between two readings are meaningful.
fn live() -> isize {
    let stats = GLOBAL.stats();
    (stats.bytes_allocated as isize).wrapping_sub(stats.bytes_deallocated as isize)
}

fn build(n: usize) -> SceneDoc {
    let mut d = SceneDoc::with_client_id(1);
    for i in 0..n {
        let x = (i % 100) as f64;
        let z = (i / 100) as f64;
        match i % 3 {
            0 => d.add_sphere([x, 0.5, z], 0.5).map(drop),
            1 => d.add_box([x, 0.5, z], [1.0, 1.0, 1.0]).map(drop),
            _ => d.add_plane([x, 0.0, z], 1.0).map(drop),
        }
        .expect("valid values");
    }
    d.take_local_updates();
    d.drain_changes();
    d
}

fn report_sizes() {
    let n = 10_000;
    let before = live();
    let built = build(n);
    let built_heap = live() - before;
    let v1 = built.encode_state_v1();
    let v2 = built.encode_state_v2();
    let before = live();
    let mut loaded = SceneDoc::with_client_id(2);
    loaded.apply_update_v1(&v1).expect("own state");
    loaded.drain_changes();
    let loaded_heap = live() - before;
    // The same update in a bare yrs document: what yrs itself holds, so the report separates it from
    // what this crate adds (observers' records, the tree index, announced ids).
    let before = live();
    let bare = yrs::Doc::with_client_id(4);
    bare.get_or_insert_map("nodes");
    bare.transact_mut()
        .apply_update(yrs::Update::decode_v1(&v1).expect("own state"))
        .expect("own state");
    let bare_heap = live() - before;
    drop(bare);
    let start = Instant::now();
    let mut timed = SceneDoc::with_client_id(3);
    timed.apply_update_v1(&v1).expect("own state");
    let load = start.elapsed();
    timed.drain_changes();
    let load_drain = start.elapsed();
    eprintln!(
        "10k nodes: v1 {} B ({:.1} B/node), v2 {} B ({:.1} B/node)",
        v1.len(),
        v1.len() as f64 / n as f64,
        v2.len(),
        v2.len() as f64 / n as f64
    );
    eprintln!(
        "heap per node: built locally {:.0} B, loaded from update (after drain) {:.0} B, \
         of which yrs alone (the same update in a bare yrs::Doc) {:.0} B",
        built_heap as f64 / n as f64,
        loaded_heap as f64 / n as f64,
        bare_heap as f64 / n as f64
    );
    eprintln!("one load of 10k from v1: apply {load:?}, apply + first drain {load_drain:?}");
}

fn benches(c: &mut Criterion) {
    report_sizes();
    let mut g = c.benchmark_group("scene");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("build_10k", |b| b.iter(|| build(10_000)));
    let doc = build(10_000);
    let v1 = doc.encode_state_v1();
    let v2 = doc.encode_state_v2();
    g.bench_function("encode_v1_10k", |b| b.iter(|| doc.encode_state_v1()));
    g.bench_function("encode_v2_10k", |b| b.iter(|| doc.encode_state_v2()));
    // Loading is measured up to a usable document: dropping it afterwards (~10 ms for 10k
    // nodes) is not part of a load, so it happens outside the timing (`iter_with_large_drop`).
    g.bench_function("load_10k_v1", |b| {
        b.iter_with_large_drop(|| {
            let mut d = SceneDoc::with_client_id(2);
            d.apply_update_v1(&v1).expect("own state");
            d
        })
    });
    g.bench_function("load_10k_v2", |b| {
        b.iter_with_large_drop(|| {
            let mut d = SceneDoc::with_client_id(2);
            d.apply_update_v2(&v2).expect("own state");
            d
        })
    });
    g.bench_function("load_10k_v1_and_drain", |b| {
        b.iter_with_large_drop(|| {
            let mut d = SceneDoc::with_client_id(2);
            d.apply_update_v1(&v1).expect("own state");
            let changes = d.drain_changes();
            (d, changes)
        })
    });
    // The general path: a document that already holds something rehearses the update on a
    // scratch copy first, so the same 10k update costs about twice as much.
    let mut one = SceneDoc::with_client_id(3);
    one.add_sphere([0.0; 3], 1.0).expect("valid values");
    let one_v1 = one.encode_state_v1();
    g.bench_function("apply_10k_v1_to_nonempty", |b| {
        b.iter_with_large_drop(|| {
            let mut d = SceneDoc::with_client_id(2);
            d.apply_update_v1(&one_v1).expect("own state");
            d.apply_update_v1(&v1).expect("own state");
            d
        })
    });
    drop(doc);
    g.finish();

    let mut g = c.benchmark_group("drain_after_1_edit");
    g.sample_size(50);
    for n in [100, 10_000, 100_000] {
        let mut d = build(n);
        let id = d.node_ids()[n / 2].to_string();
        let mut x = 0.0;
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // Wraps: translations are validated to ±1e6 and a run makes ~10⁶ edits.
                    x = (x + 1.0) % 1000.0;
                    d.set_translation(&id, [x, 0.0, 0.0]).expect("valid");
                    let start = Instant::now();
                    let changes = d.drain_changes();
                    total += start.elapsed();
                    assert_eq!(changes.len(), 1);
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(scene, benches);
criterion_main!(scene);
