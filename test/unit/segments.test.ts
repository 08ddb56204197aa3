import { describe, expect, it } from 'vitest';
import type { AnalyseResult } from '../../src/pipeline/analyse.js';
import { ReadWindow } from '../../src/pipeline/changes.js';
import type { MotionEpisode } from '../../src/pipeline/motion.js';
import { joinAnalyses, newSealKey, openAnalysis, planSegments, sealAnalysis, storeAnalysis, type Segment } from '../../src/pipeline/segments.js';

const times = (n: number, fps = 10) => Array.from({ length: n }, (_, i) => i / fps);

describe('planSegments', () => {
  it('cuts at the first keyframe at least a segment after the last cut', () => {
    const s = planSegments(times(120), [0, 30, 40, 55, 80, 95, 110], 4, 4);
    expect(s.map((x) => [x.firstFrame, x.frameCount, x.lead])).toEqual([[0, 40, 0], [40, 40, 4], [80, 40, 4]]);
    // The lead-in starts 4 frames early; the seek lands between it and the frame before.
    expect(s[1].startSec).toBeCloseTo(3.6, 9);
    expect(s[1].seekSec).toBeCloseTo(3.55, 9);
    expect(s[0].seekSec).toBe(0);
  });

  it('joins a rest shorter than half a segment to the last', () => {
    expect(planSegments(times(100), [0, 40, 80], 4, 4).map((x) => x.frameCount)).toEqual([40, 60]);
  });

  it('keeps a video without keyframes to cut at whole', () => {
    expect(planSegments(times(100), [0], 4, 4)).toEqual([{ index: 0, firstFrame: 0, frameCount: 100, lead: 0, startSec: 0, seekSec: 0 }]);
  });

  it('uses the frames own times (variable frame rate)', () => {
    const t = [0, 0.1, 0.5, 0.6, 1.0, 3.0, 3.1, 4.2, 4.3, 8.0, 8.1, 9.9];
    const s = planSegments(t, [0, 5, 7, 9], 3, 2);
    expect(s.map((x) => x.firstFrame)).toEqual([0, 5, 9]);
    expect(s[1]).toMatchObject({ lead: 2, startSec: 0.6, seekSec: 0.55 });
    expect(s[2].seekSec).toBeCloseTo(3.65, 9);
  });
});

function window(frame: number, inked: boolean, burstStart: number, nextChange: number): ReadWindow {
  const w = new ReadWindow({ tx0: 0, ty0: 0, tx1: 0, ty1: 0 }, frame);
  w.inked[0] = inked ? 1 : 0;
  w.burstStart[0] = burstStart;
  w.nextChange[0] = nextChange;
  return w;
}

const episode = (since: number, until: number): MotionEpisode => ({
  since,
  until,
  offsets: Array.from({ length: until - since + 1 }, (_, i) => i + 1),
  box: { x: 0, y: 0, w: 64, h: 64 },
  unexplained: [{ from: since, to: until, box: { x: 0, y: 0, w: 16, h: 16 } }],
  fill: 200,
  settled: true,
  readsAt: [since + 1],
});

const line = (text: string) => ({ block: 0, box: { x: 2, y: 2, w: 10, h: 10 }, words: [{ text, confidence: 90, box: { x: 2, y: 2, w: 10, h: 10 } }] });
const box = { x: 2, y: 2, w: 10, h: 10 };

function analysis(frameCount: number, parts: Partial<AnalyseResult>): AnalyseResult {
  return { reads: [], changing: [], motion: [], frameCount, height: 64, ocrCount: parts.reads?.length ?? 0, ocrPixels: 100, ...parts };
}

