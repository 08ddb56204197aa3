import { access, constants, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, basename } from 'node:path';
import { BadInputError } from '../errors.js';
import { containerForPath, OUTPUT_EXTENSIONS } from '../media/ffmpeg-args.js';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Resolves links and checks `path` is inside one of `roots` (when roots are configured).
 * Messages name what the path is for (`what`), never the path: a file's name can be
 * personal data, and a server path tells a caller where things are kept.
 */
export async function checkAllowed(path: string, roots: readonly string[] | undefined, what: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BadInputError(code === 'ENOENT' ? `the ${what} does not exist` : `the ${what} cannot be read (${code ?? 'error'})`);
  }
  if (roots && roots.length) {
    const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => resolve(r))));
    if (!realRoots.some((r) => inside(r, real))) {
      throw new BadInputError(`the ${what} is outside the allowed directories`);
    }
  }
  return real;
}

export interface OutputTarget {
  path: string;
  container: string;
}

export async function checkOutput(output: string, input: string, roots: readonly string[] | undefined): Promise<OutputTarget> {
  const container = containerForPath(output);
  if (!container) {
    throw new BadInputError(`the output must end in one of ${OUTPUT_EXTENSIONS.join(', ')}`);
  }
  const dir = await checkAllowed(dirname(resolve(output)), roots, 'output directory');
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new BadInputError('the output directory is not writable');
  }
  const path = resolve(dir, basename(output));
  if (path === input) throw new BadInputError('output must not overwrite the input');
  return { path, container };
}

/** Where a side file (the manifest) may be written: a directory inside the allowed roots, writable, not the input. */
export async function checkSideFile(path: string, input: string, roots: readonly string[] | undefined, what: string): Promise<string> {
  const dir = await checkAllowed(dirname(resolve(path)), roots, `${what} directory`);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new BadInputError(`the ${what} directory is not writable`);
  }
  const full = resolve(dir, basename(path));
  if (full === input) throw new BadInputError(`the ${what} must not overwrite the input`);
  return full;
}
