/**
 * Sample support-tool screens: a customer profile, a chat, a transaction table and a
 * terminal log, with fake PII next to text that must stay readable (ticket numbers,
 * dates, versions). Used by `veil demo`, the tests and the bench.
 */
import type { PiiType } from '../pii/types.js';
import {
  Rng,
  fakeApiKey,
  fakeBtcBech32,
  fakeBtcLegacy,
  fakeCard,
  fakeEth,
  fakeIban,
  fakeIpv4,
  fakeMoney,
  fakePerson,
} from './fake.js';
import { DARK, LIGHT, textBox, type RectItem, type SceneSpec, type TextItem, type Theme } from './scene.js';

export interface SceneOptions {
  width: number;
  height: number;
  fps: number;
  seconds: number;
  theme?: 'light' | 'dark';
  seed?: number;
  /** Font size in pixels; defaults to the screen height / 40. */
  fontSize?: number;
  audio?: boolean;
  metadata?: Record<string, string>;
  subtitles?: boolean;
}

type Part = string | { pii: PiiType; text: string };

/** Lays out one line of text made of plain and PII parts, each its own item with its own box. */
class Layout {
  items: TextItem[] = [];
  rects: RectItem[] = [];
  private seq = 0;
  constructor(readonly theme: Theme) {}

  line(x: number, y: number, size: number, parts: Part[], extra: Partial<TextItem> = {}): number {
    let cx = x;
    for (const part of parts) {
      const p = typeof part === 'string' ? { text: part } : part;
      if (p.text.trim()) {
        const lead = p.text.length - p.text.trimStart().length;
        const text = p.text.trim();
        const item: TextItem = { id: `t${this.seq++}`, text, x: cx + textBox({ x: 0, y: 0, size, text: ' '.repeat(lead) }).w, y, size, ...extra };
        if ('pii' in p) item.pii = p.pii;
        this.items.push(item);
      }
      cx += textBox({ x: 0, y: 0, size, text: p.text }).w;
    }
    return cx;
  }

  rect(r: RectItem) {
    this.rects.push(r);
  }
}

function base(name: string, o: SceneOptions, layout: Layout, theme: Theme): SceneSpec {
  return {
    name,
    width: o.width,
    height: o.height,
    fps: o.fps,
    frames: Math.round(o.seconds * o.fps),
    theme,
    rects: layout.rects,
    items: layout.items,
    audio: o.audio,
    metadata: o.metadata,
    subtitles: o.subtitles,
  };
}

function header(l: Layout, o: SceneOptions, size: number, title: string) {
  const h = Math.round(size * 2.2);
  l.rect({ x: 0, y: 0, w: o.width, h, fill: l.theme.panel, fixed: true });
  l.line(Math.round(size), Math.round(h * 0.68), size, [title], { fixed: true, color: l.theme.accent, bold: true });
  return h;
}

const themeOf = (o: SceneOptions) => (o.theme === 'dark' ? DARK : LIGHT);
const sizeOf = (o: SceneOptions) => o.fontSize ?? Math.max(12, Math.round(o.height / 40));

