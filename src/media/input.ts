/**
 * How ffmpeg and ffprobe may open an untrusted input. Left to itself ffmpeg picks a
 * demuxer by sniffing the content, and some demuxers open other files: an HLS or DASH
 * playlist, an ffconcat script or an image2 pattern named `recording.mp4` makes it read
 * whatever the text lists. So the container is decided here, from the file's own first
 * bytes, against an allow-list of real containers; that demuxer is pinned with `-f`, only
 * the file protocol is allowed, and the path is given as `file:<absolute path>` so no part
 * of a name is read as a protocol or an option.
 */
import { open } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { BadInputError } from '../errors.js';

/** The demuxers veil lets ffmpeg use on inputs: ISO BMFF/QuickTime and Matroska/WebM. */
export type Demuxer = 'mov' | 'matroska';

/** Top-level ISO BMFF / QuickTime boxes a real file can start with. */
const MOV_FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

export const UNSUPPORTED_CONTAINER = 'the input is not an MP4/MOV or Matroska/WebM video';

/** Pure: the demuxer for a file that starts with `head`, or undefined if it is none of the allowed containers. */
export function sniffDemuxer(head: Buffer): Demuxer | undefined {
  if (head.length >= 8) {
    const size = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    // A box's size is 0 (to the end), 1 (64-bit size follows) or at least its own header.
    if (MOV_FIRST_BOXES.has(type) && (size === 0 || size === 1 || size >= 8)) return 'mov';
  }
  if (head.length >= 4 && head.subarray(0, 4).equals(EBML_MAGIC)) {
    // The EBML header names the document type near the start: matroska or webm.
    const text = head.subarray(0, 64).toString('latin1');
    if (text.includes('matroska') || text.includes('webm')) return 'matroska';
  }
  return undefined;
}

/** Reads the first bytes of `path` and picks its demuxer; a file of any other kind is bad input. */
export async function demuxerOf(path: string): Promise<Demuxer> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const demuxer = sniffDemuxer(head.subarray(0, bytesRead));
    if (!demuxer) throw new BadInputError(UNSUPPORTED_CONTAINER);
    return demuxer;
  } finally {
    await fh.close();
  }
}

/** The name ffmpeg gets for a local file: `file:` and an absolute path, never read as a protocol or option. */
export function fileUrl(path: string): string {
  return `file:${isAbsolute(path) ? path : resolve(path)}`;
}

/**
 * Input options for an untrusted file read with `demuxer`: the demuxer pinned, the file
 * protocol alone, and for QuickTime no data references to other files.
 */
export function pinnedInputOptions(demuxer: Demuxer): string[] {
  return [
    '-f', demuxer,
    '-protocol_whitelist', 'file',
    ...(demuxer === 'mov' ? ['-enable_drefs', '0', '-use_absolute_path', '0'] : []),
  ];
}

/**
 * How long one ffmpeg run over an input of `durationSec` may take before it is killed: a
 * minute to start, and 20 s a second of video (decoding runs at 15x real time here, an
 * encode at 3-5x). A run that goes past it is stuck, not slow.
 */
export function timeLimitSec(durationSec: number): number {
  return Math.ceil(60 + 20 * durationSec);
}
