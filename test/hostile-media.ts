/**
 * A corpus of hostile inputs, generated into a directory: playlists and scripts that make
 * a sniffing ffmpeg open other files (HLS, DASH, ffconcat, SDP), images and text in video
 * clothing, a frame size and a duration past the limits from files of a few kilobytes,
 * broken containers and a container with no frames. The file names hold a person's name,
 * so a test can check no message repeats them.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from './helpers.js';

export interface HostileCase {
  name: string;
  path: string;
  /** What the one error line must say. */
  message: RegExp;
  /** The file the input points at, for cases that point somewhere. */
  target: string;
}

const NOT_A_CONTAINER = /the input is not an MP4\/MOV or Matroska\/WebM video/;

/** Writes the corpus into `dir`; `target` is a real video (outside the allowed roots) the playlists name. */
export async function hostileMedia(dir: string, target: string): Promise<HostileCase[]> {
  const cases: HostileCase[] = [];
  const add = async (name: string, file: string, content: string | Buffer, message: RegExp) => {
    const path = join(dir, file);
    await writeFile(path, content);
    cases.push({ name, path, message, target });
  };
  const ff = async (name: string, file: string, args: string[], message: RegExp) => {
    const path = join(dir, file);
    await exec('ffmpeg', ['-v', 'error', '-y', ...args, path]);
    cases.push({ name, path, message, target });
  };

  await add('hls-vod', 'Jane Doe call.mp4', `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${target}\n#EXT-X-ENDLIST\n`, NOT_A_CONTAINER);
  // No end tag: a live playlist that a sniffing ffprobe waits on for ever.
  await add('hls-live', 'Jane Doe live.mp4', `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${target}\n`, NOT_A_CONTAINER);
  await add(
    'dash',
    'Jane Doe dash.mp4',
    `<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1000"><BaseURL>file:${target}</BaseURL></Representation></AdaptationSet></Period></MPD>\n`,
    NOT_A_CONTAINER,
  );
  await add('ffconcat', 'Jane Doe concat.mp4', `ffconcat version 1.0\nfile '${target}'\n`, NOT_A_CONTAINER);
  await add('sdp', 'Jane Doe rtp.mp4', 'v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video 5004 RTP/AVP 96\na=rtpmap:96 H264/90000\n', NOT_A_CONTAINER);
  await add('text', 'Jane Doe notes.mp4', 'Customer: Jane Doe, card 4457 2265 7174 7923\n'.repeat(40), NOT_A_CONTAINER);
  // An image that the image2 demuxers would take; a %d in the name is an image2 pattern.
  await ff('image', 'Jane Doe %03d.mp4', ['-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', '-update', '1'], NOT_A_CONTAINER);
  await ff('huge-frame', 'Jane Doe wide.mkv', ['-f', 'lavfi', '-i', 'color=s=8192x16:r=10:d=0.3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'], /frame size 8192x16 is over the limit/);
  // A few kilobytes that declare 70 hours of video: refused before any decoding.
  await exec('ffmpeg', ['-v', 'error', '-y', '-itsscale', '250000', '-i', target, '-an', '-c', 'copy', join(dir, 'Jane Doe long.mp4')]);
  cases.push({ name: 'duration-bomb', path: join(dir, 'Jane Doe long.mp4'), message: /duration \d+ s is over the limit/, target });
  await ff('no-frames', 'Jane Doe empty.mp4', ['-f', 'lavfi', '-i', 'color=s=64x64:r=10:d=1', '-frames:v', '0', '-c:v', 'libx264'], /no video stream|no frames|zero duration/);
  // A box header that says ftyp, then nothing a demuxer can use.
  const brokenBox = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12), Buffer.from([0, 0, 0xff, 0xff]), Buffer.from('moov'), Buffer.alloc(64, 7)]);
  await add('truncated-atoms', 'Jane Doe box.mp4', brokenBox, /the input is not a readable video|the input has no video stream/);
  const ebml = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88]), Buffer.from('matroska'), Buffer.alloc(200, 0xee)]);
  await add('broken-matroska', 'Jane Doe broken.mkv', ebml, /the input is not a readable video/);
  return cases;
}