/** A static customer profile: labelled PII in one column, ticket facts in another. */
export function profileScene(o: SceneOptions): SceneSpec {
  const rng = new Rng(o.seed ?? 1);
  const theme = themeOf(o);
  const l = new Layout(theme);
  const size = sizeOf(o);
  const top = header(l, o, size, 'Support Desk - Ticket #48213');
  const p = fakePerson(rng);
  const rows: Array<[string, Part]> = [
    ['Name:', { pii: 'person_name', text: p.name }],
    ['Email:', { pii: 'email', text: p.email }],
    ['Phone:', { pii: 'phone', text: p.phone }],
    ['Address:', { pii: 'postal_address', text: `${p.street}, ${p.city}` }],
    ['DOB:', { pii: 'date_of_birth', text: p.dob }],
    ['SSN:', { pii: 'national_id', text: p.ssn }],
    ['Card:', { pii: 'card_number', text: fakeCard(rng) }],
    ['IBAN:', { pii: 'iban', text: fakeIban(rng) }],
    ['BTC wallet:', { pii: 'crypto_address', text: fakeBtcBech32(rng) }],
    ['ETH wallet:', { pii: 'crypto_address', text: fakeEth(rng) }],
    ['Balance:', { pii: 'money', text: fakeMoney(rng) }],
    ['Last IP:', { pii: 'ip_address', text: fakeIpv4(rng) }],
  ];
  const x = size;
  const lineH = Math.round(size * 1.75);
  let y = top + lineH * 1.4;
  l.rect({ x: Math.round(size / 2), y: top + Math.round(size / 2), w: Math.round(o.width * 0.72), h: Math.round(lineH * (rows.length + 0.8)), fill: theme.panel });
  for (const [label, value] of rows) {
    l.line(x, Math.round(y), size, [label.padEnd(13), value]);
    y += lineH;
  }
  // Ticket facts in a second column, right of the longest value, when the screen has room.
  const widest = Math.max(...l.items.filter((i) => i.pii).map((i) => i.x + textBox(i).w));
  const rx = Math.max(Math.round(o.width * 0.76), widest + 2 * size);
  const facts = ['Status: Open', 'Opened 2026-03-02', 'App v4.12.3', 'Order ORD-778812', 'Fee tier 0.10%', 'KYC level 2', 'Priority P3'];
  const fits = rx + textBox({ x: 0, y: 0, size: Math.round(size * 0.9), text: 'Opened 2026-03-02' }).w < o.width;
  let fy = top + lineH * 1.4;
  for (const f of fits ? facts : []) {
    l.line(rx, Math.round(fy), Math.round(size * 0.9), [f], { color: theme.muted });
    fy += lineH;
  }
  return base('profile', o, l, theme);
}

/** A chat: messages arrive at odd frames and stay; some carry PII in the middle of a sentence. */
export function chatScene(o: SceneOptions): SceneSpec {
  const rng = new Rng(o.seed ?? 2);
  const theme = themeOf(o);
  const l = new Layout(theme);
  const size = sizeOf(o);
  const top = header(l, o, size, 'Live chat - Ticket #50917 - Agent support-07');
  const p = fakePerson(rng);
  const frames = Math.round(o.seconds * o.fps);
  const messages: Part[][] = [
    ['Agent: Hello, how can I help you today?'],
    ['Customer: hi, I cannot withdraw since version 4.12'],
    ['Customer: my email is ', { pii: 'email', text: p.email }],
    ['Agent: Thanks. Which wallet did you send to?'],
    ['Customer: ', { pii: 'crypto_address', text: fakeBtcLegacy(rng) }],
    ['Customer: call me at ', { pii: 'phone', text: p.phone }],
    ['Agent: Your balance shows ', { pii: 'money', text: fakeMoney(rng) }],
    ['Agent: Ticket #50917 escalated on 2026-03-04'],
  ];
  const lineH = Math.round(size * 1.9);
  messages.forEach((parts, i) => {
    // Arrival frames spread over the clip at uneven steps.
    const from = Math.min(frames - 1, Math.round(((i + 0.37 * (i % 3)) / (messages.length + 0.5)) * frames));
    l.line(size, Math.round(top + lineH * (i + 1.3)), size, parts, { from });
  });
  return base('chat', o, l, theme);
}

/** A transaction table taller than the screen, scrolled at `pxPerSecond` after a pause. */
/** A table scrolled at `pxPerSecond` from `startAt` (a fraction of the clip, default 0.2). */
export function transactionsScene(o: SceneOptions & { pxPerSecond?: number; startAt?: number }): SceneSpec {
  const rng = new Rng(o.seed ?? 3);
  const theme = themeOf(o);
  const l = new Layout(theme);
  const size = sizeOf(o);
  const top = header(l, o, size, 'Transactions - Account review - Ticket #61044');
  const lineH = Math.round(size * 1.8);
  const rows = 40;
  for (let i = 0; i < rows; i++) {
    const y = Math.round(top + lineH * (i + 1.2));
    l.line(size, y, size, [
      `2026-02-${String((i % 28) + 1).padStart(2, '0')}  TX-${90213 + i}  `,
      { pii: 'money', text: fakeMoney(rng) },
      '  to ',
      { pii: 'crypto_address', text: i % 2 ? fakeEth(rng) : fakeBtcBech32(rng) },
    ]);
  }
  const frames = Math.round(o.seconds * o.fps);
  const pageBottom = top + lineH * (rows + 2);
  const maxOffset = Math.max(0, pageBottom - o.height);
  const speed = o.pxPerSecond ?? 120;
  const start = Math.round(frames * (o.startAt ?? 0.2));
  const end = Math.min(frames - 1, start + Math.round((maxOffset / speed) * o.fps));
  const spec = base('transactions', o, l, theme);
  spec.scroll = { region: { y: top, h: o.height - top }, keys: [[start, 0], [end, Math.round(((end - start) / o.fps) * speed)]] };
  return spec;
}

