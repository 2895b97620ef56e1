// Camera and selection input on the canvas: mouse, trackpad and touch through one set of pointer events.
//
// Why this exists: the engine only understands three view gestures — `on_mouse_drag(dx, dy, button)`
// (button 0 orbits, 1 or 2 pans), `on_wheel(deltaY)` (zoom) and `pick(x, y)` — all in CSS pixels. People
// arrive with a mouse (left drag, right/middle drag, wheel), a trackpad (two-finger scroll, pinch, which
// Chromium and Firefox report as ctrl+wheel) or a touch screen (one finger, two fingers, pinch). This
// module turns all of those into the three engine calls, and tells a click (pointer down and up without
// moving more than a few pixels) from a drag so that selecting never nudges the camera by accident.
// It also reports where the mouse is (`on_pointer_move` / `on_pointer_leave`), which peers see as a pin in
// the scene (3D presence). Every engine call here happens in an event handler, never in the animation loop.
//
// One source, two users: the demo imports it from here (web/ is the demo server's root), and
// scripts/build-web.sh copies it into the npm package as `@yscene/engine/controls`
// (packages/engine/dist/controls.js; its types are packages/engine/controls.d.ts).
//
//   import { attachControls } from '@yscene/engine/controls';
//   const dispose = attachControls(engine, canvas);                       // click selects
//   attachControls(engine, canvas, { onSelect: (id) => show(id) });       // and tells you what
//   attachControls(engine, canvas, { select: false, onSelect: mySelect }); // you select

/** A pointer that moved less than this (CSS px, in total) between down and up was a click. */
const CLICK_SLOP_PX = 4;
/** Pinching the fingers this many CSS px apart zooms like one wheel step of this many deltaY units. */
const PINCH_TO_WHEEL = 2;
/** Trackpad pinches arrive as ctrl+wheel with small deltas; scale them up to feel like a pinch. */
const CTRL_WHEEL_SCALE = 4;

/**
 * Attaches orbit (left drag, one finger), pan (right or middle drag, shift+left drag, two fingers), zoom
 * (wheel, trackpad pinch, two-finger pinch) and click-to-select (a click or tap that moved at most 4 CSS
 * px) to `canvas` for `engine`. Options: `select` (default true): a click calls
 * `engine.select(engine.pick(x, y))` (empty space clears the selection); `onSelect(id, { x, y })`: called
 * after each click with the picked id (`undefined` for empty space) and the canvas-relative CSS pixel, also
 * when `select` is false (then it is the caller's to select). Returns a function that removes every
 * listener; call it before `engine.free()`.
 */
export function attachControls(engine, canvas, { select = true, onSelect } = {}) {
  const onClick = (x, y) => {
    const id = engine.pick(x, y);
    if (select) engine.select(id);
    onSelect?.(id, { x, y });
  };
  /** pointerId → { x, y, downX, downY, travelled, button, type } */
  const pointers = new Map();
  let pinch = null; // { distance, midX, midY } while two pointers are down
  let clickPossible = false;

  const local = (event) => {
    const rect = canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };
  const twoFingerState = () => {
    const [a, b] = [...pointers.values()];
    return { distance: Math.hypot(a.x - b.x, a.y - b.y), midX: (a.x + b.x) / 2, midY: (a.y + b.y) / 2 };
  };
  // Mouse buttons map to engine buttons (0 orbit, 1 middle-pan, 2 right-pan); shift+left pans too, for
  // one-button trackpads. Touch and pen always orbit with one finger.
  const engineButton = (p, event) => {
    if (p.type !== 'mouse') return 0;
    if (p.button === 0 && event.shiftKey) return 2;
    return p.button === 1 || p.button === 2 ? p.button : 0;
  };

  function onPointerDown(event) {
    if (pointers.size >= 2) return; // a third finger is ignored
    try {
      canvas.setPointerCapture(event.pointerId); // keep getting moves when the pointer leaves the canvas
    } catch {
      // a synthetic or already-released pointer cannot be captured; the gesture works without it
    }
    const { x, y } = local(event);
    pointers.set(event.pointerId, {
      x, y, downX: x, downY: y, travelled: 0, button: event.button, type: event.pointerType,
    });
    if (pointers.size === 1) {
      clickPossible = event.button === 0;
    } else {
      clickPossible = false;
      pinch = twoFingerState();
    }
    event.preventDefault();
  }

  function onPointerMove(event) {
    const { x, y } = local(event);
    // Where the mouse is, hovering or dragging: peers see the point under it (3D presence). A finger
    // has no hover, so touch shares nothing.
    if (event.pointerType !== 'touch') engine.on_pointer_move(x, y);
    const p = pointers.get(event.pointerId);
    if (!p) return;
    const dx = x - p.x;
    const dy = y - p.y;
    if (dx === 0 && dy === 0) return;
    p.x = x;
    p.y = y;
    p.travelled = Math.max(p.travelled, Math.hypot(x - p.downX, y - p.downY));
    if (p.travelled > CLICK_SLOP_PX) clickPossible = false;

    if (pointers.size === 1) {
      engine.on_mouse_drag(dx, dy, engineButton(p, event));
    } else if (pointers.size === 2 && pinch) {
      const now = twoFingerState();
      const panX = now.midX - pinch.midX;
      const panY = now.midY - pinch.midY;
      if (panX !== 0 || panY !== 0) engine.on_mouse_drag(panX, panY, 1);
      const spread = now.distance - pinch.distance;
      if (spread !== 0) engine.on_wheel(-spread * PINCH_TO_WHEEL);
      pinch = now;
    }
  }

  function onPointerEnd(event) {
    const p = pointers.get(event.pointerId);
    if (!p) return;
    pointers.delete(event.pointerId);
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    if (event.type === 'pointerup' && clickPossible && pointers.size === 0 && p.travelled <= CLICK_SLOP_PX) {
      onClick(p.x, p.y);
    }
    clickPossible = false;
    pinch = pointers.size === 2 ? twoFingerState() : null;
  }

  function onWheel(event) {
    event.preventDefault(); // the page must not scroll or zoom instead
    let delta = event.deltaY;
    if (event.deltaMode === WheelEvent.DOM_DELTA_LINE) delta *= 16;
    else if (event.deltaMode === WheelEvent.DOM_DELTA_PAGE) delta *= canvas.clientHeight;
    if (event.ctrlKey) delta *= CTRL_WHEEL_SCALE; // trackpad pinch
    if (delta !== 0) engine.on_wheel(delta);
  }

  const onContextMenu = (event) => event.preventDefault(); // right-drag pans
  const onPointerLeave = (event) => {
    if (event.pointerType !== 'touch' && pointers.size === 0) engine.on_pointer_leave();
  };

  const listeners = [
    ['pointerdown', onPointerDown],
    ['pointermove', onPointerMove],
    ['pointerup', onPointerEnd],
    ['pointercancel', onPointerEnd],
    ['lostpointercapture', onPointerEnd],
    ['wheel', onWheel, { passive: false }],
    ['contextmenu', onContextMenu],
    ['pointerleave', onPointerLeave],
  ];
  for (const [type, fn, options] of listeners) canvas.addEventListener(type, fn, options);
  return () => {
    for (const [type, fn, options] of listeners) canvas.removeEventListener(type, fn, options);
  };
}
