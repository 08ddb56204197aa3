import type { SceneSpec } from '../src/synth/scene.js';
import { chatScene, modalScene, profileScene, terminalScene, transactionsScene, typingScene, withLiveWidgets, withPointer } from '../src/synth/scenarios.js';

export interface BenchScenario {
  name: string;
  /** What the scenario exercises; "motion" ones are expected to need motion tracking. */
  kind: 'static' | 'appearing' | 'motion' | 'pointer';
  scene: () => SceneSpec;
}

const p720 = { width: 1280, height: 720, fps: 30 };
const p1080 = { width: 1920, height: 1080, fps: 30 };

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
    // A pointer that never stops for long and rests on PII, a ticking clock and counter, a blinking caret.
    { name: 'pointer-live-1080p12', kind: 'pointer', scene: () => withLiveWidgets(withPointer(profileScene({ ...p1080, fps: 12, seconds, seed: 12 }), 5)) },
    { name: 'pointer-chat-720p15', kind: 'pointer', scene: () => withPointer(chatScene({ ...p720, fps: 15, seconds, theme: 'dark' }), 6) },
    { name: 'pointer-live-2min-1080p', kind: 'pointer', scene: () => withLiveWidgets(withPointer(profileScene({ ...p1080, seconds: 120, seed: 22 }), 8)) },
  ];
}
