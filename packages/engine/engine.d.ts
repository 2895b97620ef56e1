// The Engine class and its value types, shared by every entry point of @yscene/engine (hand-written; the
// contract is the project's API.md, the methods are those crates/app-wasm/src/api/*.rs exports).
// wasm-bindgen's generated declarations (dist/pkg/app_wasm.d.ts) say `any` for every object and callback;
// these say what the objects hold. Bytes the engine returns are `Uint8Array<ArrayBuffer>` (fresh, never shared
// memory), so they pass as a `BlobPart` or `BufferSource`; that generic needs TypeScript 5.7 or later.

/** `[x, y, z]`. */
export type Vec3 = [number, number, number];
/** A unit quaternion `[x, y, z, w]`. */
export type Quat = [number, number, number, number];
/** Linear RGB, each 0..1 (emissive: each ≥ 0). */
export type Rgb = [number, number, number];

/** A backend: what `stats().backend` reports and what a bundle is named after. */
export type Backend = "webgpu" | "webgl2";

/** `Engine.create(canvas, options)`. Unknown names and bad values reject, naming them. */
export interface EngineOptions {
  /** `"auto"` (default): WebGPU when an adapter exists, else WebGL2 (the WebGPU-only bundle has no WebGL2). */
  backend?: "auto" | "webgpu" | "webgl2";
  /** `false`: render offscreen only, never presenting to the canvas (thumbnails, tests, headless browsers). Default `true`. */
  present?: boolean;
  /** Offscreen only: frames the GPU may still be working on before `render_frame` skips one. A whole number from 1, or `Infinity`. Default 2. */
  max_frames_in_flight?: number;
  /** `"on_change"` (default): draw only when the picture would change; `"always"`: draw on every `render_frame`. */
  redraw?: "on_change" | "always";
  /** `"auto"` (default): remote bytes are rehearsed in a second instance of the module first, so bytes that would make yrs panic are refused; `"off"`: native checks only. */
  update_guard?: "auto" | "off";
  /** `4` (default): 4× multisampling where the GPU allows it; `1`: one sample per pixel, as three.js's `antialias: false` (`stats().msaa_samples` says which). */
  msaa_samples?: 1 | 4;
}

/** The page's update guard, shared by its engines (`Engine.update_guard_stats()`). */
export interface UpdateGuardStats {
  /** A guard instance is loaded (false where the page's layout hides the engine's glue, e.g. inlined by a bundler). */
  available: boolean;
  /** Instances loaded so far (each trap on hostile bytes costs one). */
  instances: number;
  /** A spare instance is ready to take over after a trap. */
  spare: boolean;
  /** Memory of the instances loaded so far, in bytes. */
  memory_bytes: number;
}

/** `stats()`: the last frame drawn (`draw_calls`, `instances`, `bytes_uploaded`) and the engine's counters. */
export interface Stats {
  backend: Backend;
  /** CPU time of the last `render_frame` call, ms. */
  frame_ms: number;
  draw_calls: number;
  nodes: number;
  /** Drawing-buffer size in physical pixels. */
  width: number;
  height: number;
  instances: number;
  bytes_uploaded: number;
  device_losses: number;
  msaa_samples: number;
  frames_skipped: number;
  frames_unchanged: number;
}

/** What a node is (`get_node(id).kind`): a built-in shape, an imported mesh, or a group that only places its children. */
export type NodeKind = "sphere" | "box" | "plane" | "mesh" | "group";

interface NodeCommon {
  id: string;
  name: string;
  /** The parent's id; `null` for a root. */
  parent: string | null;
  /** Local to the parent. */
  position: Vec3;
  rotation: Quat;
  scale: Vec3;
  color: Rgb;
  metallic: number;
  roughness: number;
  emissive: Rgb;
  visible: boolean;
}

/** `get_node(id)`: one node; the shape's own fields by `kind` (`radius`, `extents`, `size`, or a mesh's asset ids). */
export type NodeInfo =
  | (NodeCommon & NoMesh & { kind: "sphere"; radius: number; extents?: undefined; size?: undefined })
  | (NodeCommon & NoMesh & { kind: "box"; extents: Vec3; radius?: undefined; size?: undefined })
  | (NodeCommon & NoMesh & { kind: "plane"; size: number; radius?: undefined; extents?: undefined })
  | (NodeCommon & NoShape & {
      kind: "mesh";
      /** The mesh asset's id (32 hex digits) in the document's `assets` map. */
      mesh: string;
      /** The surface asset's id (textures, alpha mode, sidedness), or `null` for the default surface. */
      surface: string | null;
    })
  | (NodeCommon & NoShape & NoMesh & { kind: "group" });

/** The size fields a node without a built-in shape lacks (so `node.radius` is `number | undefined` on any node). */
interface NoShape { radius?: undefined; extents?: undefined; size?: undefined }
/** The mesh fields a node that is not a mesh lacks. */
interface NoMesh { mesh?: undefined; surface?: undefined }

/** `import_gltf`'s options. */
export interface ImportOptions {
  /** External buffers and images by the URI the file names them with (as written, or percent-decoded). */
  resources?: Record<string, Uint8Array | ArrayBuffer>;
  /** The node to import under (a root when absent). */
  parent?: string;
}

