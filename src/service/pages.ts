/**
 * The service's HTML pages, rendered on the server: plain markup that works without
 * scripts where it can, with small same-origin scripts for upload, live progress and the
 * player. No inline scripts or styles (the Content-Security-Policy forbids them), nothing
 * from another host.
 */
import type { Manifest } from '../manifest.js';
import type { Principal } from './auth.js';
import { can } from './auth.js';
import type { RecordingStatus } from './recordings.js';
import { formatBytes } from './upload.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Tagged template that escapes every interpolated value unless it is already markup. */
class Html {
  constructor(readonly text: string) {}
  toString() {
    return this.text;
  }
}
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    const parts = Array.isArray(v) ? v : [v];
    out += parts.map((p) => (p instanceof Html ? p.text : p === undefined || p === null || p === false ? '' : escapeHtml(String(p)))).join('');
    out += strings[i + 1];
  });
  return new Html(out);
}

function layout(title: string, principal: Principal | undefined, body: Html, scripts: string[] = []): string {
  const nav = principal
    ? html`<nav aria-label="Main">
        <a href="/recordings">Recordings</a>
        ${can(principal, 'upload') ? html`<a href="/upload">Upload</a>` : ''}
        ${can(principal, 'dashboard') ? html`<a href="/admin/queues">Queue</a>` : ''}
        <span class="who">${principal.name} (${principal.role})</span>
        <form method="post" action="/logout" class="inline"><button type="submit">Sign out</button></form>
      </nav>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · veil</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
${scripts.map((s) => `<script src="/assets/${escapeHtml(s)}" defer></script>`).join('\n')}
</head>
<body>
<header><a class="brand" href="/">veil</a>${nav}</header>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

export function loginPage(next: string, error?: string): string {
  return layout(
    'Sign in',
    undefined,
    html`<h1>Sign in</h1>
      ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
      <form method="post" action="/login" class="card">
        <input type="hidden" name="next" value="${next}">
        <label for="token">Access token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required minlength="16">
        <button type="submit">Sign in</button>
      </form>`,
  );
}

export function errorPage(status: number, message: string, principal?: Principal): string {
  return layout(`${status}`, principal, html`<h1>${status}</h1><p role="alert">${message}</p><p><a href="/">Back</a></p>`);
}

export function uploadPage(principal: Principal, maxBytes: number): string {
  return layout(
    'Upload',
    principal,
    html`<h1>Upload a recording</h1>
      <p>MP4, MOV, MKV or WebM, up to ${formatBytes(maxBytes)}. The recording is checked, queued and
        redacted; only the redacted copy can be viewed or downloaded.</p>
      <form id="upload-form" class="card" data-max-bytes="${maxBytes}">
        <div id="drop" class="drop" tabindex="0" aria-describedby="drop-help">
          <p id="drop-help">Drop a recording here, or choose one:</p>
          <label for="file">Recording</label>
          <input id="file" name="file" type="file" accept="video/mp4,video/quicktime,video/x-matroska,video/webm,.mp4,.mov,.mkv,.webm">
        </div>
        <button type="submit" id="send">Upload</button>
      </form>
      <section aria-live="polite" id="status" hidden>
        <h2>Progress</h2>
        <p><label for="upload-progress">Upload</label> <progress id="upload-progress" max="100" value="0"></progress> <span id="upload-text"></span></p>
        <p><label for="redact-progress">Redaction</label> <progress id="redact-progress" max="100" value="0"></progress> <span id="redact-text">waiting for the upload</span></p>
        <p id="result"></p>
      </section>`,
    ['upload.js'],
  );
}

const STATE_TEXT: Record<RecordingStatus['state'], string> = {
  queued: 'queued',
  processing: 'processing',
  retrying: 'retrying',
  done: 'done',
  failed: 'failed',
};

function stateCell(s: RecordingStatus): Html {
  const detail = s.state === 'processing' ? ` (${s.stage ?? ''} ${Math.round(s.percent)}%)` : s.state === 'failed' && s.error ? `: ${s.error.message}` : '';
  return html`<span class="state state-${s.state}">${STATE_TEXT[s.state]}</span>${detail}`;
}

export function listPage(principal: Principal, recordings: RecordingStatus[]): string {
  const rows = recordings.map(
    (r) => html`<tr>
      <td><a href="/recordings/${r.id}"><code>${r.id.slice(0, 16)}</code></a></td>
      <td>${r.uploadedAt ? new Date(r.uploadedAt).toISOString().replace('T', ' ').slice(0, 19) : ''}</td>
      <td>${stateCell(r)}</td>
      <td>${r.result ? `${r.result.durationSec.toFixed(1)} s` : ''}</td>
      <td>${r.result ? String(r.result.piiTracks) : ''}</td>
    </tr>`,
  );
  return layout(
    'Recordings',
    principal,
    html`<h1>Recordings</h1>
      <p>${can(principal, 'view-all') ? 'Every recording.' : 'Recordings you uploaded.'}</p>
      ${
        recordings.length === 0
          ? html`<p>No recordings yet.</p>`
          : html`<table>
              <caption class="sr-only">Recordings, newest first</caption>
              <thead><tr><th scope="col">Recording</th><th scope="col">Uploaded (UTC)</th><th scope="col">State</th><th scope="col">Length</th><th scope="col">PII regions</th></tr></thead>
              <tbody>${rows}</tbody>
            </table>`
      }`,
  );
}

const clock = (s: number) => `${Math.floor(s / 60)}:${(s % 60).toFixed(2).padStart(5, '0')}`;

/** The masked regions over time: one lane per type, one bar per region. Plain SVG, no script. */
export function timeline(manifest: Manifest): Html {
  const duration = Math.max(manifest.input.durationSec, 0.001);
  const lanes = [...new Set(manifest.tracks.flatMap((t) => (t.kind === 'pii' ? t.types : ['changing'])))].sort();
  const laneHeight = 22;
  const labelWidth = 130;
  const width = 1000;
  const height = Math.max(1, lanes.length) * laneHeight + 20;
  const span = width - labelWidth;
  const bars = manifest.tracks.map((t) => {
    const lane = lanes.indexOf(t.kind === 'pii' ? t.types[0] : 'changing');
    const x = labelWidth + (t.startSec / duration) * span;
    const w = Math.max(2, ((t.endSec - t.startSec) / duration) * span);
    const label = `${t.kind === 'pii' ? t.types.join(', ') : 'changing region'} ${clock(t.startSec)}–${clock(t.endSec)}`;
    return html`<rect class="bar bar-${t.kind}" data-start="${t.startSec}" x="${x.toFixed(1)}" y="${lane * laneHeight + 3}" width="${w.toFixed(1)}" height="${laneHeight - 6}"><title>${label}</title></rect>`;
  });
  const labels = lanes.map((l, i) => html`<text x="4" y="${i * laneHeight + 16}">${l}</text>`);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => html`<text class="tick" x="${(labelWidth + f * span - (f === 1 ? 40 : 0)).toFixed(1)}" y="${height - 4}">${clock(f * duration)}</text>`);
  return html`<svg id="timeline" class="timeline" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="timeline-title" data-duration="${duration}">
    <title id="timeline-title">Masked regions over the recording's ${duration.toFixed(1)} s, by type</title>
    ${labels}${bars}${ticks}
    <line id="playhead" class="playhead" x1="${labelWidth}" x2="${labelWidth}" y1="0" y2="${height - 18}" data-left="${labelWidth}" data-span="${span}"></line>
  </svg>`;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** What the passes after the first did: "one more pass that masked 2 findings of the first". */
function repassText(v: Manifest['verification']): string {
  const later = (v.passFindings ?? [v.firstPassFindings, 0]).slice(1, -1);
  const first = `masked ${plural(v.firstPassFindings, 'finding')} of the first`;
  if (!later.length) return `one more pass that ${first}`;
  return `${later.length + 1} more passes: the second ${first}, and each later one what the pass before it found (${later.join(', ')})`;
}

function verdict(status: RecordingStatus, manifest: Manifest | undefined): Html {
  if (manifest) {
    const v = manifest.verification;
    return html`<p class="verdict verdict-pass" id="verdict"><strong>Verified:</strong> the output was OCR'd again on ${v.frames.length} frames the analysis did not use; no PII found${v.repass ? ` (after ${repassText(v)})` : ''}.</p>`;
  }
  if (status.state === 'failed') {
    return html`<p class="verdict verdict-fail" id="verdict"><strong>Not archived:</strong> ${status.error?.message ?? 'the redaction failed'}.</p>`;
  }
  return html`<p class="verdict" id="verdict">Not verified yet.</p>`;
}

