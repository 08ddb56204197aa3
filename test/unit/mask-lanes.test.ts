import { describe, expect, it } from 'vitest';
import { frameTimesFrom, packetTimesArgs } from '../../src/media/probe.js';
import { assignLanes, laneCommands, SCRIPT_BYTES, uncovered } from '../../src/render/filters.js';

const box = (x: number) => ({ x, y: 0, w: 10, h: 10 });

describe('assignLanes', () => {
  it('puts every appearance in a lane whose appearances never share a frame, as few lanes as boxes shown at once', () => {
    const groups = [
      { box: box(0), fill: 0, ranges: [{ from: 0, to: 3 }, { from: 10, to: 12 }] },
      { box: box(20), fill: 0, ranges: [{ from: 2, to: 5 }] },
      { box: box(40), fill: 0, ranges: [{ from: 4, to: 9 }] },
      { box: box(60), fill: 0, ranges: [{ from: 6, to: 6 }] },
    ];
    const lanes = assignLanes(groups);
    // At most two boxes show at once (frames 2-3, 4-5, 6).
    expect(lanes).toHaveLength(2);
    expect(lanes.flat()).toHaveLength(5);
    for (const lane of lanes) for (let i = 1; i < lane.length; i++) expect(lane[i].from).toBeGreaterThan(lane[i - 1].to);
  });
});

describe('laneCommands', () => {
  it('moves a lane to each later appearance from midway between its first frame and the one before', () => {
    const lanes = assignLanes([
      { box: box(0), fill: 0, ranges: [{ from: 0, to: 1 }] },
      { box: { x: 4, y: 6, w: 8, h: 2 }, fill: 255, ranges: [{ from: 3, to: 3 }] },
    ]);
    const times = [0, 0.1, 0.3, 0.4, 0.45];
    expect(laneCommands(lanes, times)).toEqual([
      "0.350000-0.425000 [enter] drawbox@mask0 x 4, drawbox@mask0 y 6, drawbox@mask0 w 8, drawbox@mask0 h 2, drawbox@mask0 color 0xffffff@1, drawbox@mask0 enable 'between(n,3,3)';\n",
    ]);
  });
});

describe('lanes for a box that comes back', () => {
  it('take it back in the lane that last drew it, and move that lane by its frames alone', () => {
    // Box 0 shows, box 20 shows, both leave; box 0 comes back while box 20 is away.
    const lanes = assignLanes([
      { box: box(0), fill: 0, ranges: [{ from: 0, to: 1 }, { from: 4, to: 5 }] },
      { box: box(20), fill: 0, ranges: [{ from: 1, to: 2 }] },
    ]);
    expect(lanes).toHaveLength(2);
    expect(lanes[0].map((a) => a.box.x)).toEqual([0, 0]);
    const times = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
    expect(laneCommands(lanes, times)).toEqual(["0.350000-1.500000 [enter] drawbox@mask0 enable 'between(n,4,5)';\n"]);
  });

  it('set only what changed of the box', () => {
    const lanes = assignLanes([
      { box: box(0), fill: 0, ranges: [{ from: 0, to: 1 }] },
      { box: box(40), fill: 0, ranges: [{ from: 0, to: 1 }] },
      { box: { x: 0, y: 30, w: 10, h: 10 }, fill: 0, ranges: [{ from: 3, to: 3 }] },
      { box: box(40), fill: 128, ranges: [{ from: 3, to: 4 }] },
    ]);
    const times = [0, 0.1, 0.2, 0.3, 0.4];
    expect(laneCommands(lanes, times)).toEqual([
      "0.250000-0.350000 [enter] drawbox@mask0 y 30, drawbox@mask0 enable 'between(n,3,3)';\n" +
        "0.250000-1.400000 [enter] drawbox@mask1 color 0x808080@1, drawbox@mask1 enable 'between(n,3,4)';\n",
    ]);
  });
});

