// The starter scene and where new nodes go.
//
// Why this exists: a newcomer's first impression is the first frame. An empty void with one grey ball
// says nothing; a small still life — a ground plane, a few spheres and boxes in different colours and
// materials (rough clay, polished gold, glossy plastic, matte stone) — shows the lighting, shadows and
// materials at once and gives something to click. This module also decides where "add sphere/box/plane"
// puts a node (on the ground, spiralling out around the centre, so new nodes neither overlap the starter
// objects exactly nor fly off screen). All calls here are document edits made once, outside the frame loop.

import { randomPleasantLinear } from './color.js';

/** The starter objects. Colours are linear RGB. */
const STARTER = {
  ground: { size: 8, color: [0.2, 0.19, 0.18], metallic: 0, roughness: 0.95 },
  spheres: [
    { name: 'clay', at: [0, 1, 0], radius: 1, color: [0.8, 0.16, 0.09], metallic: 0, roughness: 0.45 },
    { name: 'gold', at: [2.3, 0.65, 0.9], radius: 0.65, color: [1.0, 0.71, 0.29], metallic: 1, roughness: 0.25 },
    { name: 'plastic', at: [-2.1, 0.5, 1.3], radius: 0.5, color: [0.06, 0.22, 0.85], metallic: 0, roughness: 0.12 },
  ],
  boxes: [
    { name: 'stone', at: [-1.7, 0.6, -1.5], extents: [1.2, 1.2, 1.2], color: [0.12, 0.5, 0.42], metallic: 0, roughness: 0.7 },
    { name: 'bar', at: [1.9, 0.35, -1.7], extents: [2.2, 0.7, 0.7], color: [0.85, 0.85, 0.82], metallic: 0.3, roughness: 0.35 },
  ],
};

/**
 * Adds the starter scene to `engine` (the caller frames it). Returns the ids by role:
 * `{ ground, spheres: [...], boxes: [...], byName: { clay, gold, plastic, stone, bar, ground } }`.
 */
export function buildStarterScene(engine) {
  const byName = {};
  const g = STARTER.ground;
  const ground = engine.add_plane(0, 0, 0, g.size);
  engine.set_color(ground, ...g.color);
  engine.set_material(ground, g.metallic, g.roughness);
  byName.ground = ground;

  const spheres = STARTER.spheres.map((s) => {
    const id = engine.add_sphere(...s.at, s.radius);
    engine.set_color(id, ...s.color);
    engine.set_material(id, s.metallic, s.roughness);
    byName[s.name] = id;
    return id;
  });
  const boxes = STARTER.boxes.map((b) => {
    const id = engine.add_box(...b.at, ...b.extents);
    engine.set_color(id, ...b.color);
    engine.set_material(id, b.metallic, b.roughness);
    byName[b.name] = id;
    return id;
  });
  return { ground, spheres, boxes, byName };
}

let placed = 0;

/** The next free spot on the ground for a new node: a golden-angle spiral around the centre. */
function nextSpot() {
  placed++;
  const angle = placed * 2.39996; // golden angle, radians
  const r = 1.2 + 0.45 * Math.sqrt(placed);
  return [Math.cos(angle) * r, Math.sin(angle) * r];
}

/** Adds a node of `kind` ("sphere" | "box" | "plane") with a random pleasant colour; returns its id. */
export function addNode(engine, kind) {
  const [x, z] = nextSpot();
  let id;
  if (kind === 'sphere') id = engine.add_sphere(x, 0.5, z, 0.5);
  else if (kind === 'box') id = engine.add_box(x, 0.4, z, 0.8, 0.8, 0.8);
  else if (kind === 'plane') id = engine.add_plane(x, 0.02, z, 2);
  else throw new Error(`unknown node kind ${kind}`);
  engine.set_color(id, ...randomPleasantLinear());
  engine.set_material(id, Math.random() < 0.3 ? 1 : 0, 0.2 + Math.random() * 0.6);
  return id;
}
