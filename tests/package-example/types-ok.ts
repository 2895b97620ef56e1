// Type-checked, never run (tests/package.test.mjs: `tsc --strict --noEmit` must pass): every export of every
// entry point of @yscene/engine, used as a program would, with the types spelled out where they are the point.
import init, { Engine, hasWebGpuAdapter } from "@yscene/engine";
import type {
  AovMode, Backend, Camera, DragButton, EngineOptions, ImportOptions, ImportResult, InitInput, InitOptions, InitResult,
  Light, NodeInfo, NodeKind, Peer, PresenceInput, Quat, Rgb, SceneChangeEvent, Stats, UpdateGuardStats, Vec3, WasmExports,
} from "@yscene/engine";
import initWebGpu, { Engine as WebGpuEngine } from "@yscene/engine/webgpu";
import type { BundleInitOptions } from "@yscene/engine/webgpu";
import initWebGl2, { Engine as WebGl2Engine } from "@yscene/engine/webgl2";
import { attachControls } from "@yscene/engine/controls";
import { enableGltfImport, loadGltf } from "@yscene/engine/gltf";
import type { GltfProgress, LoadGltfOptions } from "@yscene/engine/gltf";
import type { ControlledEngine, ControlsOptions } from "@yscene/engine/controls";
import {
  ROOM_PATTERN, checkRoom, roomUrl, connectWebSocket, connectHocuspocus, hocuspocusFrame, hocuspocusUnframe,
  broadcastChannelName, connectBroadcast, createSyncHub, syncMessage, updateOfSyncMessage, PREFERRED_TRIM_SIZE,
  openDatabase, openPersistence, clearDocument, SCENE_FILE_NAME, MAX_SCENE_FILE_BYTES, sceneFileBytes, exportScene,
  importSceneBytes, importSceneFile, PALETTE, friendlyName, presenceFromParams, mountPresence, GuardRejection,
  createGuard,
} from "@yscene/engine/collab";
import type {
  BroadcastConnection, Connection, ConnectionStatus, GuardEvent, GuardOptions, HocuspocusConnection, Persistence,
  PresenceUser, SyncHub, UpdateGuard,
} from "@yscene/engine/collab";

