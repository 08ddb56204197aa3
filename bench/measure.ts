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
 * `fn`'s result and its wall time in seconds, measured while the tree of `pid` is sampled
 * as a veil run's is (treeRss every 100 ms): the sampler scans /proc, about a sixth of a
 * core on these machines, so a plain transcode timed without it would look faster than
 * it is beside veil.
 */
export async function timedSampled<T>(pid: number, fn: () => Promise<T>): Promise<[T, number]> {
  const poll = setInterval(() => void treeRss(pid), 100);
  try {
    return await timed(fn);
  } finally {
    clearInterval(poll);
  }
}