describe('lanes\' command scripts', () => {
  it('are cut between lines into scripts of at most SCRIPT_BYTES, in order', () => {
    // One box after another, each in a new place: a lane moved 400 times.
    const groups = Array.from({ length: 400 }, (_, i) => ({ box: box(2 * i), fill: 0, ranges: [{ from: i, to: i }] }));
    const times = Array.from({ length: 400 }, (_, i) => i / 30);
    const lanes = assignLanes(groups);
    expect(lanes).toHaveLength(1);
    const scripts = laneCommands(lanes, times);
    expect(scripts.length).toBeGreaterThan(10);
    for (const s of scripts) {
      expect(s.length).toBeLessThanOrEqual(SCRIPT_BYTES);
      expect(s.endsWith(';\n')).toBe(true);
    }
    const lines = scripts.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(399);
    expect(lines[398]).toContain("drawbox@mask0 x 798, drawbox@mask0 enable 'between(n,399,399)'");
  });
});

describe('frameTimesFrom', () => {
  it('sorts the packets into presentation order, from the file start', () => {
    const times = frameTimesFrom('packet,1.500000\npacket,1.800000\npacket,1.600000\nformat,1.500000\n', 3)!;
    expect(times).toHaveLength(3);
    [0, 0.1, 0.3].forEach((t, i) => expect(times[i]).toBeCloseTo(t, 9));
  });

  it('gives up unless there is one distinct time a frame', () => {
    expect(frameTimesFrom('packet,0.1\npacket,0.2\nformat,0\n', 3)).toBeUndefined();
    expect(frameTimesFrom('packet,0.1\npacket,0.1\nformat,0\n', 2)).toBeUndefined();
    expect(frameTimesFrom('packet,N/A\npacket,0.1\nformat,0\n', 2)).toBeUndefined();
    expect(frameTimesFrom('packet,0.1\npacket,0.2\nformat,N/A\n', 2)).toBeUndefined();
  });

  it('is read with the demuxer pinned, from one stream', () => {
    const args = packetTimesArgs('/data/in.mp4', 'mov', 2);
    expect(args).toContain('-select_streams');
    expect(args[args.indexOf('-select_streams') + 1]).toBe('2');
    expect(args[args.length - 1]).toBe('file:/data/in.mp4');
    expect(args.slice(0, args.indexOf('-i'))).toEqual(expect.arrayContaining(['-f', 'mov']));
  });
});

describe('uncovered', () => {
  const m = (x: number, y: number, w: number, h: number, from: number, to: number) => ({ box: { x, y, w, h }, from, to });

  it('drops a mask another covers in place and in frames, and keeps one of two alike', () => {
    const row = m(0, 0, 100, 20, 0, 50);
    const inRow = m(10, 2, 30, 10, 5, 40);
    const outlasts = m(10, 2, 30, 10, 5, 60);
    const sticksOut = m(90, 2, 30, 10, 5, 40);
    const twin = m(0, 0, 100, 20, 0, 50);
    expect(uncovered([inRow, row, outlasts, sticksOut, twin])).toEqual([row, outlasts, sticksOut]);
  });

  it('leaves every frame masked where it was, over random nested masks', () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const masks = Array.from({ length: 120 }, () => m(rand(30), rand(20), 1 + rand(12), 1 + rand(8), 0, 0)).map((x) => {
      const from = rand(30);
      return { ...x, from, to: from + rand(10) };
    });
    // Copies inside others, as rereads of a field give.
    for (const x of masks.slice(0, 40)) masks.push(m(x.box.x + 1, x.box.y, Math.max(1, x.box.w - 2), x.box.h, x.from + 1, Math.max(x.from + 1, x.to - 1)));
    const kept = uncovered(masks);
    expect(kept.length).toBeLessThan(masks.length);
    const cover = (list: typeof masks, n: number) => {
      const px = new Set<number>();
      for (const x of list) if (x.from <= n && n <= x.to) for (let y = x.box.y; y < x.box.y + x.box.h; y++) for (let i = x.box.x; i < x.box.x + x.box.w; i++) px.add(y * 100 + i);
      return [...px].sort((a, b) => a - b);
    };
    for (let n = 0; n < 45; n++) expect(cover(kept, n), `frame ${n}`).toEqual(cover(masks, n));
  });
});
