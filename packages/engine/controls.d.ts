// `@yscene/engine/controls`: orbit, pan, zoom and click-to-select on a canvas, with mouse, wheel, trackpad and touch.
import type { Engine } from "./engine.js";

/** What the controls call on the engine. */
export type ControlledEngine = Pick<Engine, "on_mouse_drag" | "on_wheel" | "pick" | "select">;

export interface ControlsOptions {
  /** Default `true`: a click or tap selects the node under it (`engine.select(engine.pick(x, y))`; empty space clears). */
  select?: boolean;
  /** Called after each click or tap with the picked id (`undefined`: empty space) and the canvas-relative CSS pixel. */
  onSelect?: (id: string | undefined, point: { x: number; y: number }) => void;
}

/**
 * Left drag or one finger orbits; right or middle drag, shift+left drag or two fingers pan; the wheel, a
 * trackpad pinch or two fingers pinching zoom; a click (moved at most 4 CSS px) selects. Returns a function
 * that removes every listener (call it before `engine.free()`).
 */
export function attachControls(engine: ControlledEngine, canvas: HTMLElement, options?: ControlsOptions): () => void;
