// Turns bench results (bench/run.mjs) into the Markdown table and the frame-cost SVG chart.
const fmt = (x, d = 3) => (x == null || !Number.isFinite(Number(x)) ? '—' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d }));
const kb = (b) => (b == null ? '—' : `${(b / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} KB`);
const x = (r) => (r == null ? '—' : `${fmt(r, 2)}×`);

export function toMarkdown(r) {
  const out = [];
  const p = r.packages;
  out.push(`### Benchmarks${r.smoke ? ' (SMOKE run: tiny sizes, not figures)' : ''}`);
  out.push('');
  out.push(`${r.date.slice(0, 10)} · ${r.machine.nproc} cores (${r.machine.cpu}), load average ${r.machine.loadavgStart.join(' / ')} at start, ` +
    `${r.machine.loadavgEnd?.join(' / ')} at end · ${r.browser.version ? `Chromium ${r.browser.version}` : 'Chromium ?'} headless, ` +
    `SwiftShader (CPU) for WebGPU and WebGL2 · three.js ${p.three} · Yjs ${p.yjs} · esbuild ${p.esbuild} · engine ${p.engine} · ${r.durationS} s`);
  out.push('');
  out.push('**Frame CPU cost**: median ms inside the per-frame call (`render_frame` / `renderer.render`), 256×256, ' +
    `spheres of 48×24 segments + one directional light, up to ${r.config.frames} frames after ${r.config.warmup} warm-up per engine (fewer where a run hit its ${r.config.chunkMaxMs / 1000} s cap: see the frames column) ` +
    `(${r.config.reps} interleaved runs, each in a fresh browser); fps = frames submitted per second of the rAF loop (GPU completion not awaited). Ratio = ours / three.js (lower is better for ms).`);
  out.push('');
  out.push('| backend | N | ours ms | three.js InstancedMesh ms | three.js Mesh-per-node ms | ours / Instanced | ours / Mesh | fps ours / Inst. / Mesh | frames ours / Inst. / Mesh |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [backend, rows] of Object.entries(r.frame)) {
    for (const [n, row] of Object.entries(rows)) {
      out.push(`| ${backend} | ${fmt(Number(n), 0)} | ${fmt(row.ours?.medianMs)} | ${fmt(row.threeInstanced?.medianMs)} | ${fmt(row.threeMesh?.medianMs)} | ` +
        `${x(row.ratioMsVsInstanced)} | ${x(row.ratioMsVsMesh)} | ${fmt(row.ours?.fps, 1)} / ${fmt(row.threeInstanced?.fps, 1)} / ${fmt(row.threeMesh?.fps, 1)} | ${row.ours?.frames} / ${row.threeInstanced?.frames} / ${row.threeMesh?.frames} |`);
    }
  }
  const onChange = Object.entries(r.frame.webgpu ?? {}).filter(([, row]) => row.oursOnChange);
  if (onChange.length) {
    out.push('');
    out.push('The figures above have our engine draw every frame (`redraw: "always"`), as three.js does. By default (`redraw: "on_change"`) ' +
      'it does not draw a frame that would show the last one again; the same still scenes then cost (WebGPU, median ms per `render_frame`):');
    out.push('');
    out.push('| N | ours, default ms | calls that drew nothing (warm-up included) | three.js InstancedMesh ms (drawing) | ours / Instanced |');
    out.push('|---:|---:|---:|---:|---:|');
    for (const [n, row] of onChange) {
      out.push(`| ${fmt(Number(n), 0)} | ${fmt(row.oursOnChange.medianMs, 4)} | ${row.oursOnChange.framesUnchanged} of ${row.oursOnChange.framesCalled} | ${fmt(row.threeInstanced?.medianMs)} | ${x(row.ratioOnChangeVsInstanced)} |`);
    }
  }
  const b = r.backToBack;
  const rafRow = b?.ours && r.frame.webgpu?.[b.n]?.ours && r.frame.webgpu[b.n].threeInstanced ? r.frame.webgpu[b.n] : null;
  if (b?.ours) {
    out.push('');
    out.push(`**The same calls back to back** (WebGPU, N = ${fmt(b.n, 0)}, ${b.calls} calls in one page, 50 per task, no requestAnimationFrame; ` +
      `our engine drawing every frame; median of ${b.ours.medianMsPerRep.length} runs' medians): ours ${fmt(b.ours.medianMs, 4)} ms, ` +
      `three.js InstancedMesh ${fmt(b.threeInstanced?.medianMs, 4)} ms, ratio ${x(b.ratioVsInstanced)}.` +
      (rafRow ? ` From requestAnimationFrame (the table above) the same calls took ${x(rafRow.ours.medianMs / b.ours.medianMs)} (ours) and ` +
        `${x(rafRow.threeInstanced.medianMs / b.threeInstanced.medianMs)} (three.js) as long: inside a rAF callback the call competes with ` +
        'Chromium compositing, done by SwiftShader on the same 2 cores.' : ''));
  }
  const o = r.orbit;
  if (o?.ours) {
    out.push('');
    out.push(`**Camera orbit** (WebGPU, N = ${fmt(r.config.orbitN, 0)}, every frame from a new angle: ours one drag event + render_frame, ` +
      `three.js the camera stepped + render; median ms over ${o.ours.frames} frames from requestAnimationFrame): ours ${fmt(o.ours.ms, 4)} ms (the drag event ${fmt(o.ours.cameraStepMs, 4)} of it), ` +
      `three.js InstancedMesh ${fmt(o.threeInstanced?.ms, 4)} ms, ratio ${x(o.ratioVsInstanced)}.`);
  }
  out.push('');
  out.push('**Incremental edit** (WebGPU): one node moved before every other frame, edited and unchanged frames interleaved; ' +
    'extra = median over edited frames of (edit + frame) − the unchanged frame just before it, with its quartiles (p25..p75).');
  out.push('');
  out.push('| N | ours unchanged ms | ours edited ms | ours extra ms (p25..p75) | three.js InstancedMesh extra ms (p25..p75) | ours / three.js |');
  out.push('|---:|---:|---:|---:|---:|---:|');
  const spread = (e) => (e?.extraP25Ms != null ? ` (${fmt(e.extraP25Ms)}..${fmt(e.extraP75Ms)})` : '');
  for (const [n, row] of Object.entries(r.edit)) {
    out.push(`| ${fmt(Number(n), 0)} | ${fmt(row.ours?.unchangedMs)} | ${fmt(row.ours?.editedMs)} | ${fmt(row.ours?.extraMs)}${spread(row.ours)} | ${fmt(row.threeInstanced?.extraMs)}${spread(row.threeInstanced)} | ${x(row.ratioExtraVsInstanced)} |`);
  }
  const b2b = Object.entries(r.editBackToBack ?? {});
  if (b2b.length) {
    out.push('');
    out.push('The same edit **back to back** (no requestAnimationFrame, where compositing on the same cores buries a tenth of a ' +
      'millisecond): blocks of 25 unchanged and of 25 edited frames, alternating, each block timed whole; extra = median over ' +
      'block pairs of (edited − unchanged) ms per call, with its quartiles.');
    out.push('');
    out.push('| N | ours unchanged ms | ours edited ms | ours extra ms (p25..p75) | three.js unchanged ms | three.js extra ms (p25..p75) | ours / three.js | block pairs |');
    out.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [n, row] of b2b) {
      out.push(`| ${fmt(Number(n), 0)} | ${fmt(row.ours?.unchangedMs, 4)} | ${fmt(row.ours?.editedMs, 4)} | ${fmt(row.ours?.extraMs, 4)}${spread(row.ours)} | ` +
        `${fmt(row.threeInstanced?.unchangedMs, 4)} | ${fmt(row.threeInstanced?.extraMs, 4)}${spread(row.threeInstanced)} | ${x(row.ratioExtraVsInstanced)} | ${row.ours?.blocks} |`);
    }
  }
  out.push('');
  const l = r.load;
  out.push(`**Scene load**: ${fmt(l.nodes, 0)} nodes from one encoded update (${kb(l.updateBytes)}), same bytes, same browser.`);
  out.push('');
  out.push('| | load ms | heap bytes / node | how heap was measured |');
  out.push('|---|---:|---:|---|');
  out.push(`| ours: fresh engine, \`apply_update\` | ${fmt(l.ours?.applyMs)} (then first \`render_frame\` ${fmt(l.ours?.firstFrameAfterLoadMs)}) | ${fmt(l.ours?.heapBytesPerNode, 0)} (with renderer: ${fmt(l.ours?.heapBytesPerNodeWithRenderer, 0)}) | ${l.ours?.heapMethod ?? '—'} |`);
  out.push(`| Yjs ${p.yjs}: \`Y.applyUpdate(new Y.Doc())\` | ${fmt(l.yjs?.applyMs)} | ${fmt(l.yjs?.heapBytesPerNode, 0)} | ${l.yjs?.heapMethod ?? '—'} |`);
  out.push(`| ours / Yjs | ${x(l.ratioApply)} | ${x(l.ratioHeap)} | |`);
  out.push('');
  out.push('**Download** of a page showing one lit sphere (HTML + esbuild-minified JS + wasm), and **time to first frame** (cold load, new browser context, median; ' +
    '"submitted" = first frame call returned, "pixels" = its 256×256 image read back), ms from navigation start.');
  out.push('');
  out.push('| page | gzip -9 | brotli | first frame submitted ms | first frame pixels ms |');
  out.push('|---|---:|---:|---:|---:|');
  const ff = (app) => r.firstFrame[app.includes('webgpu') ? 'webgpu' : 'webgl2']?.[app];
  for (const app of ['ours-webgpu', 'three-webgpu', 'ours-webgl2', 'three-webgl']) {
    const s = r.size[app]?.total;
    out.push(`| ${app} | ${kb(s?.gzip9)} | ${kb(s?.brotli)} | ${fmt(ff(app)?.submittedMs, 1)} | ${fmt(ff(app)?.pixelsMs, 1)} |`);
  }
  const sr = r.size.ratios ?? {};
  out.push(`| ours / three.js, WebGPU | ${x(sr.webgpuGzip)} | ${x(sr.webgpuBrotli)} | ${x(r.firstFrame.webgpu?.ratioSubmitted)} | ${x(r.firstFrame.webgpu?.ratioPixels)} |`);
  out.push(`| ours / three.js, WebGL2 | ${x(sr.webgl2Gzip)} | ${x(sr.webgl2Brotli)} | ${x(r.firstFrame.webgl2?.ratioSubmitted)} | ${x(r.firstFrame.webgl2?.ratioPixels)} |`);
  const g = r.gltf ?? {};
  if (g.small || g.large || g.instances) {
    out.push('');
    out.push('**glTF** (WebGPU): import to first frame with pixels — from the model\'s bytes in memory to its first 256×256 frame read back ' +
      '(ours: `import_gltf`, whose first call also loads the importer module, `render_frame`, `read_pixels`; three.js: `GLTFLoader.parseAsync`, ' +
      '`render`, `readRenderTargetPixelsAsync`), each run in a fresh browser, interleaved, median; and the frame cost of instances of the ' +
      'imported box (ours: `duplicate`d nodes, drawn as one instanced draw; three.js: one `InstancedMesh`).');
    out.push('');
    out.push('| measure | model | ours | three.js | ours / three.js |');
    out.push('|---|---|---:|---:|---:|');
    for (const name of ['small', 'large', 'oneMesh']) {
      const row = g[name];
      if (row) out.push(`| import to pixels, ms | ${row.model} | ${fmt(row.ours?.medianMs, 1)} (${row.ours?.drawCalls} draws) | ${fmt(row.three?.medianMs, 1)} (${row.three?.drawCalls} draws) | ${x(row.ratio)} |`);
    }
    if (g.instances) out.push(`| frame CPU, ms from rAF | ${fmt(g.instances.n, 0)} instances of BoxTextured | ${fmt(g.instances.ours?.medianMs, 4)} (${g.instances.ours?.drawCalls} draws) | ${fmt(g.instances.three?.medianMs, 4)} (${g.instances.three?.drawCalls} draws) | ${x(g.instances.ratio)} |`);
    if (g.instances?.ratioBackToBack != null) out.push(`| frame CPU, ms back to back (${g.instances.backToBackCalls} calls, 50 per task) | ${fmt(g.instances.n, 0)} instances of BoxTextured | ${fmt(g.instances.ours?.backToBackMs, 4)} | ${fmt(g.instances.three?.backToBackMs, 4)} | ${x(g.instances.ratioBackToBack)} |`);
    if (g.importerModule) out.push(`| importer download | — | ${kb(g.importerModule.gzip9)} gzip, ${kb(g.importerModule.brotli)} brotli, ${g.importerModule.loaded} | (GLTFLoader is in three.js's bundle) | |`);
  }
  if (r.scale?.length) {
    out.push('');
    out.push('**Collaboration at scale** (`tests/lib/scale.mjs`): N editors (Node y-protocols clients, `scripts/hocuspocus/crowd.mjs`) each drag ' +
      'their own node at 30 Hz and move their pointer; M viewers (read-only tokens) move their camera once a second; all through Hocuspocus ' +
      '(one process, or two sharing Redis), with one engine page (320×240, drawing every frame) on the first server. Latency: from the ' +
      'crowd\'s send to the end of the page frame that drew the edit (p50 / p95 / p99); an edit overtaken by the same editor\'s next one ' +
      'before a frame drew it is "superseded"; editors aim at 30 Hz, and the rate they reached is shown (on a saturated machine the ' +
      'crowd\'s own timers fall behind). Frame: ms inside the engine per frame (render_frame + the sync_receive calls since the ' +
      'previous frame), active / idle (everyone connected, nobody moving), as median and mean (the server coalesces broadcasts, so most ' +
      'frames apply no message: the mean counts those that do); "render_frame alone" is median / mean, without the page\'s own on_change ' +
      'and on_presence listeners, which run inside it (their mean ms per active frame is shown apart). Traffic per client per second, in. Everything, the browser ' +
      'rasterising with SwiftShader included, shares this machine\'s cores: "busy" is all cores together. The last row is a diagnostic: the ' +
      'goal room with Chromium\'s GPU process (SwiftShader) at the lowest CPU priority, as if the GPU were a device of its own.');
    out.push('');
    out.push('| editors | viewers | servers | latency ms p50 / p95 / p99 | edits drawn / superseded | frame ms idle → active (×) | applying ms per frame | per client in: msgs/s, KB/s (editor · viewer) | server CPU %, RSS MiB | crowd CPU % | busy % |');
    out.push('|---:|---:|---|---|---|---|---:|---|---|---:|---:|');
    for (const s of r.scale) {
      const tr = (c) => (c ? `${fmt(c.msgsInPerS, 0)}, ${fmt(c.bytesInPerS / 1000, 1)}` : '—');
      out.push(`| ${s.editors} | ${s.viewers} | ${s.servers}${s.redis ? ' + Redis' : ''}${s.guard === false ? ', guard off' : ''}${s.rasteriserNice ? `, rasteriser at nice ${s.rasteriserNice} (${s.rasteriserThreads} threads)` : ''} | ` +
        `${fmt(s.latencyMs.p50, 1)} / ${fmt(s.latencyMs.p95, 1)} / ${fmt(s.latencyMs.p99, 1)} | ${s.edits.drawn} / ${s.edits.superseded} (${fmt(s.edits.sent / s.activeS / s.editors, 1)} Hz sent per editor) | ` +
        `median ${fmt(s.frame.idleMedianMs)} → ${fmt(s.frame.activeMedianMs)} (${x(s.frame.ratio)}), mean ${fmt(s.frame.idleMeanMs)} → ${fmt(s.frame.activeMeanMs)} (${x(s.frame.meanRatio)}); ` +
        `render_frame alone ${x(s.frame.renderRatio)} / ${x(s.frame.renderMeanRatio)}; page listeners ${fmt(s.frame.activeListenersMeanMs)} | ${fmt(s.frame.activeMessagesMedianMs)} | ` +
        `${tr(s.traffic.editor)} · ${tr(s.traffic.viewer)} | ${s.server.map((v) => `${fmt(v.cpuPercent, 0)}, ${fmt(v.rssMiB, 0)}`).join('; ')} | ${fmt(s.crowdCpuPercent, 0)} | ${fmt(s.machineBusyPercent, 0)} |`);
    }
  }
  out.push('');
  const d = r.calls.demo;
  out.push(`**wasm calls per frame** in the running demo (\`?debug=calls\`): ${d ? `${d.callsInFrames} in ${d.frames} frames, max ${d.maxCallsInOneFrame} in one frame` : '—'}; ` +
    `in the frame benchmark: ${(r.calls.frameBenchmark?.callsPerFrameEveryRun ?? []).length ? [...new Set(r.calls.frameBenchmark.callsPerFrameEveryRun)].join(', ') : '—'} per frame.`);
  const gpu = r.calls.gpu;
  if (gpu) {
    out.push('');
    out.push('**WebGPU calls per frame** (every method of every `GPU*` interface called inside `render_frame`, WebGPU, ' +
      `${r.smoke ? 30 : 1000} spheres; the page wraps them only for this count, not in the timed runs):`);
    out.push('');
    out.push('| frame | calls | which |');
    out.push('|---|---:|---|');
    for (const [kind, row] of Object.entries(gpu)) {
      const which = Object.entries(row.byMethod).map(([m, c]) => `${m.replace(/^GPU/, '')} ${fmt(c, 2)}`).join(', ') || '—';
      out.push(`| ${kind} | ${fmt(row.perFrame, 2)} | ${which} |`);
    }
  }  const gl = r.calls.webgl2;
  if (gl) {
    out.push('');
    out.push('**WebGL2 calls per frame** (every `WebGL2RenderingContext` method called inside `render_frame`, WebGL2 bundle, ' +
      `${r.smoke ? 30 : 1000} spheres):`);
    out.push('');
    out.push('| frame | calls | which |');
    out.push('|---|---:|---|');
    for (const [kind, row] of Object.entries(gl)) {
      const which = Object.entries(row.byMethod).map(([m, c]) => `${m.replace(/^WebGL2RenderingContext\./, '')} ${fmt(c, 2)}`).join(', ') || '—';
      out.push(`| ${kind} | ${fmt(row.perFrame, 2)} | ${which} |`);
    }
  }

  out.push('');
  out.push('**Targets**');
  out.push('');
  out.push('| target | measured | met |');
  out.push('|---|---|---|');
  for (const t of r.targets) out.push(`| ${t.target} | ${typeof t.measured === 'number' ? x(t.measured) : t.measured ?? '—'} | ${t.met ? 'yes' : '**no**'} |`);
  if (Object.keys(r.native).length) {
    out.push('');
    out.push('**Native criterion benchmarks** (medians in brackets: low, median, high)');
    out.push('');
    for (const [key, n] of Object.entries(r.native)) {
      out.push(`\`${n.command}\` (exit ${n.exitCode}):`);
      out.push('');
      out.push('```');
      out.push(...n.summary);
      out.push('```');
      out.push('');
    }
  }
  if (r.notes?.length) {
    out.push('');
    out.push('**Notes**');
    out.push('');
    for (const n of r.notes) out.push(`- ${n}`);
  }
  if (r.errors.length) {
    out.push('');
    out.push(`**Errors**: ${r.errors.map((e) => e.split('\n')[0]).join('; ')}`);
  }
  return `${out.join('\n')}\n`;
}

