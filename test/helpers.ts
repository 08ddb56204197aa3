import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const exec = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '..');

/** Small, quick recordings: 640x360 at 10 fps, text large enough for OCR at that size. */
export const SMALL = { width: 640, height: 360, fps: 10, fontSize: 15 };

export async function tempDir(prefix = 'veil-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface ProbeJson {
  format: { tags?: Record<string, string>; duration?: string };
  streams: Array<{ codec_type: string; codec_name: string; avg_frame_rate: string; nb_read_packets?: string; tags?: Record<string, string>; width?: number; height?: number; pix_fmt?: string }>;
}

export async function ffprobe(path: string): Promise<ProbeJson> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-count_packets', '-show_format', '-show_streams', '-of', 'json', path]);
  return JSON.parse(stdout) as ProbeJson;
}

/** md5 of a stream's packets, copied out without re-encoding. */
export async function streamMd5(path: string, map: string): Promise<string> {
  const { stdout } = await exec('ffmpeg', ['-v', 'error', '-i', path, '-map', map, '-c', 'copy', '-f', 'md5', '-']);
  return stdout.trim();
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `veil` command (npm test builds it first). */
export async function veil(args: string[], input?: string): Promise<CliResult> {
  const { spawn } = await import('node:child_process');
  return new Promise((res) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/veil.js'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
