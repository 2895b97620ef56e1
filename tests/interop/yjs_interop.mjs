// Yjs <-> app-scene interop. Run by crates/app-scene/tests/interop.rs:
//   SCENE_FROM_RUST=<v1 update written by app-scene> SCENE_TO_RUST=<path> node yjs_interop.mjs
// Reads the Rust document with the npm `yjs` package, checks it follows the schema in
// crates/app-scene/README.md, prints a JSON summary, then writes a v1 (and .v2) update that edits a
// Rust node and adds nodes of its own, for app-scene to read back.
import * as Y from 'yjs'
import { readFileSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'

const from = process.env.SCENE_FROM_RUST
const to = process.env.SCENE_TO_RUST
if (!from || !to) {
  console.error('set SCENE_FROM_RUST and SCENE_TO_RUST')
  process.exit(2)
}

const doc = new Y.Doc()
Y.applyUpdate(doc, readFileSync(from))
const nodes = doc.getMap('nodes')
const fail = (msg) => { console.error(msg); process.exit(1) }

const summary = {
  nodes: {},
  light: doc.getMap('lights').get('sun') ?? null,
  background: doc.getMap('lights').get('background') ?? null,
  schema: doc.getMap('meta').get('schema_version'),
  assets: {},
}
// Assets: binary values under the first 16 bytes of their SHA-256, in hex; an 8-byte tag names the kind.
for (const [id, bytes] of doc.getMap('assets')) {
  if (!(bytes instanceof Uint8Array)) fail(`asset ${id} is not binary`)
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32)
  if (hash !== id) fail(`asset ${id}: its bytes hash to ${hash}`)
  summary.assets[id] = { tag: new TextDecoder().decode(bytes.subarray(0, 8)), bytes: bytes.length }
}
for (const [id, node] of nodes) {
  if (!(node instanceof Y.Map)) fail(`node ${id} is not a Y.Map`)
  const kind = node.get('kind')
  if (!['sphere', 'box', 'plane', 'mesh', 'group'].includes(kind)) fail(`node ${id}: bad kind ${kind}`)
  if (kind === 'mesh' && !doc.getMap('assets').has(node.get('mesh'))) fail(`node ${id}: its mesh is not in assets`)
  const transform = node.get('transform')
  if (!Array.isArray(transform) || transform.length !== 10) fail(`node ${id}: bad transform`)
  const placement = node.get('placement')
  if (!Array.isArray(placement) || placement.length !== 2) fail(`node ${id}: bad placement`)
  summary.nodes[id] = {
    kind,
    name: node.get('name') ?? '',
    parent: placement[0],
    translation: transform.slice(0, 3),
    radius: node.get('radius'),
    extents: node.get('extents'),
    size: node.get('size'),
    material: node.get('material'),
    transform,
    visible: node.get('visible') ?? true,
    mesh: node.get('mesh'),
    surface: node.get('surface'),
  }
}
console.log(JSON.stringify(summary))

// Edit as a Yjs peer would: change the Rust sphere's radius, add a box under it, add a plane.
const sphereId = Object.keys(summary.nodes).find((id) => summary.nodes[id].kind === 'sphere')
if (!sphereId) fail('no sphere from Rust')
const before = Y.encodeStateVector(doc)
doc.transact(() => {
  nodes.get(sphereId).set('radius', 2.5)
  const box = new Y.Map()
  nodes.set('js-box', box)
  box.set('kind', 'box')
  box.set('name', 'from yjs')
  box.set('placement', [sphereId, 'zz'])
  box.set('transform', [1, 2, 3, 0, 0, 0, 1, 1, 1, 1])
  box.set('extents', [0.5, 1, 2])
  box.set('material', [1, 0, 0, 0.5, 0.25, 0, 0, 0])
  box.set('visible', false)
  const plane = new Y.Map()
  nodes.set('js-plane', plane)
  plane.set('kind', 'plane')
  plane.set('size', 8)
  doc.getMap('lights').set('sun', { direction: [0, -1, 0], color: [1, 1, 1], intensity: 4 })
})
writeFileSync(to, Y.encodeStateAsUpdate(doc))
writeFileSync(to + '.v2', Y.encodeStateAsUpdateV2(doc))
writeFileSync(to + '.diff', Y.encodeStateAsUpdate(doc, before))
