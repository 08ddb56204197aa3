import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import {
  audioCodecOptions,
  containerForPath,
  joinRendersJob,
  reducedFramesJob,
  renderJob,
  segmentFilterPrefix,
  segmentRenderJob,
  sampledGreyFramesJob,
  sampleFrameIndices,
  sampleStep,
  selectFramesFilter,
} from '../../src/media/ffmpeg-args.js';
import type { VideoInfo } from '../../src/media/video-info.js';
import type { MaskTrack } from '../../src/plan/plan.js';
import { enableExpression, maskFilterGraph } from '../../src/render/filters.js';

const info: VideoInfo = {
  sizeBytes: 1000,
  demuxer: 'mov',
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSec: 10,
  width: 1280,
  height: 720,
  rotation: 0,
  fps: 30,
  frameCount: 300,
  videoCodec: 'h264',
  pixelFormat: 'yuv420p',
  videoStreamIndex: 1,
  audio: [{ index: 0, codec: 'aac' }],
  droppedStreams: [{ index: 2, type: 'subtitle', codec: 'mov_text' }],
};
const config = parseConfig({});

const track = (over: Partial<MaskTrack> = {}): MaskTrack => ({
  id: 0,
  kind: 'pii',
  types: ['email'],
  detectors: ['pattern:email'],
  confidence: 0.9,
  from: 10,
  to: 40,
  box: { x: 100, y: 50, w: 80, h: 20 },
  fill: 255,
  values: ['x'],
  ...over,
});

describe('sampling', () => {
  it('takes every step-th frame and always the last', () => {
    expect(sampleFrameIndices(10, 4)).toEqual([0, 4, 8, 9]);
    expect(sampleFrameIndices(9, 4)).toEqual([0, 4, 8]);
    expect(sampleStep(info, 0.5)).toBe(15);
  });

  it('decodes the selected frames as grey, by frame number, without audio', () => {
    const job = sampledGreyFramesJob('/in.mp4', info, 15);
    expect(job.output).toBeNull();
    expect(job.outputOptions).toEqual(expect.arrayContaining(['-an', '-sn', '-dn', '-fps_mode', 'passthrough']));
    expect(job.outputOptions[job.outputOptions.indexOf('-vf') + 1]).toBe("select='not(mod(n\\,15))+eq(n\\,299)',format=gray");
  });
});

describe('analysis decoding', () => {
  it('reduces every frame 4x by area averaging, as grey', () => {
    const job = reducedFramesJob('/in.mp4', info);
    expect(job.outputOptions[job.outputOptions.indexOf('-vf') + 1]).toBe('extractplanes=y,scale=320:180:flags=area,format=gray');
    expect(job.outputOptions).toEqual(expect.arrayContaining(['-fps_mode', 'passthrough', '-an']));
  });

  it('selects the frames to read by number, once each', () => {
    expect(selectFramesFilter([40, 3, 40])).toBe("select='eq(n\\,3)+eq(n\\,40)',format=gray");
  });
});

describe('renderJob', () => {
  const job = renderJob('/in.mp4', '/out/.x.partial.mp4', info, '/tmp/masks.filter', config, 'mp4');
  const opts = job.outputOptions.join(' ');

  it('maps the video stream and copies audio, dropping everything else', () => {
    expect(opts).toContain('-map 0:1 -map 0:a -c:a copy');
    expect(opts).toContain('-sn -dn');
    expect(opts).toContain('-map_metadata -1 -map_metadata:s:v -1 -map_metadata:s:a -1 -map_chapters -1');
  });

  it('keeps every frame at its time and burns in the filter script', () => {
    expect(opts).toContain('-fps_mode passthrough');
    expect(opts).toContain('-filter_script:v /tmp/masks.filter');
    expect(opts).toContain('-c:v libx264 -preset veryfast -crf 20');
    expect(job.inputOptions).toContain('-stats');
  });

  it('opens the input only as its sniffed container, over the file protocol, with a time limit', () => {
    expect(job.input).toBe('file:/in.mp4');
    expect(job.inputOptions.join(' ')).toContain('-f mov -protocol_whitelist file -enable_drefs 0 -use_absolute_path 0');
    expect(job.timeLimitSec).toBe(60 + 20 * 10);
    const mkv = reducedFramesJob('rel/concat:x.mkv', { ...info, demuxer: 'matroska' });
    expect(mkv.input).toMatch(/^file:\/.*\/rel\/concat:x\.mkv$/);
    expect(mkv.inputOptions.join(' ')).toContain('-f matroska -protocol_whitelist file');
    expect(mkv.inputOptions).not.toContain('-enable_drefs');
  });

  it('copies audio the output container takes, and re-encodes what it does not', () => {
    expect(audioCodecOptions('mp4', [{ index: 1, codec: 'aac' }])).toEqual(['-map', '0:a', '-c:a', 'copy']);
    expect(audioCodecOptions('matroska', [{ index: 1, codec: 'pcm_f32le' }])).toEqual(['-map', '0:a', '-c:a', 'copy']);
    expect(audioCodecOptions('webm', [{ index: 1, codec: 'aac' }])).toEqual(['-map', '0:a', '-c:a', 'libopus', '-b:a', '96k']);
    expect(audioCodecOptions('mp4', [{ index: 1, codec: 'vorbis' }])).toEqual(['-map', '0:a', '-c:a', 'aac', '-b:a', '160k']);
    expect(audioCodecOptions('mp4', [])).toEqual([]);
  });

  it('picks the container from the output name', () => {
    expect(containerForPath('a/b.MP4')).toBe('mp4');
    expect(containerForPath('a/b.mkv')).toBe('matroska');
    expect(containerForPath('a/b.avi')).toBeUndefined();
  });
});

