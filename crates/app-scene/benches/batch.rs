//! Building a 10,000-node scene inside one batch against 10,000 separate edits, each followed by
//! what the engine does after every call (taking the local updates). `cargo bench -p app-scene
//! --bench batch`. Issue 10's goal: the batch takes less than half the time.

// A bench may unwrap like a test; criterion's macros make undocumented public items.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_scene::SceneDoc;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

const NODES: usize = 10_000;

fn build(doc: &mut SceneDoc) {
    for i in 0..NODES {
        let x = (i % 100) as f64;
        let z = (i / 100) as f64;
        doc.add_sphere([x, 0.0, z], 0.4).unwrap();
        // The engine hands local updates to JavaScript after every call.
        std::hint::black_box(doc.take_local_updates());
    }
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("build 10,000 spheres");
    group.sample_size(10);
    group.bench_function("one edit per call", |b| {
        b.iter_batched(
            SceneDoc::new,
            |mut doc| build(&mut doc),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("inside one batch", |b| {
        b.iter_batched(
            SceneDoc::new,
            |mut doc| {
                doc.begin_batch().unwrap();
                build(&mut doc);
                doc.end_batch().unwrap();
                std::hint::black_box(doc.take_local_updates());
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(batch, benches);
criterion_main!(batch);