/** What `import_gltf` added. */
export interface ImportResult {
  /** The model's root nodes, in file order. */
  roots: string[];
  /** What the file held that was not imported (animations, skins, cameras, …), one entry per kind. */
  ignored: string[];
}

/** The directional light (document state). */
export interface Light {
  /** Where the light travels; non-zero. */
  direction: Vec3;
  color: Rgb;
  /** ≥ 0. */
  intensity: number;
}

/** The camera on screen, in world space. */
export interface Camera {
  position: Vec3;
  target: Vec3;
  /** Vertical field of view, degrees, in (0, 180). */
  fov_y_deg: number;
}

/** A user in the room (`peers()`), or us (`presence()`); `null` for what is not known. */
export interface Peer {
  /** The awareness client id (the document's client id). */
  client: number;
  name: string | null;
  color: string | null;
  /** The id of the node this user selected. */
  selected: string | null;
  /** The id of the node this user is dragging (awareness `dragging`, `set_dragging`), drawn in their color for everyone else. */
  dragging: string | null;
  /** The user's camera (shared at most 30 times a second), or null. */
  camera: Camera | null;
  /** The world point under the user's mouse (shared at most 30 times a second), or null. */
  pointer: [number, number, number] | null;
}

/** `set_presence`: a name of 1 to 64 characters and a CSS hex color (`#rrggbb` or `#rgb`). */
export interface PresenceInput {
  name: string;
  color: string;
}

/** What a frame applied: node ids (`on_change`). */
export interface SceneChangeEvent {
  added: string[];
  changed: string[];
  removed: string[];
}

/** `set_aov_mode`: what the view shows. */
export type AovMode = "beauty" | "albedo" | "normal" | "depth" | "object_id";

/** Mouse button of `on_mouse_drag`: 0 orbits, 1 (middle) or 2 (right) pans. */
export type DragButton = 0 | 1 | 2;

/**
 * A 3D view on a canvas, drawing a collaborative scene document (a Yjs-compatible CRDT). Create one with
 * `await Engine.create(canvas, options)` after `await init()`. Every invalid argument throws an `Error`
 * naming the problem and changes nothing.
 */
export declare class Engine {
  private constructor();

  // Lifecycle
  /** Picks a backend, opens the GPU and resolves to a ready engine; rejects naming what is missing, or a bad option. */
  static create(canvas: HTMLCanvasElement, options?: EngineOptions): Promise<Engine>;
  /** Engines alive in this wasm instance (created and not yet freed or garbage-collected). */
  static live_count(): number;
  /** The page's update guard: whether it is loaded, how many instances, their memory. */
  static update_guard_stats(): UpdateGuardStats;
  /** The one call per animation frame; `dt` in seconds (finite, ≥ 0). */
  render_frame(dt: number): void;
  /** The canvas's CSS size or pixel ratio changed; the engine sets the drawing buffer itself. */
  resize(css_width: number, css_height: number, device_pixel_ratio: number): void;
  stats(): Stats;
  /** Releases GPU resources, callbacks and memory now; any later call throws "this engine was freed". */
  free(): void;
  /** Test hook: loses the GPU device as a driver crash would; later frames recreate it from the document. */
  debug_lose_device(): void;

  // Scene (the document: undoable and synced)
  add_sphere(x: number, y: number, z: number, radius: number): string;
  /** Full extents. */
  add_box(x: number, y: number, z: number, sx: number, sy: number, sz: number): string;
  /** A horizontal square plane of side `size`. */
  add_plane(x: number, y: number, z: number, size: number): string;
  set_sphere_radius(id: string, radius: number): void;
  set_box_extents(id: string, sx: number, sy: number, sz: number): void;
  set_plane_size(id: string, size: number): void;
  /** Local to the parent. */
  set_position(id: string, x: number, y: number, z: number): void;
  /** A quaternion, normalised by the engine; a zero or non-finite one throws. */
  set_rotation(id: string, x: number, y: number, z: number, w: number): void;
  set_scale(id: string, sx: number, sy: number, sz: number): void;
  /** Base color, linear, each 0..1. */
  set_color(id: string, r: number, g: number, b: number): void;
  set_material(id: string, metallic: number, roughness: number): void;
  set_emissive(id: string, r: number, g: number, b: number): void;
  set_name(id: string, name: string): void;
  set_visible(id: string, visible: boolean): void;
  /** Moves `id` under `parent` (none: makes it a root), keeping its local transform; a cycle throws. */
  set_parent(id: string, parent?: string | null): void;
  /** A node's children in order; the roots for none. */
  children(id?: string | null): string[];
  /** Deep copy of the subtree under the same parent; returns the new root's id. */
  duplicate(id: string): string;
  /** Removes the node and its subtree. */
  remove_node(id: string): void;
  get_node(id: string): NodeInfo;
  /** Ids of all nodes, sorted. */
  node_ids(): string[];
  /** Missing fields keep their current value. */
  set_light(light: Partial<Light>): void;
  get_light(): Light;
  /** Clear color, linear RGB (document state). */
  set_background(r: number, g: number, b: number): void;
  /** Imports a glTF 2.0 file (GLB, or JSON with data URIs or `options.resources`) as ordinary nodes and shared, content-addressed assets: one undo step. Resolves once its images are decoded; rejects, adding nothing, naming what is wrong with a malformed or hostile file. */
  import_gltf(bytes: Uint8Array | ArrayBuffer, options?: ImportOptions): Promise<ImportResult>;
  /** Runs `fn()`: its edits become one undo step, one `on_local_update` call and one `on_change` event; if it throws, its edits are undone and the error rethrown. */
  batch(fn: () => void): void;
  /** The next edit starts a new undo step. */
  end_undo_step(): void;
  undo(): boolean;
  redo(): boolean;
  can_undo(): boolean;
  can_redo(): boolean;
  /** While true, every local edit call throws an Error saying the engine is read-only; remote updates still apply. */
  set_read_only(read_only: boolean): void;
  /** Whether `set_read_only(true)` is in force. */
  is_read_only(): boolean;
  /** `callback(change)` after a frame applied local or remote edits; at most once per frame, never re-entrantly. `null` stops. */
  on_change(callback: ((change: SceneChangeEvent) => void) | null): void;