/** A terminal with small text: log lines appear one by one. */
export function terminalScene(o: SceneOptions): SceneSpec {
  const rng = new Rng(o.seed ?? 4);
  const theme = themeOf({ ...o, theme: o.theme ?? 'dark' });
  const l = new Layout(theme);
  const size = o.fontSize ?? Math.max(10, Math.round(o.height / 60));
  const top = header(l, o, size, 'ssh ops@bastion - tail -f api.log');
  const frames = Math.round(o.seconds * o.fps);
  const lineH = Math.round(size * 1.5);
  const count = Math.floor((o.height - top) / lineH) - 1;
  for (let i = 0; i < count; i++) {
    const p = fakePerson(rng);
    const ts = `2026-03-02 14:${String(10 + (i % 50)).padStart(2, '0')}:0${i % 10} `;
    const kinds: Part[][] = [
      [ts, 'INFO  login ok user=', { pii: 'email', text: p.email }, ' ip=', { pii: 'ip_address', text: fakeIpv4(rng) }],
      [ts, 'WARN  withdrawal held amount=', { pii: 'money', text: fakeMoney(rng) }, ' build 4.12.3'],
      [ts, 'DEBUG auth key=', { pii: 'api_key', text: fakeApiKey(rng) }],
      [ts, 'INFO  health check ok latency=12ms version=4.12.3'],
    ];
    const from = Math.round((i / count) * frames * 0.8);
    l.line(size, Math.round(top + lineH * (i + 1.2)), size, kinds[i % kinds.length], { from });
  }
  return base('terminal', o, l, theme);
}

/** A dashboard with a confirmation dialog that shows a wallet and an amount for `showSec` (0.3 s by default). */
export function modalScene(o: SceneOptions & { showSec?: number }): SceneSpec {
  const rng = new Rng(o.seed ?? 5);
  const theme = themeOf(o);
  const l = new Layout(theme);
  const size = sizeOf(o);
  const top = header(l, o, size, 'Withdrawals queue - Ticket #70311');
  const lineH = Math.round(size * 1.8);
  for (let i = 0; i < 8; i++) {
    l.line(size, Math.round(top + lineH * (i + 1.3)), size, [`Request WR-${5120 + i}   status pending   created 2026-03-0${(i % 9) + 1}`], { color: theme.muted });
  }
  const frames = Math.round(o.seconds * o.fps);
  // Opens at an odd frame, between any two sampling points one might pick.
  const from = Math.round(frames * 0.43) + 1;
  const to = from + Math.max(1, Math.round((o.showSec ?? 0.3) * o.fps));
  const mx = Math.round(o.width * 0.2);
  const my = Math.round(o.height * 0.3);
  l.rect({ x: mx, y: my, w: Math.round(o.width * 0.6), h: Math.round(lineH * 4.5), fill: theme.panel, from, to, fixed: true });
  l.line(mx + size, my + lineH, size, ['Confirm withdrawal'], { from, to, fixed: true, bold: true });
  l.line(mx + size, my + lineH * 2, size, ['to ', { pii: 'crypto_address', text: fakeEth(rng) }], { from, to, fixed: true });
  l.line(mx + size, my + lineH * 3, size, ['amount ', { pii: 'money', text: fakeMoney(rng) }], { from, to, fixed: true });
  return base('modal', o, l, theme);
}

