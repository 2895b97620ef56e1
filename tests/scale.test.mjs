// The collaboration scale test in smoke size (the full sizes, N = 1, 10, 50 editors and M = 0, 200
// viewers, run in `bash scripts/bench.sh`, "collaboration at scale"): a crowd of y-protocols clients
// (scripts/hocuspocus/crowd.mjs) drags nodes at 30 Hz through Hocuspocus, one process and then two
// sharing Redis, while one engine page renders the room (tests/lib/scale.mjs). Timings are printed,
// never asserted (this machine is shared); what is asserted is that the room works at all: every edit
// accounted for, every peer present, every editor's last position drawn, viewers refused nothing they
// did not send, and every figure the benchmark reports present and finite.
import { assert, launch, root, run, serve, watchdog } from './lib/harness.mjs';
import { runRoom } from './lib/scale.mjs';

watchdog(6 * 60_000, 'scale');
const web = await serve(root);
const browser = await launch();

/** The checks every smoke room passes; returns the room for its own checks. */
function checkRoom(room, { editors, viewers }) {
  console.log(`     ${JSON.stringify(room)}`);
  assert(room.pageErrors.length === 0 && room.crowdErrors.length === 0, `errors: ${[...room.pageErrors, ...room.crowdErrors].join('\n')}`);
  assert(room.peersSeen === editors + viewers, `the page sees ${room.peersSeen} peers, not ${editors + viewers}`);
  assert(room.draggingSeen === editors, `the page sees ${room.draggingSeen} of ${editors} editors dragging their nodes`);
  assert(room.edits.sent >= editors * 30, `${room.edits.sent} edits sent in ${room.activeS} s by ${editors} editors at 30 Hz`);
  assert(room.edits.drawn > 0 && room.edits.drawn <= room.edits.sent, `${room.edits.drawn} of ${room.edits.sent} edits matched a drawn frame`);
  assert(room.edits.lastShown === editors, `${room.edits.lastShown} of ${editors} editors' last positions are drawn`);
  for (const q of ['p50', 'p95', 'p99']) assert(room.latencyMs[q] > 0 && Number.isFinite(room.latencyMs[q]), `latency ${q}: ${room.latencyMs[q]}`);
  assert(room.traffic.editor.msgsOutPerS > 0 && room.traffic.editor.msgsInPerS > 0, 'editor traffic counted');
  assert(room.traffic.viewer.msgsInPerS > 0 && room.traffic.viewer.refused === 0, 'viewers receive the room and sent no updates to refuse');
  for (const s of room.server) assert(s.cpuPercent > 0 && s.rssMiB > 10, `server usage ${JSON.stringify(s)}`);
  for (const key of ['idleMedianMs', 'activeMedianMs', 'activeP95Ms', 'ratio', 'idleMeanMs', 'activeMeanMs', 'meanRatio', 'renderMeanRatio', 'activeFps']) {
    assert(Number.isFinite(room.frame[key]) && room.frame[key] > 0, `frame.${key}: ${room.frame[key]}`);
  }
  // At most one per frame; a few more only if frames stalled over 100 ms (then changes report from the call).
  assert(room.frame.presenceReports > 0 && room.frame.presenceReports <= room.frame.activeFrames + 10,
    `on_presence ran ${room.frame.presenceReports} times in ${room.frame.activeFrames} frames (${JSON.stringify(room.receive.awareness)} awareness messages/s)`);
  assert(room.receive.sync?.perS > 0 && room.receive.awareness?.perS > 0, `the page applied sync and awareness messages: ${JSON.stringify(room.receive)}`);
  return room;
}

try {
  await run('scale', {
    'one Hocuspocus process: 3 editors dragging at 30 Hz and 5 viewers, every edit accounted for': async () => {
      const size = { editors: 3, viewers: 5 };
      checkRoom(await runRoom(browser, web.url, { ...size, activeMs: 3000, idleMs: 1500 }), size);
    },
    'two Hocuspocus processes sharing Redis: editors on the other process are drawn too': async () => {
      // The crowd spreads its clients over both processes; the page is on the first, so editor 1's
      // edits reach it only through Redis (its last position drawn is checked for every editor).
      const size = { editors: 2, viewers: 2 };
      const room = checkRoom(await runRoom(browser, web.url, { ...size, redis: true, activeMs: 3000, idleMs: 1500 }), size);
      assert(room.server.length === 2, 'two servers measured');
    },
  });
} finally {
  await browser.close();
  web.stop();
}