  // View (local to this engine)
  set_aov_mode(mode: AovMode): void;
  /** CSS pixels moved; button 0 orbits, 1 or 2 pans; any other button throws. */
  on_mouse_drag(dx: number, dy: number, button: DragButton): void;
  /** Zoom, as a WheelEvent's deltaY (> 0 zooms out). */
  on_wheel(delta_y: number): void;
  frame_all(): void;
  get_camera(): Camera;
  /** Missing fields keep their current value. */
  set_camera(camera: Partial<Camera>): void;
  /** The id of the node under CSS pixel (x, y) of the canvas, or undefined. */
  pick(x: number, y: number): string | undefined;
  /** Where a world point appears on the canvas, `[css_x, css_y]` from its top-left corner; undefined behind the camera or off the canvas. */
  project(x: number, y: number, z: number): [number, number] | undefined;
  /** Highlights `id`; none clears the selection. */
  select(id?: string | null): void;
  selected(): string | undefined;
  /** RGBA8 of the current view at drawing-buffer size, rows top to bottom. */
  read_pixels(): Promise<Uint8Array<ArrayBuffer>>;

  // Collaboration (Yjs v1 updates unless named v2)
  encode_state(): Uint8Array<ArrayBuffer>;
  apply_update(update: Uint8Array): void;
  encode_state_v2(): Uint8Array<ArrayBuffer>;
  apply_update_v2(update: Uint8Array): void;
  /** What a document with this v1 state vector lacks, as a v1 update. */
  encode_diff(state_vector: Uint8Array): Uint8Array<ArrayBuffer>;
  /** `callback(update)` after local edits, from a microtask, never re-entrantly. `null` stops. */
  on_local_update(callback: ((update: Uint8Array<ArrayBuffer>) => void) | null): void;
  /** y-protocols messages to send when a connection opens. */
  sync_open(): Uint8Array<ArrayBuffer>[];
  /** One incoming y-protocols message; returns the replies for the same connection. */
  sync_receive(message: Uint8Array): Uint8Array<ArrayBuffer>[];
  /** The connection went away: forget the other users' presence. */
  sync_closed(): void;
  /** Messages to send before closing on purpose. */
  sync_leave(): Uint8Array<ArrayBuffer>[];
  /** `callback(message)` with a sync update after each local edit and an awareness message after each presence change. `null` stops. */
  on_sync_message(callback: ((message: Uint8Array<ArrayBuffer>) => void) | null): void;
  set_presence(presence: PresenceInput): void;
  /** The mouse moved over the canvas to (x, y) CSS pixels: peers see the world point under it as a pin (at most 30 times a second). `attachControls` calls it. */
  on_pointer_move(x: number, y: number): void;
  /** The mouse left the canvas: peers stop seeing our pointer. */
  on_pointer_leave(): void;
  /** We are dragging node `id` (moving it by hand) or, with `undefined`/`null`, stopped: peers see awareness `dragging` and draw that node in our color. Throws for an id not in the scene. */
  set_dragging(id: string | null | undefined): void;
  presence(): Peer;
  peers(): Peer[];
  /** `callback(peers)` when a peer joins, changes or leaves, or our presence changes: after the next `render_frame`, at most once per frame (without frames for 100 ms, after the call). `null` stops. */
  on_presence(callback: ((peers: Peer[]) => void) | null): void;
  /** The camera eases to track peer `client`'s shared camera; `undefined` stops (so do dragging, wheeling, `frame_all`, `set_camera` and the peer leaving). Throws for a client not in the room. */
  follow(client?: number | null): void;
  /** The client id followed, or undefined. */
  following(): number | undefined;
}

/** What a bundle's wasm `init` takes instead of the bundled file (wasm-bindgen's `InitInput`). */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** What a bundle's `init` resolves to: the wasm module's exports (its linear memory among them). */
export interface WasmExports {
  readonly memory: WebAssembly.Memory;
}