/** Frame CPU ms against N, log–log, one line per engine and backend. Hand-written SVG, no dependencies. */
export function toSvg(r) {
  const W = 640, H = 400, L = 70, R = 210, T = 50, B = 50;
  const series = [];
  const colours = { ours: '#d9480f', threeInstanced: '#1971c2', threeMesh: '#2f9e44' };
  const names = { ours: 'ours', threeInstanced: 'three.js InstancedMesh', threeMesh: 'three.js Mesh per node' };
  for (const [backend, rows] of Object.entries(r.frame)) {
    for (const key of Object.keys(colours)) {
      const pts = Object.entries(rows).map(([n, row]) => [Number(n), row[key]?.medianMs]).filter(([, v]) => v > 0);
      if (pts.length) series.push({ backend, key, pts });
    }
  }
  const all = series.flatMap((s) => s.pts);
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><text x="20" y="40">no data</text></svg>\n`;
  const lx = (v) => Math.log10(v);
  const [nx0, nx1] = [Math.floor(lx(Math.min(...all.map((p) => p[0])))), Math.ceil(lx(Math.max(...all.map((p) => p[0]))))];
  const [ny0, ny1] = [Math.floor(lx(Math.min(...all.map((p) => p[1])))), Math.ceil(lx(Math.max(...all.map((p) => p[1]))))];
  const sx = (n) => L + ((lx(n) - nx0) / Math.max(1e-9, nx1 - nx0)) * (W - L - R);
  const sy = (v) => H - B - ((lx(v) - ny0) / Math.max(1e-9, ny1 - ny0)) * (H - T - B);
  const s = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  s.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  s.push(`<text x="${L}" y="22" font-size="14" font-weight="bold">Frame CPU cost vs N (median ms in the per-frame call, log–log)</text>`);
  for (let e = ny0; e <= ny1; e++) {
    const y = sy(10 ** e);
    s.push(`<line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#ddd"/><text x="${L - 8}" y="${y + 4}" text-anchor="end">${fmt(10 ** e, 3)}</text>`);
  }
  for (let e = nx0; e <= nx1; e++) {
    const xx = sx(10 ** e);
    s.push(`<line x1="${xx}" y1="${T}" x2="${xx}" y2="${H - B}" stroke="#ddd"/><text x="${xx}" y="${H - B + 16}" text-anchor="middle">${fmt(10 ** e, 0)}</text>`);
  }
  s.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">N (spheres)</text>`);
  s.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">ms per frame</text>`);
  series.forEach((se, i) => {
    const dash = se.backend === 'webgl2' ? ' stroke-dasharray="6 4"' : '';
    const path = se.pts.map(([n, v], k) => `${k ? 'L' : 'M'}${sx(n).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
    s.push(`<path d="${path}" fill="none" stroke="${colours[se.key]}" stroke-width="2"${dash}/>`);
    for (const [n, v] of se.pts) s.push(`<circle cx="${sx(n).toFixed(1)}" cy="${sy(v).toFixed(1)}" r="3" fill="${colours[se.key]}"/>`);
    const ly = T + 10 + i * 20;
    s.push(`<line x1="${W - R + 12}" y1="${ly}" x2="${W - R + 40}" y2="${ly}" stroke="${colours[se.key]}" stroke-width="2"${dash}/>`);
    s.push(`<text x="${W - R + 46}" y="${ly + 4}">${names[se.key]}, ${se.backend}</text>`);
  });
  s.push(`<text x="${L}" y="38" font-size="10" fill="#666">${r.date.slice(0, 10)}, headless Chromium ${r.browser.version ?? ''} on SwiftShader, ${r.machine.nproc} cores; solid: WebGPU, dashed: WebGL2</text>`);
  s.push('</svg>');
  return `${s.join('\n')}\n`;
}