export function reviewPage(principal: Principal, status: RecordingStatus, manifest: Manifest | undefined): string {
  const id = status.id;
  const reviewer = can(principal, 'review');
  const body = manifest
    ? html`<video id="player" controls preload="metadata" src="/api/recordings/${id}/video" width="${manifest.input.width}" height="${manifest.input.height}"></video>
        <h2>Masked regions</h2>
        ${timeline(manifest)}
        <table id="tracks">
          <caption class="sr-only">Masked regions: type, time range and box</caption>
          <thead><tr><th scope="col">Type</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Box (x,y w×h)</th><th scope="col">Masked form</th></tr></thead>
          <tbody>${manifest.tracks.map(
            (t) => html`<tr>
              <td>${t.kind === 'pii' ? t.types.join(', ') : 'changing region'}</td>
              <td><button type="button" class="seek" data-start="${t.startSec}">${clock(t.startSec)}</button></td>
              <td>${clock(t.endSec)}</td>
              <td>${t.box.x},${t.box.y} ${t.box.w}×${t.box.h}</td>
              <td>${t.masked.join(' ')}</td>
            </tr>`,
          )}</tbody>
        </table>
        <p>
          <a href="/api/recordings/${id}/video" download>Download the redacted video</a> ·
          <a href="/api/recordings/${id}/manifest" download>manifest</a>
          ${reviewer ? html` · <a href="/api/recordings/${id}/report">verification report</a> · <a href="/recordings/${id}/spot-check">spot-check</a>` : ''}
        </p>`
    : html`<p><label for="redact-progress">Redaction</label> <progress id="redact-progress" max="100" value="${status.percent}"></progress> <span id="redact-text">${status.state}</span></p>`;
  return layout(
    `Recording ${id.slice(0, 16)}`,
    principal,
    html`<h1>Recording <code>${id.slice(0, 16)}</code></h1>
      <p id="state" data-id="${id}" data-state="${status.state}">State: ${stateCell(status)}</p>
      ${verdict(status, manifest)}
      ${body}`,
    ['review.js'],
  );
}

export function spotCheckPage(principal: Principal, status: RecordingStatus, manifest: Manifest, frames: number[]): string {
  const id = status.id;
  const fps = manifest.input.fps;
  return layout(
    `Spot-check ${id.slice(0, 16)}`,
    principal,
    html`<h1>Spot-check <code>${id.slice(0, 16)}</code></h1>
      ${verdict(status, manifest)}
      <p>${frames.length} frames of the redacted output, evenly spaced, left to right and top to bottom:
        ${frames.map((f) => clock(f / fps)).join(', ')}. Look for any text that should have been masked.</p>
      <img id="sheet" class="sheet" src="/api/recordings/${id}/sheet.png" alt="Contact sheet of ${frames.length} frames sampled from the redacted recording">
      <p><a href="/recordings/${id}">Back to the recording</a> · <a href="/api/recordings/${id}/report">verification report (JSON)</a></p>`,
  );
}

/** Frames a spot-check shows: `count` evenly spaced, first and last included. */
export function spotCheckFrames(frameCount: number, count = 12): number[] {
  if (frameCount <= count) return Array.from({ length: frameCount }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (frameCount - 1)) / (count - 1)));
}
