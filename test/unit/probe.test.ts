import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { videoInfoFromProbe } from '../../src/media/probe.js';

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
