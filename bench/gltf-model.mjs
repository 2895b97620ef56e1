// Generates the large glTF benchmark model in Node: a GLB of `meshes` wavy grids (one mesh, material and
// base-color texture each: `textures` PNGs of `textureSide`² pixels) with `triangles` triangles in all,
// POSITION, NORMAL and TEXCOORD_0 in their own views, u32 indices. Deterministic (same bytes every run).
//   largeModel({ triangles: 500_000, textures: 16, textureSide: 256 }) → Uint8Array (GLB)
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An RGBA8 PNG (filter 0 on every row). */
export function png(width, height, rgba) {
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    Buffer.from(data).copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A texture with a hue per index and a checker, so every texel is not the same. */
function texture(index, side) {
  const rgba = new Uint8Array(side * side * 4);
  const hue = (index * 0.618) % 1;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const checker = ((x >> 4) + (y >> 4)) % 2 ? 1 : 0.7;
      const i = (y * side + x) * 4;
      rgba[i] = 255 * checker * (0.5 + 0.5 * Math.cos(6.283 * hue));
      rgba[i + 1] = 255 * checker * (0.5 + 0.5 * Math.cos(6.283 * (hue - 0.33)));
      rgba[i + 2] = 255 * checker * (0.5 + 0.5 * Math.cos(6.283 * (hue - 0.67)));
      rgba[i + 3] = 255;
    }
  }
  return png(side, side, rgba);
}

export function largeModel({ triangles = 500_000, textures = 16, textureSide = 256 } = {}) {
  const meshes = textures;
  const quads = Math.ceil(triangles / meshes / 2);
  const cells = Math.ceil(Math.sqrt(quads));
  const verts = (cells + 1) ** 2;
  const chunks = [];
  let offset = 0;
  const views = [];
  const add = (bytes, target) => {
    const pad = (4 - (offset % 4)) % 4;
    if (pad) { chunks.push(new Uint8Array(pad)); offset += pad; }
    views.push({ buffer: 0, byteOffset: offset, byteLength: bytes.byteLength, ...(target ? { target } : {}) });
    chunks.push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    offset += bytes.byteLength;
    return views.length - 1;
  };
  const json = {
    asset: { version: '2.0', generator: 'yscene bench/gltf-model.mjs' },
    scene: 0, scenes: [{ nodes: [] }], nodes: [], meshes: [], materials: [], textures: [], images: [], accessors: [],
    samplers: [{ magFilter: 9729, minFilter: 9987, wrapS: 10497, wrapT: 10497 }], bufferViews: views, buffers: [],
  };
  const side = Math.ceil(Math.sqrt(meshes));
  for (let m = 0; m < meshes; m++) {
    const position = new Float32Array(verts * 3);
    const normal = new Float32Array(verts * 3);
    const uv = new Float32Array(verts * 2);
    for (let y = 0; y <= cells; y++) {
      for (let x = 0; x <= cells; x++) {
        const v = y * (cells + 1) + x;
        const u = x / cells, w = y / cells;
        const h = 0.08 * Math.sin(u * 12 + m) * Math.cos(w * 12);
        position.set([u - 0.5, h, w - 0.5], v * 3);
        const dx = 0.08 * 12 * Math.cos(u * 12 + m) * Math.cos(w * 12);
        const dz = -0.08 * 12 * Math.sin(u * 12 + m) * Math.sin(w * 12);
        const len = Math.hypot(dx, 1, dz);
        normal.set([-dx / len, 1 / len, -dz / len], v * 3);
        uv.set([u * 2, w * 2], v * 2);
      }
    }
    const index = new Uint32Array(cells * cells * 6);
    let k = 0;
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        const a = y * (cells + 1) + x, b = a + cells + 1;
        index.set([a, b, a + 1, a + 1, b, b + 1], k);
        k += 6;
      }
    }
    const acc = (view, componentType, count, type, extra = {}) => {
      json.accessors.push({ bufferView: view, componentType, count, type, ...extra });
      return json.accessors.length - 1;
    };
    const p = acc(add(position, 34962), 5126, verts, 'VEC3', { min: [-0.5, -0.08, -0.5], max: [0.5, 0.08, 0.5] });
    const n = acc(add(normal, 34962), 5126, verts, 'VEC3');
    const t = acc(add(uv, 34962), 5126, verts, 'VEC2');
    const i = acc(add(index, 34963), 5125, index.length, 'SCALAR');
    json.images.push({ bufferView: add(texture(m, textureSide)), mimeType: 'image/png' });
    json.textures.push({ source: m, sampler: 0 });
    json.materials.push({ pbrMetallicRoughness: { baseColorTexture: { index: m }, metallicFactor: 0, roughnessFactor: 0.7 } });
    json.meshes.push({ primitives: [{ attributes: { POSITION: p, NORMAL: n, TEXCOORD_0: t }, indices: i, material: m }] });
    json.nodes.push({ mesh: m, translation: [(m % side) * 1.1 - (side - 1) * 0.55, 0, Math.floor(m / side) * 1.1 - (side - 1) * 0.55] });
    json.scenes[0].nodes.push(m);
  }
  json.buffers.push({ byteLength: offset });
  const bin = new Uint8Array(Math.ceil(offset / 4) * 4);
  let at = 0;
  for (const c of chunks) { bin.set(c, at); at += c.byteLength; }
  return { glb: packGlb(json, bin), triangles: meshes * cells * cells * 2, textures: meshes };
}

/** A GLB file: `json` (an object) as its JSON chunk, space-padded, and `bin` (bytes) zero-padded as its BIN chunk. */
export function packGlb(json, bin) {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const jsonPadded = new Uint8Array(Math.ceil(text.length / 4) * 4).fill(0x20);
  jsonPadded.set(text);
  const binPadded = new Uint8Array(Math.ceil(bin.length / 4) * 4);
  binPadded.set(bin);
  const glb = new Uint8Array(12 + 8 + jsonPadded.length + 8 + binPadded.length);
  const dv = new DataView(glb.buffer);
  dv.setUint32(0, 0x46546c67, true); dv.setUint32(4, 2, true); dv.setUint32(8, glb.length, true);
  dv.setUint32(12, jsonPadded.length, true); dv.setUint32(16, 0x4e4f534a, true); glb.set(jsonPadded, 20);
  const b = 20 + jsonPadded.length;
  dv.setUint32(b, binPadded.length, true); dv.setUint32(b + 4, 0x004e4942, true); glb.set(binPadded, b + 8);
  return glb;
}
