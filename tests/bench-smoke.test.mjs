// The benchmark harness must not rot: runs `BENCH_SMOKE=1 bash scripts/bench.sh` (tiny scenes, a few frames,
// no native benches; about a minute) and checks that it produced every figure. The full run
// (`bash scripts/bench.sh`, 15-25 minutes) is not part of the test command.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, root, run, watchdog } from './lib/harness.mjs';

watchdog(6 * 60_000, 'bench-smoke');

await run('bench-smoke', {
  'BENCH_SMOKE=1 scripts/bench.sh produces every figure': async () => {
    const r = spawnSync('bash', [join(root, 'scripts/bench.sh')], {
      cwd: root, env: { ...process.env, BENCH_SMOKE: '1' }, encoding: 'utf8', timeout: 5 * 60_000,
    });
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-40).join('\n');
    assert(r.status === 0, `bench smoke exited ${r.status}:\n${tail}`);
    const results = JSON.parse(readFileSync(join(root, 'bench/results/smoke/latest.json'), 'utf8'));
    assert(results.smoke === true, 'not a smoke result');
    assert(results.missing.length === 0, `missing: ${results.missing.join(', ')}`);
    assert(results.errors.length === 0, `errors: ${results.errors.join('\n')}`);
    for (const key of ['date', 'machine', 'browser', 'packages', 'frame', 'edit', 'load', 'size', 'firstFrame', 'calls', 'targets']) {
      assert(results[key] !== undefined, `no ${key} in latest.json`);
    }
    assert(results.targets.length >= 6, `only ${results.targets.length} targets reported`);
    const md = readFileSync(join(root, 'bench/results/smoke/latest.md'), 'utf8');
    assert(/Frame CPU cost/.test(md) && /Targets/.test(md), 'latest.md lacks its tables');
    const svg = readFileSync(join(root, 'bench/results/smoke/frame-cost.svg'), 'utf8');
    assert(svg.startsWith('<svg') && /<path /.test(svg), 'frame-cost.svg has no lines');
  },
}, { stepTimeout: 5 * 60_000 });