describe('segment analyses stored and joined', () => {
  const a: Segment = { index: 0, firstFrame: 0, frameCount: 10, lead: 0, startSec: 0, seekSec: 0 };
  const b: Segment = { index: 1, firstFrame: 10, frameCount: 10, lead: 2, startSec: 0.8, seekSec: 0.75 };

  it('counts frames from the first of the video and keeps what each read found', () => {
    const e = episode(3, 6);
    const first = analysis(10, {
      reads: [
        { frame: 2, box, lines: [line('one')], window: window(2, true, 0, 5) },
        { frame: 4, box, lines: [line('two')], window: { span: () => ({ from: 4, to: 4 }) }, carry: [e] },
      ],
      motion: [e],
      changing: [{ from: 1, to: 2, box, fill: 9 }],
    });
    const second = analysis(12, {
      reads: [{ frame: 3, box, lines: [line('three')], window: window(3, true, 1, 6) }],
      changing: [{ from: 0, to: 1, box, fill: 9 }, { from: 1, to: 4, box, fill: 9 }],
    });
    const joined = joinAnalyses([storeAnalysis(first, a), storeAnalysis(second, b)], 20);
    expect(joined.frameCount).toBe(20);
    expect(joined.cuts).toEqual([10]);
    expect(joined.reads.map((r) => [r.frame, r.lines[0].words[0].text])).toEqual([[2, 'one'], [4, 'two'], [11, 'three']]);
    expect(joined.reads[0].window.span(box, 19)).toEqual({ from: 0, to: 5 });
    expect(joined.reads[1].window.span(box, 19)).toEqual({ from: 4, to: 4 });
    // The second segment decoded from frame 8: its read's burst began on 9 and it changed on 14.
    expect(joined.reads[2].window.span(box, 19)).toEqual({ from: 9, to: 14 });
    expect(joined.motion).toHaveLength(1);
    expect(joined.motion[0]).toMatchObject({ since: 3, until: 6, readsAt: [4] });
    expect(joined.reads[1].carry?.[0]).toBe(joined.motion[0]);
    // Changing regions of a lead-in belong to the segment before: kept from frame 10 on.
    expect(joined.changing.map((c) => [c.from, c.to])).toEqual([[1, 2], [10, 12]]);
    expect(joined.ocrCount).toBe(3);
  });

  it('keeps a value masked past its segment as long as the next segment saw it stay', () => {
    const first = analysis(10, { reads: [{ frame: 3, box, lines: [line('kept')], window: window(3, true, 3, -1) }] });
    // Read in the lead-in (frame 9), changed on frame 17.
    const second = analysis(12, { reads: [{ frame: 1, box, lines: [line('kept')], window: window(1, true, 0, 9) }] });
    const joined = joinAnalyses([storeAnalysis(first, a), storeAnalysis(second, b)], 20);
    expect(joined.reads[0].window.span(box, 19)).toEqual({ from: 3, to: 17 });
    // Without a read of the place by then, it ends with its segment (the next one masks what it shows).
    const late = analysis(12, { reads: [{ frame: 5, box, lines: [], window: window(5, true, 0, 9) }] });
    expect(joinAnalyses([storeAnalysis(first, a), storeAnalysis(late, b)], 20).reads[0].window.span(box, 19)).toEqual({ from: 3, to: 9 });
  });

  it('refuses segments that leave a frame out', () => {
    const first = storeAnalysis(analysis(10, {}), a);
    const second = storeAnalysis(analysis(12, {}), b);
    expect(() => joinAnalyses([first, second], 21)).toThrow(/segments have 20 frames/);
    expect(() => joinAnalyses([second], 10)).toThrow(/frame by frame/);
  });

  it('are sealed: unreadable without the key, and tampering is found', () => {
    const stored = storeAnalysis(analysis(10, { reads: [{ frame: 2, box, lines: [line('bc1qsecretwallet')], window: window(2, true, 0, 5) }] }), a);
    const key = newSealKey();
    const sealed = sealAnalysis(stored, key);
    expect(sealed.toString('latin1')).not.toContain('bc1q');
    expect(openAnalysis(sealed, key)).toEqual(JSON.parse(JSON.stringify(stored)));
    expect(() => openAnalysis(sealed, newSealKey())).toThrow(/could not be opened/);
    const bent = Buffer.from(sealed);
    bent[bent.length - 1] ^= 1;
    expect(() => openAnalysis(bent, key)).toThrow(/could not be opened/);
  });
});
