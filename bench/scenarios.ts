import type { SceneSpec } from '../src/synth/scene.js';
import type { BrowserScenario } from './browser/pages.js';
import { chatScene, modalScene, profileScene, terminalScene, transactionsScene, typingScene, withLiveWidgets, withPointer } from '../src/synth/scenarios.js';

export interface BenchScenario {
  name: string;
  /** What the scenario exercises; "motion" ones are expected to need motion tracking. */
  kind: 'static' | 'appearing' | 'motion' | 'pointer' | 'browser' | 'benign';
  /** A synthetic scene (drawn by sharp), or a page rendered by Chromium. */
  scene?: () => SceneSpec;
  browser?: BrowserScenario;
}

const p720 = { width: 1280, height: 720, fps: 30 };
const p1080 = { width: 1920, height: 1080, fps: 30 };

/**
 * The browser-rendered corpus: support-tool pages in Chromium with real fonts (Liberation,
 * DejaVu, Noto), light and dark, 10 to 30 fps, 720p to 1440p; see browser/pages.ts.
 */
export function browserScenarios(seconds: number, long = false): BenchScenario[] {
  const b = (name: string, kind: 'browser' | 'benign', spec: Omit<BrowserScenario, 'name' | 'seconds'> & { seconds?: number }): BenchScenario => ({
    name,
    kind,
    browser: { name, seconds, ...spec },
  });
  return [
    // A pointer that moves across the page the whole time and rests on PII; a clock, a counter, a caret typing a note.
    b('web-customer-pointer-1080p12', 'browser', { page: 'customer', width: 1920, height: 1080, fps: 12, seed: 101, theme: 'light', font: 'liberation' }),
    b('web-customer-1440p15-dark', 'browser', { page: 'customer', width: 2560, height: 1440, fps: 15, seed: 102, theme: 'dark', font: 'noto' }),
    // No PII at all: ticking counters, a clock, an animated chart, a spinner, a toast sliding in.
    b('web-dashboard-benign-720p30', 'benign', { page: 'dashboard', width: 1280, height: 720, fps: 30, seed: 103, theme: 'dark', font: 'dejavu' }),
    // Messages arriving, the list easing to the bottom, a "typing" indicator.
    b('web-chat-eased-1080p15', 'browser', { page: 'chat', width: 1920, height: 1080, fps: 15, seed: 104, theme: 'dark', font: 'noto' }),
    b('web-terminal-tail-720p10', 'browser', { page: 'terminal', width: 1280, height: 720, fps: 10, seed: 105, theme: 'dark', font: 'dejavu' }),
    // Eased scrolls with pauses and a fling.
    b('web-table-eased-1080p30', 'browser', { page: 'table-scroll', width: 1920, height: 1080, fps: 30, seed: 106, theme: 'light', font: 'noto' }),
    // A wide sheet of 11 px text scrolled sideways (and a little down), cells cut at the edge.
    b('web-sheet-sideways-1440p10', 'browser', { page: 'sheet-sideways', width: 2560, height: 1440, fps: 10, seed: 107, theme: 'light', font: 'liberation', textPx: 11 }),
    // A modal fading in over a dimmed page, then a panel dragged across it.
    b('web-modal-drag-1080p30', 'browser', { page: 'modal-drag', width: 1920, height: 1080, fps: 30, seed: 108, theme: 'light', font: 'dejavu' }),
    // Zoomed in to 150% and back.
    b('web-zoom-720p15', 'browser', { page: 'zoom', width: 1280, height: 720, fps: 15, seed: 109, theme: 'dark', font: 'liberation' }),
    ...(long
      ? [b('web-session-3min-1080p30', 'browser', { page: 'session', width: 1920, height: 1080, fps: 30, seed: 110, theme: 'light', font: 'liberation', seconds: 180 })]
      : []),
  ];
}

export function benchScenarios(seconds: number, long = false): BenchScenario[] {
  return [
    ...(long
      ? [{ name: 'static-10min-1080p', kind: 'static' as const, scene: () => profileScene({ ...p1080, seconds: 600, seed: 21 }) }]
      : []),
    { name: 'static-2min-1080p', kind: 'static', scene: () => profileScene({ ...p1080, seconds: 120, seed: 20, audio: true }) },
    { name: 'profile-720p-light', kind: 'static', scene: () => profileScene({ ...p720, seconds, audio: true }) },
    { name: 'profile-1080p-dark', kind: 'static', scene: () => profileScene({ ...p1080, seconds, theme: 'dark', seed: 11 }) },
    { name: 'chat-1080p-dark', kind: 'appearing', scene: () => chatScene({ ...p1080, seconds, theme: 'dark' }) },
    { name: 'terminal-720p-small', kind: 'appearing', scene: () => terminalScene({ ...p720, seconds }) },
    { name: 'modal-0.3s-1080p', kind: 'appearing', scene: () => modalScene({ ...p1080, seconds }) },
    { name: 'typing-720p', kind: 'appearing', scene: () => typingScene({ ...p720, seconds }) },
    { name: 'scroll-slow-720p', kind: 'motion', scene: () => transactionsScene({ ...p720, seconds, pxPerSecond: 60 }) },
    { name: 'transactions-1080p-scroll', kind: 'motion', scene: () => transactionsScene({ ...p1080, seconds, pxPerSecond: 150 }) },
    { name: 'scroll-fling-1080p', kind: 'motion', scene: () => transactionsScene({ ...p1080, seconds, pxPerSecond: 2500, seed: 9 }) },
    // A scroll that starts late in the clip, at 15 fps (the masks' layer starts after the video does).
    { name: 'scroll-late-720p15', kind: 'motion', scene: () => transactionsScene({ ...p720, fps: 15, seconds, pxPerSecond: 200, seed: 13, startAt: 0.6 }) },
    // A pointer that never stops for long and rests on PII, a ticking clock and counter, a blinking caret.
    { name: 'pointer-live-1080p12', kind: 'pointer', scene: () => withLiveWidgets(withPointer(profileScene({ ...p1080, fps: 12, seconds, seed: 12 }), 5)) },
    { name: 'pointer-chat-720p15', kind: 'pointer', scene: () => withPointer(chatScene({ ...p720, fps: 15, seconds, theme: 'dark' }), 6) },
    { name: 'pointer-live-2min-1080p', kind: 'pointer', scene: () => withLiveWidgets(withPointer(profileScene({ ...p1080, seconds: 120, seed: 22 }), 8)) },
  ];
}
