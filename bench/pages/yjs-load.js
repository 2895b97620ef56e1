// Yjs side of the scene-load benchmark (bundled into /dist/yjs-load.js): loads our engine's encoded
// 10,000-node update into a new Y.Doc with Y.applyUpdate, and measures the JS heap it takes.
import * as Y from 'yjs';

const decode = (base64) => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

window.yjsBench = {
  load(base64, repeats = 5) {
    const bytes = decode(base64);
    const ms = [];
    let nodes = 0;
    for (let r = 0; r < repeats; r++) {
      const doc = new Y.Doc();
      const a = performance.now();
      Y.applyUpdate(doc, bytes);
      ms.push(performance.now() - a);
      nodes = doc.getMap('nodes').size;
      doc.destroy();
    }
    return { applyMs: median(ms), nodes };
  },
  /** JS heap growth (performance.memory with --enable-precise-memory-info, after gc()) per loaded node. */
  heap(base64) {
    const bytes = decode(base64);
    gc(); gc();
    const h0 = performance.memory.usedJSHeapSize;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, bytes);
    window.keepDoc = doc;
    gc(); gc();
    const h1 = performance.memory.usedJSHeapSize;
    return { nodes: doc.getMap('nodes').size, heapGrowth: h1 - h0 };
  },
  version: '13.6.33',
};
document.body.dataset.ready = 'true';
