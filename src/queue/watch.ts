import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OUTPUT_EXTENSIONS } from '../media/ffmpeg-args.js';

/**
 * Yields recordings dropped into `dir` once they have stopped growing: same size and
 * modification time on two polls in a row. Hidden files and other extensions are ignored.
 */
export async function* watchInbox(dir: string, options: { intervalMs: number; signal?: AbortSignal }): AsyncGenerator<string> {
  const seen = new Map<string, string>();
  const yielded = new Set<string>();
  while (!options.signal?.aborted) {
    const names = await readdir(dir).catch(() => [] as string[]);
    const present = new Set<string>();
    for (const name of names) {
      if (name.startsWith('.') || !OUTPUT_EXTENSIONS.includes(extname(name).toLowerCase())) continue;
      const path = join(dir, name);
      const st = await stat(path).catch(() => null);
      if (!st?.isFile()) continue;
      present.add(path);
      const key = `${st.size}:${st.mtimeMs}`;
      if (seen.get(path) === key && st.size > 0 && !yielded.has(path)) {
        yielded.add(path);
        yield path;
      }
      seen.set(path, key);
    }
    for (const path of [...seen.keys()]) if (!present.has(path)) seen.delete(path), yielded.delete(path);
    await sleep(options.intervalMs, undefined, { signal: options.signal }).catch(() => {});
  }
}
