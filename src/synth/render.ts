/**
 * Draws a SceneSpec frame by frame with sharp and encodes it with ffmpeg, writing the video
 * and its ground truth (`<video>.truth.json`). Frames are streamed: one is held at a time.
 */
import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { addOptions } from '../media/ffmpeg.js';
import sharp from 'sharp';
import { groundTruth, pointerAt, scrollOffset, shownText, visibleOn, FONT_FAMILY, type SceneSpec, type GroundTruth } from './scene.js';

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function sceneSvg(scene: SceneSpec, frame: number): string {
  const layer = (fixed: boolean) => {
    const parts: string[] = [];
    for (const r of scene.rects) {
      if (!!r.fixed === fixed && visibleOn(r, frame)) {
        parts.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" fill="${r.fill}"/>`);
      }
    }
    for (const t of scene.items) {
      if (!!t.fixed === fixed && visibleOn(t, frame)) {
        parts.push(
          `<text x="${t.x}" y="${t.y}" font-size="${t.size}" fill="${t.color ?? scene.theme.fg}"${t.bold ? ' font-weight="bold"' : ''}>${escapeXml(shownText(t, frame))}</text>`,
        );
      }
    }
    return parts.join('');
  };
  const { width: w, height: h } = scene;
  let body: string;
  if (scene.scroll) {
    const { region } = scene.scroll;
    const off = scrollOffset(scene.scroll, frame);
    body =
      `<defs><clipPath id="sc"><rect x="0" y="${region.y}" width="${w}" height="${region.h}"/></clipPath></defs>` +
      `<g clip-path="url(#sc)"><g transform="translate(0,${-off})">${layer(false)}</g></g>${layer(true)}`;
  } else {
    body = layer(false) + layer(true);
  }
  // The pointer: a white arrow with a dark outline, its tip at the point, above everything.
  const tip = pointerAt(scene, frame);
  const k = Math.max(1, Math.round(h / 720));
  const pointer = tip
    ? `<path transform="translate(${tip[0]},${tip[1]}) scale(${k})" d="M0 0 L0 17 L4 13 L7 20 L10 19 L7 12 L12 12 Z" fill="#ffffff" stroke="#000000" stroke-width="1"/>`
    : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="${FONT_FAMILY}" xml:space="preserve">` +
    `<rect width="${w}" height="${h}" fill="${scene.theme.bg}"/>${body}${pointer}</svg>`
  );
}

function stateKey(scene: SceneSpec, frame: number): string {
  const visible = (xs: Array<{ from?: number; to?: number }>) =>
    xs.map((x, i) => (visibleOn(x, frame) ? i : -1)).filter((i) => i >= 0).join(',');
  const typed = scene.items.filter((t) => t.typing && visibleOn(t, frame)).map((t) => shownText(t, frame).length);
  return `${visible(scene.items)}|${visible(scene.rects)}|${scrollOffset(scene.scroll, frame)}|${typed.join(',')}|${pointerAt(scene, frame)?.join(',') ?? ''}`;
}

export async function renderFrameRgb(scene: SceneSpec, frame: number): Promise<Buffer> {
  return sharp(Buffer.from(sceneSvg(scene, frame)), { density: 72 }).removeAlpha().raw().toBuffer();
}

function subtitleFile(scene: SceneSpec): string {
  const end = new Date((scene.frames / scene.fps) * 1000).toISOString().slice(11, 23).replace('.', ',');
  return `1\n00:00:00,000 --> ${end}\nCaller: account holder (subtitle stream)\n`;
}

export interface WriteSceneOptions {
  preset?: string;
  crf?: number;
}

/** Renders and encodes `scene` to `path` (mp4), and writes `path + '.truth.json'`. */
export async function writeScene(scene: SceneSpec, path: string, options: WriteSceneOptions = {}): Promise<GroundTruth> {
  const frameBytes = scene.width * scene.height * 3;
  const frames = new PassThrough({ highWaterMark: frameBytes * 2 });
  const cmd = ffmpeg().input(frames).inputFormat('rawvideo');
  addOptions(cmd, 'input', ['-pix_fmt', 'rgb24', '-s', `${scene.width}x${scene.height}`, '-r', String(scene.fps)]);
  const maps = ['-map', '0:v'];
  let next = 1;
  if (scene.audio) {
    cmd.input(`sine=frequency=330:sample_rate=48000:duration=${scene.frames / scene.fps}`).inputFormat('lavfi');
    maps.push('-map', `${next++}:a`, '-c:a', 'aac', '-b:a', '64k');
  }
  let subtitlePath: string | undefined;
  if (scene.subtitles) {
    subtitlePath = `${path}.srt`;
    await writeFile(subtitlePath, subtitleFile(scene));
    cmd.input(subtitlePath);
    maps.push('-map', `${next++}:s`, '-c:s', 'mov_text');
  }
  const tags = Object.entries(scene.metadata ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
  addOptions(cmd, 'output', [
      '-hide_banner', '-loglevel', 'error',
      ...maps,
      '-c:v', 'libx264', '-preset', options.preset ?? 'veryfast', '-crf', String(options.crf ?? 16),
      '-pix_fmt', 'yuv420p', '-g', String(scene.fps * 4),
      ...tags,
      '-f', 'mp4', '-y',
  ]).output(path);
  const done = new Promise<void>((resolve, reject) => {
    cmd.on('error', (err: Error) => reject(new Error(`encoding sample ${scene.name} failed: ${err.message}`)));
    cmd.on('end', () => resolve());
  });
  cmd.run();
  try {
    let lastKey = '';
    let last: Buffer | undefined;
    for (let n = 0; n < scene.frames; n++) {
      const key = stateKey(scene, n);
      if (key !== lastKey || !last) {
        last = await renderFrameRgb(scene, n);
        lastKey = key;
      }
      if (!frames.write(last)) await Promise.race([once(frames, 'drain'), done]);
    }
    frames.end();
    await done;
  } catch (err) {
    frames.destroy();
    throw err;
  } finally {
    if (subtitlePath) await rm(subtitlePath, { force: true });
  }
  const truth = groundTruth(scene);
  await writeFile(`${path}.truth.json`, JSON.stringify(truth));
  return truth;
}
