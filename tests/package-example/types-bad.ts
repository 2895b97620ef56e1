// Must NOT type-check (tests/package.test.mjs): each line marked `// error:` is a wrong use of @yscene/engine
// that the declarations must catch, and the test checks tsc reports exactly those lines, no others.
import init, { Engine } from "@yscene/engine";
import initWebGpu from "@yscene/engine/webgpu";
import { attachControls } from "@yscene/engine/controls";
import { connectWebSocket, createGuard } from "@yscene/engine/collab";

export async function mistakes(canvas: HTMLCanvasElement): Promise<void> {
  await init({ backend: "vulkan" }); // error: no such backend
  await init({ backends: "webgpu" }); // error: unknown option name
  await initWebGpu("app_wasm_bg.wasm"); // error: init takes { module_or_path }, not a bare path
  const engine = await Engine.create(canvas, { backend: "vulkan" }); // error: no such backend
  await Engine.create(canvas, { present: "no" }); // error: present is a boolean
  await Engine.create(canvas, { redraw: "sometimes" }); // error: no such redraw mode
  await Engine.create(canvas, { antialias: true }); // error: unknown option name
  await Engine.create("view"); // error: a canvas, not an id
  new Engine(); // error: only Engine.create makes engines
  engine.set_position("a", "1", 2, 3); // error: coordinates are numbers
  engine.add_sphere(0, 0, 0); // error: the radius is missing
  const id: number = engine.add_box(0, 0, 0, 1, 1, 1); // error: ids are strings
  engine.set_aov_mode("wireframe"); // error: no such AOV mode
  engine.on_mouse_drag(1, 1, 3); // error: buttons are 0, 1 or 2
  engine.set_light({ direction: [0, -1] }); // error: a direction has three components
  engine.set_camera({ fov: 45 }); // error: the field is fov_y_deg
  const pixels: Uint8Array = engine.read_pixels(); // error: read_pixels returns a promise
  engine.on_local_update((update: string) => update); // error: updates are bytes
  engine.on_change((change) => change.moved); // error: a change has added, changed, removed
  const radius: number = engine.get_node(id.toString()).radius; // error: only spheres have a radius
  const backend: "webgpu" = engine.stats().backend; // error: it may be webgl2
  engine.batch(async () => {}, 1); // error: batch takes one function
  attachControls(engine, canvas, { onClick: () => {} }); // error: no such option
  connectWebSocket(engine, { url: "ws://127.0.0.1:1234" }); // error: the room is missing
  await createGuard(engine, { rehearsal: "partial" }); // error: "full" or "diff"
  await engine.import_gltf(new Uint8Array(0), { resource: {} }); // error: unknown option name
  await engine.import_gltf("model.glb"); // error: bytes, not a URL (loadGltf fetches)
}