export async function everything(canvas: HTMLCanvasElement): Promise<void> {
  // "." : init picks the bundle
  const adapter: boolean = await hasWebGpuAdapter();
  const initOptions: InitOptions = { backend: adapter ? "auto" : "webgl2", wasm: { webgpu: new URL("https://x/a.wasm") } };
  const loaded: InitResult = await init(initOptions);
  const bundle: Backend = loaded.bundle;
  const memory: WebAssembly.Memory = loaded.wasm.memory;
  const same: typeof Engine = loaded.Engine;
  await init();

  // Lifecycle
  const options: EngineOptions = { backend: "auto", present: false, max_frames_in_flight: Infinity, redraw: "always" };
  const engine: Engine = await same.create(canvas, options);
  await Engine.create(canvas);
  const live: number = Engine.live_count();
  engine.resize(canvas.clientWidth, canvas.clientHeight, devicePixelRatio);
  engine.render_frame(1 / 60);
  const stats: Stats = engine.stats();
  const backend: Backend = stats.backend;
  const counters: number[] = [
    stats.frame_ms, stats.draw_calls, stats.nodes, stats.width, stats.height, stats.instances, stats.bytes_uploaded,
    stats.device_losses, stats.msaa_samples, stats.frames_skipped, stats.frames_unchanged,
  ];
  engine.debug_lose_device();

  // Scene
  const sphere: string = engine.add_sphere(0, 0, 0, 1);
  const box: string = engine.add_box(2, 0, 0, 1, 2, 3);
  const plane: string = engine.add_plane(0, -1, 0, 10);
  engine.set_sphere_radius(sphere, 1.5);
  engine.set_box_extents(box, 1, 1, 1);
  engine.set_plane_size(plane, 20);
  engine.set_position(sphere, 1, 2, 3);
  engine.set_rotation(sphere, 0, 0, 0, 1);
  engine.set_scale(sphere, 1, 2, 1);
  engine.set_color(sphere, 0.5, 0.5, 0.5);
  engine.set_material(sphere, 0, 0.5);
  engine.set_emissive(sphere, 1, 0, 0);
  engine.set_name(sphere, "ball");
  engine.set_visible(box, false);
  engine.set_parent(box, sphere);
  engine.set_parent(box, undefined);
  engine.set_parent(box);
  const roots: string[] = engine.children();
  const kids: string[] = engine.children(sphere);
  const copy: string = engine.duplicate(sphere);
  engine.remove_node(copy);
  const node: NodeInfo = engine.get_node(sphere);
  const kind: NodeKind = node.kind;
  const parent: string | null = node.parent;
  const position: Vec3 = node.position;
  const rotation: Quat = node.rotation;
  const color: Rgb = node.color;
  const fields: [string, string, boolean, number, number, Vec3, Rgb] = [
    node.id, node.name, node.visible, node.metallic, node.roughness, node.scale, node.emissive,
  ];
  const maybeRadius: number | undefined = node.radius;
  if (node.kind === "sphere") {
    const radius: number = node.radius;
  } else if (node.kind === "box") {
    const extents: Vec3 = node.extents;
  } else if (node.kind === "plane") {
    const size: number = node.size;
  } else if (node.kind === "mesh") {
    const asset: string = node.mesh;
  } else {
    const group: "group" = node.kind;
  }
  const ids: string[] = engine.node_ids();
  const light: Light = engine.get_light();
  engine.set_light({ direction: [0, -1, 0], color: [1, 1, 1], intensity: 3 });
  engine.set_light({ intensity: light.intensity * 2 });
  engine.set_background(0.1, 0.1, 0.12);
  engine.batch(() => {
    engine.set_position(sphere, 0, 0, 0);
    engine.set_color(sphere, 1, 1, 1);
  });
  engine.end_undo_step();
  const undone: boolean = engine.undo();
  const redone: boolean = engine.redo();
  const can: [boolean, boolean] = [engine.can_undo(), engine.can_redo()];
  engine.on_change((change: SceneChangeEvent) => {
    const touched: string[] = [...change.added, ...change.changed, ...change.removed];
  });
  engine.on_change(null);

  // View
  const aov: AovMode = "object_id";
  engine.set_aov_mode(aov);
  engine.set_aov_mode("beauty");
  const button: DragButton = 2;
  engine.on_mouse_drag(10, -4, 0);
  engine.on_mouse_drag(10, -4, button);
  engine.on_wheel(120);
  engine.frame_all();
  const camera: Camera = engine.get_camera();
  engine.set_camera({ position: camera.position, target: [0, 0, 0], fov_y_deg: camera.fov_y_deg });
  engine.set_camera({ fov_y_deg: 60 });
  const picked: string | undefined = engine.pick(160, 120);
  const onCanvas: [number, number] | undefined = engine.project(0, 0, 0);
  engine.set_read_only(false);
  const readOnly: boolean = engine.is_read_only();
  const updateGuard: UpdateGuardStats = Engine.update_guard_stats();
  void updateGuard.memory_bytes;
  engine.follow(undefined);
  const followed: number | undefined = engine.following();
  void followed;
  void onCanvas;
  void readOnly;
  engine.select(picked);
  engine.select(null);
  engine.select();
  const selected: string | undefined = engine.selected();
  const pixels: Uint8Array = await engine.read_pixels();

  // Collaboration
  const state: Uint8Array = engine.encode_state();
  engine.apply_update(state);
  const state2: Uint8Array = engine.encode_state_v2();
  engine.apply_update_v2(state2);
  const diff: Uint8Array = engine.encode_diff(new Uint8Array([0]));
  engine.on_local_update((update: Uint8Array) => { update.byteLength; });
  engine.on_local_update(null);
  const opening: Uint8Array[] = engine.sync_open();
  const replies: Uint8Array[] = engine.sync_receive(opening[0]);
  engine.sync_closed();
  const leaving: Uint8Array[] = engine.sync_leave();
  engine.on_sync_message((message: Uint8Array) => { message.byteLength; });
  engine.on_sync_message(null);
  const me: PresenceInput = { name: "Ada", color: "#e91e63" };
  engine.set_presence(me);
  const us: Peer = engine.presence();
  const peers: Peer[] = engine.peers();
  const client: number = us.client;
  const peerName: string | null = peers[0]?.name ?? null;
  const peerPointer: [number, number, number] | null = peers[0]?.pointer ?? null;
  engine.on_pointer_move(12, 34);
  engine.on_pointer_leave();
  engine.set_dragging("node-1");
  engine.set_dragging(undefined);
  const peerDragging: string | null = peers[0]?.dragging ?? null;
  engine.on_presence((list: Peer[]) => { list.length; });
  engine.on_presence(null);
  engine.free();

  // "./webgpu" and "./webgl2": one bundle each
  const bundleOptions: BundleInitOptions = { module_or_path: new URL("https://x/app_wasm_bg.wasm") };
  const exports: WasmExports = await initWebGpu();
  await initWebGpu(bundleOptions);
  const input: InitInput = new Uint8Array(8);
  await initWebGl2({ module_or_path: input });
  const gpuEngine: WebGpuEngine = await WebGpuEngine.create(canvas, { backend: "webgpu" });
  const glEngine: WebGl2Engine = await WebGl2Engine.create(canvas, { backend: "webgl2", present: true, msaa_samples: 1 });
  const interchangeable: Engine[] = [gpuEngine, glEngine, engine];

  // "./controls"
  const controlsOptions: ControlsOptions = {
    select: false,
    onSelect: (id: string | undefined, point: { x: number; y: number }) => { if (id) gpuEngine.select(id); point.x; },
  };
  const controlled: ControlledEngine = gpuEngine;
  const dispose: () => void = attachControls(controlled, canvas, controlsOptions);
  dispose();
  attachControls(glEngine, canvas)();

  // import_gltf and "./gltf"
  const importOptions: ImportOptions = { resources: { "scene.bin": new Uint8Array(4) }, parent: undefined };
  const imported: ImportResult = await engine.import_gltf(new Uint8Array(0), importOptions);
  const firstRoot: string | undefined = imported.roots[0];
  const skipped: string[] = imported.ignored;
  const info: NodeInfo = engine.get_node(firstRoot ?? "");
  if (info.kind === "mesh") {
    const meshId: string = info.mesh;
    const surfaceId: string | null = info.surface;
    void meshId, surfaceId;
  }
  enableGltfImport();
  const loadOptions: LoadGltfOptions = { onProgress: (p: GltfProgress) => void (p.loaded / (p.total || 1)) };
  const loaded2: ImportResult = await loadGltf(engine, "/models/box.glb", loadOptions);
  void skipped, loaded2;

  // "./collab"
  const pattern: RegExp = ROOM_PATTERN;
  const room: string = checkRoom("demo");
  const url: string = roomUrl("ws://127.0.0.1:1234", room);
  const guardOptions: GuardOptions = {
    bundleUrl: "/engine/pkg/app_wasm.js",
    spares: 1,
    rehearsal: "diff",
    onEvent: (event: GuardEvent) => { if (event.type === "trap") event.message.length; },
  };
  const guard: UpdateGuard = await createGuard(gpuEngine, guardOptions);
  await guard.ready;
  const guardStats: number = guard.stats.checked + guard.memoryBytes().current;
  const mirror: Uint8Array | undefined = guard.mirrorState();
  try {
    guard.receive(new Uint8Array([0, 0, 0]));
    guard.applyUpdate(state);
    guard.applyUpdateV2(state2);
  } catch (error) {
    if (error instanceof GuardRejection) { const why: boolean = error.trapped || error.unavailable; }
  }
  const rejection = new GuardRejection("no", { trapped: true });
  const status: ConnectionStatus = "connected";
  const hub: SyncHub = createSyncHub(gpuEngine);
  const ws: Connection = connectWebSocket(hub.transport(), {
    url: "ws://127.0.0.1:1234", room, guard, onStatus: (s: ConnectionStatus) => { s === status; }, minDelayMs: 100, maxDelayMs: 5000,
  });
  const wsInfo: [string, string, number] = [ws.status, ws.url, ws.stats.framesSent];
  ws.disconnect();
  ws.connect();
  ws.debugDropSocket();
  ws.close();
  const hp: HocuspocusConnection = connectHocuspocus(hub.transport(), { url: "ws://127.0.0.1:1235", document: room, token: "t" });
  const denied: string | null = hp.hocuspocus.denied;
  const scope: string | null = hp.hocuspocus.scope;
  const refused: number = hp.hocuspocus.refused;
  void scope, refused;
  hp.close();
  const framed: Uint8Array = hocuspocusFrame(room, new Uint8Array([0]));
  const { document: docName, type, body }: { document: string; type: number; body: Uint8Array } = hocuspocusUnframe(framed);
  const channel: string = broadcastChannelName("ws://127.0.0.1:1234", room);
  const tabs: BroadcastConnection = connectBroadcast(hub.transport(), { url: "ws://127.0.0.1:1234", room, guard: null });
  const tabStats: number = tabs.stats.sent + tabs.stats.received + tabs.stats.refused;
  tabs.close();
  const stopListening: () => boolean = hub.onRemoteUpdate((update: Uint8Array) => { update.length; });
  stopListening();
  const message: Uint8Array = syncMessage(2, state);
  hub.publish(message);
  const carried: Uint8Array | null = updateOfSyncMessage(message);
  hub.close();
  const trim: number = PREFERRED_TRIM_SIZE;
  const db: IDBDatabase = await openDatabase("app-scene");
  db.close();
  const persistence: Persistence = await openPersistence(gpuEngine, { name: "app-scene" });
  const restored: boolean = persistence.restored && persistence.skipped === 0 && persistence.size >= 0;
  persistence.storeUpdate(state);
  await persistence.storeState();
  persistence.close();
  await clearDocument("app-scene");
  const fileName: string = SCENE_FILE_NAME;
  const limit: number = MAX_SCENE_FILE_BYTES;
  const fileBytes: Uint8Array<ArrayBuffer> = sceneFileBytes(gpuEngine);
  const written: number = exportScene(gpuEngine, { fileName: "mine.ysc" });
  const counts: { before: number; after: number } = importSceneBytes(gpuEngine, fileBytes, "mine.ysc");
  const fromFile = await importSceneFile(gpuEngine, new File([fileBytes], "mine.ysc"));
  const palette: string[] = PALETTE;
  const name: string = friendlyName();
  const params = new URLSearchParams("?name=Ada");
  const mine: { name: string; color: string } = presenceFromParams(params);
  const shown = mountPresence(gpuEngine, params);
  const users: PresenceUser[] = shown.users();
  const list: HTMLUListElement = shown.element;
  shown.destroy();
  guard.close();
  gpuEngine.free();
  glEngine.free();
}
