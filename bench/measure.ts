/** What the benches measure: wall time, and the memory of child processes (read from /proc). */
import { readFile, readdir } from 'node:fs/promises';

const PAGE = 4096;

/** Resident memory of a process and all its descendants, in bytes. */
export async function treeRss(pid: number): Promise<number> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      /* gone */
    }
  }
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of parents) {
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const p of tree) {
    try {
      total += Number((await readFile(`/proc/${p}/statm`, 'utf8')).split(' ')[1]) * PAGE;
    } catch {
      /* gone */
    }
  }
  return total;
}

/** `fn`'s result and its wall time in seconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - t) / 1e9];
}

/**
 * Samples the resident memory of `pid`'s tree every 100 ms until stopped; `stop` gives the
 * peak. The sampler scans /proc, about a sixth of a core on these machines: whatever a
 * veil run is divided by is timed under it too (timedSampled).
 */
export function sampleTree(pid: number): { stop: () => number } {
  let peak = 0;
  const poll = setInterval(() => void treeRss(pid).then((rss) => (peak = Math.max(peak, rss))), 100);
  return {
    stop: () => {
      clearInterval(poll);
      return peak;
    },
  };
}

/** `fn`'s result and its wall time in seconds, measured while the tree of `pid` is sampled as a veil run's is. */
export async function timedSampled<T>(pid: number, fn: () => Promise<T>): Promise<[T, number]> {
  const sampler = sampleTree(pid);
  try {
    return await timed(fn);
  } finally {
    sampler.stop();
  }
}