/** A form whose fields are typed in, one character every `framesPerChar` frames. */
export function typingScene(o: SceneOptions & { framesPerChar?: number }): SceneSpec {
  const rng = new Rng(o.seed ?? 6);
  const theme = themeOf(o);
  const l = new Layout(theme);
  const size = sizeOf(o);
  const top = header(l, o, size, 'Add beneficiary - Ticket #81277');
  const p = fakePerson(rng);
  const lineH = Math.round(size * 2.2);
  const per = o.framesPerChar ?? 4;
  const fields: Array<[string, PiiType, string]> = [
    ['Full name', 'person_name', p.name],
    ['Email', 'email', p.email],
    ['IBAN', 'iban', fakeIban(rng)],
  ];
  let start = Math.round(o.fps * 0.5);
  fields.forEach(([label, type, value], i) => {
    const y = Math.round(top + lineH * (i + 1.3));
    l.line(size, y, size, [label.padEnd(11)], { color: theme.muted });
    const x = size + textBox({ x: 0, y: 0, size, text: ' '.repeat(11) }).w;
    l.items.push({ id: `typed${i}`, text: value, x, y, size, pii: type, from: start, typing: per });
    start += value.length * per + Math.round(o.fps * 0.6);
  });
  l.line(size, Math.round(top + lineH * 4.6), size, ['Changes are logged under ticket #81277 (v4.12.3)'], { color: theme.muted });
  return base('typing', o, l, theme);
}

/**
 * The same scene with a mouse pointer that never stops for long: it glides (eased) between
 * points across the screen, over text, and rests about a second on a piece of personal
 * data now and then, as an agent's pointer does.
 */
export function withPointer(scene: SceneSpec, seed = 1): SceneSpec {
  const rng = new Rng(seed);
  const keys: Array<[number, number, number]> = [];
  const pii = scene.items.filter((i) => i.pii && !i.typing);
  let frame = 0;
  let x = Math.round(scene.width / 2);
  let y = Math.round(scene.height / 2);
  keys.push([0, x, y]);
  while (frame < scene.frames) {
    const rest = pii.length && rng.next() < 0.25;
    if (rest) {
      const item = rng.pick(pii);
      x = item.x + rng.int(0, Math.max(1, item.text.length * item.size * 0.5));
      y = item.y - Math.round(item.size * 0.4);
    } else {
      x = rng.int(10, scene.width - 30);
      y = rng.int(10, scene.height - 30);
    }
    frame += rng.int(Math.round(scene.fps * 0.4), Math.round(scene.fps * 1.2));
    keys.push([frame, x, y]);
    // A short pause, or a long one over the value it pointed at.
    frame += rest ? Math.round(scene.fps * 1) : rng.int(0, Math.round(scene.fps * 0.2));
    keys.push([frame, x, y]);
  }
  return { ...scene, name: `${scene.name}-pointer`, pointer: keys };
}

/**
 * The same scene with what keeps a real screen moving in small places: a clock at the top
 * right that ticks every second, a session counter that goes up every 0.7 s, and a text
 * caret blinking at 1 Hz after the first PII value (as in a focused field).
 */
export function withLiveWidgets(scene: SceneSpec): SceneSpec {
  const size = Math.max(12, Math.round(scene.height / 40));
  const items: TextItem[] = [...scene.items];
  const rects: RectItem[] = [...scene.rects];
  const second = scene.fps;
  const x = scene.width - size * 7;
  for (let s = 0; s * second < scene.frames; s++) {
    const t = 14 * 3600 + 2 * 60 + s;
    const text = `${String(Math.floor(t / 3600)).padStart(2, '0')}:${String(Math.floor(t / 60) % 60).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
    items.push({ id: `clock${s}`, text, x, y: Math.round(size * 1.5), size, fixed: true, from: s * second, to: (s + 1) * second });
  }
  const step = Math.max(1, Math.round(second * 0.7));
  for (let k = 0; k * step < scene.frames; k++) {
    items.push({ id: `count${k}`, text: `Online agents: ${41 + k}`, x: scene.width - size * 30, y: Math.round(size * 1.5), size, fixed: true, from: k * step, to: (k + 1) * step });
  }
  const field = scene.items.find((i) => i.pii && !i.typing);
  if (field) {
    const box = textBox(field);
    for (let f = 0; f < scene.frames; f += second) {
      rects.push({ x: box.x + box.w + 3, y: box.y, w: Math.max(2, Math.round(size / 8)), h: box.h, fill: scene.theme.fg, from: f, to: Math.min(scene.frames, f + Math.round(second / 2)), fixed: field.fixed });
    }
  }
  return { ...scene, name: `${scene.name}-live`, items, rects };
}
