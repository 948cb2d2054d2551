//! Preprocess + parse + resolve of `/usr/include/rpcsvc/nfs_prot.x`
//! (budget: under 5 ms). Needs `apt-get install rpcsvc-proto`.

use criterion::{Criterion, criterion_group, criterion_main};

const NFS_PROT: &str = "/usr/include/rpcsvc/nfs_prot.x";

fn bench(c: &mut Criterion) {
    let text = std::fs::read_to_string(NFS_PROT)
        .unwrap_or_else(|e| panic!("{NFS_PROT}: {e}; run `apt-get install rpcsvc-proto`"));
    let opts = idl::Options::new().rpcgen_defines();
    let loader = idl::MemoryLoader::new();
    c.bench_function("nfs_prot.x preprocess+parse+resolve", |b| {
        b.iter(|| {
            let c = idl::compile_str(NFS_PROT, std::hint::black_box(&text), &opts, &loader);
            assert!(c.ir.is_some());
            c
        });
    });
    c.bench_function("nfs_prot.x from disk", |b| {
        b.iter(|| idl::compile_file(NFS_PROT, &opts));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