describe('a render in segments', () => {
  const segment = { ...info, frameCount: 4 + 90, segment: { firstFrame: 146, startSec: 4.866667, seekSec: 4.85, lead: 4 } };

  it('renders a segment from its lead-in seek point, its own frames alone, video only, as MP4', () => {
    const job = segmentRenderJob('/in.mp4', '/w/1.mp4', segment, '/tmp/masks.filter', config);
    const opts = job.outputOptions.join(' ');
    expect(job.inputOptions.join(' ')).toContain('-ss 4.850000 -f mov -protocol_whitelist file');
    expect(opts).toContain('-map 0:1 -an -filter_script:v /tmp/masks.filter -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p');
    expect(opts).toContain('-fps_mode passthrough -frames:v 90');
    expect(opts).toContain('-map_metadata -1');
    expect(opts).toMatch(/-f mp4 -y$/);
    expect(() => segmentRenderJob('/in.mp4', '/w/1.mp4', info, '/tmp/masks.filter', config)).toThrow();
    // The lead-in is dropped in the filter script, and the segment's own frames timed from 0.
    expect(segmentFilterPrefix(4)).toBe('trim=start_frame=4,setpts=PTS-STARTPTS,');
  });

  it('joins the segments without a second encode, with the input audio and nothing else of it', () => {
    const job = joinRendersJob('/w/list.txt', '/in.mp4', '/out/.x.partial.mkv', info, 'matroska');
    expect(job.input).toBe('file:/w/list.txt');
    expect(job.inputOptions.join(' ')).toContain('-f concat -safe 0 -protocol_whitelist file');
    expect(job.moreInputs).toEqual([{ input: 'file:/in.mp4', inputOptions: expect.arrayContaining(['-f', 'mov', '-enable_drefs', '0']) }]);
    const opts = job.outputOptions.join(' ');
    expect(opts).toContain('-map 0:v -c:v copy -map 1:a -c:a copy');
    expect(opts).toContain('-map_metadata -1 -map_metadata:s:v -1 -map_metadata:s:a -1 -map_chapters -1 -sn -dn -f matroska -y');
    expect(job.timeLimitSec).toBe(60 + 20 * 10);
    expect(joinRendersJob('/w/list.txt', '/in.mp4', '/o.mp4', { ...info, audio: [] }, 'mp4').moreInputs).toEqual([]);
  });
});

describe('maskFilterGraph', () => {
  it('fills each track with its background colour over its frame range', () => {
    expect(maskFilterGraph([track(), track({ id: 1, from: 0, to: 5, fill: 16 })], 'fill')).toBe(
      "drawbox=x=100:y=50:w=80:h=20:color=0xffffff@1:t=fill:enable='between(n,10,40)',\n" +
        "drawbox=x=100:y=50:w=80:h=20:color=0x101010@1:t=fill:enable='between(n,0,5)'",
    );
  });

  it('is a pass-through when there is nothing to mask', () => {
    expect(maskFilterGraph([], 'fill')).toBe('null');
  });

  it('blurs or pixelates crops overlaid over the track range', () => {
    const blur = maskFilterGraph([track(), track({ id: 1, box: { x: 300, y: 50, w: 80, h: 20 } })], 'blur');
    expect(blur).toMatch(/^split=3\[base\]\[c0\]\[c1\]/);
    expect(blur).toContain('[c0]crop=80:20:100:50,boxblur=');
    expect(blur).toContain("[o0][m1]overlay=x=300:y=50:enable='between(n,10,40)'");
    const pix = maskFilterGraph([track()], 'pixelate');
    expect(pix).toContain('scale=7:2:flags=area,scale=80:20:flags=neighbor');
  });
});

describe('filters shared by a box that comes back', () => {
  it('one drawbox for one box and fill over all its ranges, ranges that meet joined', () => {
    const g = maskFilterGraph([track({ from: 0, to: 5 }), track({ id: 1, from: 6, to: 9 }), track({ id: 2, from: 20, to: 30 })], 'fill');
    expect(g).toBe("drawbox=x=100:y=50:w=80:h=20:color=0xffffff@1:t=fill:enable='between(n,0,9)+between(n,20,30)'");
  });

  it('sums many ranges as a balanced tree', () => {
    const ranges = Array.from({ length: 200 }, (_, i) => ({ from: i * 10, to: i * 10 + 2 }));
    const e = enableExpression(ranges);
    expect(e.match(/between/g)).toHaveLength(200);
    expect(e.startsWith("enable='(")).toBe(true);
  });
});
