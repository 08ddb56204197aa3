import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { sniffDemuxer } from '../../src/media/input.js';
import { ffprobeArgs, scrubPath, videoInfoFromProbe } from '../../src/media/probe.js';
import { extensionForDemuxer } from '../../src/storage/local.js';

const config = parseConfig({});
const video = (over: Record<string, unknown> = {}) => ({
  index: 0,
  codec_type: 'video',
  codec_name: 'h264',
  width: 1920,
  height: 1080,
  pix_fmt: 'yuv420p',
  avg_frame_rate: '30/1',
  nb_frames: '300',
  nb_read_packets: '300',
  duration: '10.0',
  ...over,
});
const probe = (streams: unknown[]) => ({ streams, format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10.0' } }) as never;

describe('videoInfoFromProbe', () => {
  it('converts a normal probe', () => {
    const info = videoInfoFromProbe(
      probe([video(), { index: 1, codec_type: 'audio', codec_name: 'aac' }, { index: 2, codec_type: 'subtitle', codec_name: 'mov_text' }]),
      1234,
      config,
    );
    expect(info).toMatchObject({ width: 1920, height: 1080, fps: 30, frameCount: 300, audio: [{ index: 1, codec: 'aac' }] });
    expect(info.droppedStreams).toEqual([{ index: 2, type: 'subtitle', codec: 'mov_text' }]);
  });

  it('swaps width and height for a rotated stream', () => {
    const info = videoInfoFromProbe(probe([video({ side_data_list: [{ rotation: -90 }] })]), 1, config);
    expect([info.width, info.height, info.rotation]).toEqual([1080, 1920, 270]);
  });

  it.each([
    ['no video stream', [{ index: 0, codec_type: 'audio', codec_name: 'aac' }], /no video stream/],
    ['only cover art', [video({ disposition: { attached_pic: 1 } })], /no video stream/],
    ['absurd dimensions', [video({ width: 100000, height: 20 })], /over the limit/],
    ['truncated', [video({ nb_read_packets: '120' })], /truncated: 120 of 300/],
    ['no frames', [video({ nb_read_packets: '0', nb_frames: undefined })], /no frames/],
    ['no frame rate', [video({ avg_frame_rate: '0/0', r_frame_rate: '0/0' })], /no frame rate/],
  ])('rejects %s', (_, streams, message) => {
    expect(() => videoInfoFromProbe(probe(streams as unknown[]), 1, config)).toThrow(message);
  });
});

describe('sniffDemuxer', () => {
  const box = (type: string, size = 24) => Buffer.concat([Buffer.from([0, 0, 0, size]), Buffer.from(type), Buffer.alloc(16)]);
  it('takes ISO BMFF/QuickTime and Matroska/WebM by their own bytes', () => {
    expect(sniffDemuxer(box('ftyp'))).toBe('mov');
    expect(sniffDemuxer(box('moov'))).toBe('mov');
    expect(sniffDemuxer(box('wide', 8))).toBe('mov');
    expect(sniffDemuxer(Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84]), Buffer.from('webm')]))).toBe('matroska');
    expect(sniffDemuxer(Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88]), Buffer.from('matroska')]))).toBe('matroska');
  });

  it('refuses playlists, scripts, images, text and impossible box sizes', () => {
    for (const text of ['#EXTM3U\n#EXTINF:1,\n/etc/passwd\n', '<?xml version="1.0"?><MPD>', 'ffconcat version 1.0\n', 'v=0\no=- 0 0 IN IP4 1.2.3.4', 'file:///etc/passwd']) {
      expect(sniffDemuxer(Buffer.from(text)), text).toBeUndefined();
    }
    expect(sniffDemuxer(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeUndefined();
    expect(sniffDemuxer(box('ftyp', 3))).toBeUndefined();
    expect(sniffDemuxer(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0]))).toBeUndefined();
    expect(sniffDemuxer(Buffer.alloc(0))).toBeUndefined();
  });

  it('keeps a name that fits the bytes, and gives a mislabelled file its own container', () => {
    expect(extensionForDemuxer('mov', '.mov')).toBe('.mov');
    expect(extensionForDemuxer('mov', '.webm')).toBe('.mp4');
    expect(extensionForDemuxer('matroska', '.webm')).toBe('.webm');
    expect(extensionForDemuxer('matroska', '.mp4')).toBe('.mkv');
  });

  it('a probe that does not describe the pinned container is refused', () => {
    const raw = { streams: [video()], format: { format_name: 'hls', duration: '10.0' } } as never;
    expect(() => videoInfoFromProbe(raw, 1, config, 'mov')).toThrow(/not an MP4\/MOV or Matroska\/WebM/);
    const mkv = { streams: [video()], format: { format_name: 'matroska,webm', duration: '10.0' } } as never;
    expect(videoInfoFromProbe(mkv, 1, config, 'matroska').demuxer).toBe('matroska');
  });

  it('ffprobe gets the demuxer, the file protocol alone and a file URL', () => {
    expect(ffprobeArgs('/data/in box.mp4', 'mov').join(' ')).toBe(
      '-hide_banner -loglevel error -f mov -protocol_whitelist file -enable_drefs 0 -use_absolute_path 0 -count_packets -show_streams -show_format -of json -i file:/data/in box.mp4',
    );
  });

  it('scrubs the path and the name from a tool message', () => {
    expect(scrubPath('file:/d/Jane Doe.mp4: Invalid data found', '/d/Jane Doe.mp4')).toBe('the input: Invalid data found');
    expect(scrubPath('Error opening Jane Doe.mp4', '/d/Jane Doe.mp4')).toBe('Error opening the input');
  });
});
