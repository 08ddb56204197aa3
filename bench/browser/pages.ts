/**
 * Support-tool pages for the browser-rendered bench corpus. Each page is HTML whose state
 * is a pure function of time: `window.__frame(t)` sets everything that moves (pointer,
 * clock, counters, caret, chart, scrolls, toasts, modals, drags, zoom) for t seconds, with
 * every random choice drawn from the scenario's seed. Personal data sits in elements
 * marked `data-pii="<type>"`; every other text node is non-PII text. CSS animations and
 * transitions are off: nothing moves on the browser's own clock.
 */
import { allFakers, type Faker } from '@faker-js/faker';
import type { PiiType } from '../../src/pii/types.js';
import { fakeApiKey, fakeBtcBech32, fakeBtcLegacy, fakeCard, fakeEth, fakeIban, fakeIpv4, fakeMoney, Rng } from '../../src/synth/fake.js';

export type PageKind = 'customer' | 'dashboard' | 'chat' | 'terminal' | 'table-scroll' | 'sheet-sideways' | 'modal-drag' | 'zoom' | 'session';
export type FontSet = 'liberation' | 'dejavu' | 'noto';

export interface BrowserScenario {
  name: string;
  page: PageKind;
  width: number;
  height: number;
  fps: number;
  seconds: number;
  seed: number;
  theme: 'light' | 'dark';
  font: FontSet;
  /** Base text size in CSS pixels (default from the height: 13, 15, 18). */
  textPx?: number;
}

const FONTS: Record<FontSet, { sans: string; mono: string }> = {
  liberation: { sans: "'Liberation Sans'", mono: "'Liberation Mono'" },
  dejavu: { sans: "'DejaVu Sans'", mono: "'DejaVu Sans Mono'" },
  noto: { sans: "'Noto Sans'", mono: "'Noto Sans Mono'" },
};

const THEMES = {
  light: { bg: '#f4f5f7', panel: '#ffffff', fg: '#1d2129', muted: '#5b6472', accent: '#1a62d6', border: '#dde1e6', bubble: '#eef2f8', mine: '#dbe8ff' },
  dark: { bg: '#0f1318', panel: '#171c23', fg: '#e4e8ee', muted: '#97a1ad', accent: '#5aa2ff', border: '#2a313b', bubble: '#1f2630', mine: '#1d3557' },
};

const LOCALES = ['en_US', 'en_GB', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'pt_BR', 'tr', 'en_IN', 'sv'] as const;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pii = (type: PiiType, value: string, tag = 'span') => `<${tag} data-pii="${type}">${esc(value)}</${tag}>`;

/** One customer's data, drawn from a seeded faker of a seeded locale plus the project's checksum-valid generators. */
function customer(rng: Rng) {
  const f: Faker = allFakers[rng.pick(LOCALES)];
  f.seed(rng.int(1, 2 ** 30));
  const first = f.person.firstName();
  const last = f.person.lastName();
  return {
    name: `${first} ${last}`,
    email: f.internet.email({ firstName: first, lastName: last }).toLowerCase(),
    phone: f.phone.number({ style: 'international' }),
    street: f.location.streetAddress(),
    city: `${f.location.zipCode()} ${f.location.city()}`,
    dob: `${rng.int(1955, 2003)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
    iban: fakeIban(rng),
    card: fakeCard(rng),
    btc: rng.next() < 0.5 ? fakeBtcBech32(rng) : fakeBtcLegacy(rng),
    eth: fakeEth(rng),
    ip: fakeIpv4(rng),
    balance: fakeMoney(rng),
    ssn: `${rng.int(100, 665)}-${String(rng.int(1, 99)).padStart(2, '0')}-${String(rng.int(1, 9999)).padStart(4, '0')}`,
    key: fakeApiKey(rng),
  };
}
type Customer = ReturnType<typeof customer>;

/** The in-page library: easing, a seeded random generator, the pointer, the clock. */
const LIB = String.raw`
const ease = { inOut: (x) => x < 0.5 ? 4 * x * x * x : 1 - Math.pow(-2 * x + 2, 3) / 2, out: (x) => 1 - Math.pow(1 - x, 3) };
const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
function rngOf(seed) { let s = seed >>> 0 || 1; return () => { let t = (s += 0x6d2b79f5); t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const $ = (s) => document.querySelector(s);
const $$ = (s) => [...document.querySelectorAll(s)];
/** A pointer path: moves of 0.4-1.2 s between targets, rests of 0.1-1.6 s; some targets are PII values. */
function pointerPath(seed, seconds, targets) {
  const r = rngOf(seed);
  const W = innerWidth, H = innerHeight;
  const pts = [{ t: 0, x: W * 0.6, y: H * 0.5 }];
  let t = 0;
  while (t < seconds + 2) {
    const last = pts[pts.length - 1];
    let x, y;
    if (targets.length && r() < 0.4) { const el = targets[Math.floor(r() * targets.length)]; const b = el.getBoundingClientRect(); x = b.left + b.width * (0.2 + 0.6 * r()); y = b.top + b.height * 0.5; }
    else { x = 40 + r() * (W - 80); y = 40 + r() * (H - 80); }
    const move = 0.4 + r() * 0.8;
    t += move;
    pts.push({ t, x, y, from: last, bend: (r() - 0.5) * 120 });
    t += 0.1 + r() * 1.5;
    pts.push({ t, x, y });
  }
  return (time) => {
    let i = 1;
    while (i < pts.length - 1 && pts[i].t < time) i++;
    const a = pts[i - 1], b = pts[i];
    const k = b.t > a.t ? clamp((time - a.t) / (b.t - a.t), 0, 1) : 1;
    const e = ease.inOut(k);
    // A curved path with a little hand tremor while moving.
    const bend = (b.bend || 0) * Math.sin(Math.PI * e);
    const tremor = a.x !== b.x ? Math.sin(time * 37) * 1.5 : 0;
    return [a.x + (b.x - a.x) * e + bend * 0.3 + tremor, a.y + (b.y - a.y) * e - bend * 0.2];
  };
}
function setPointer(xy) { const p = $('#__pointer'); p.style.transform = 'translate(' + xy[0].toFixed(1) + 'px,' + xy[1].toFixed(1) + 'px)'; }
function clock(t, base) { const s = Math.floor(base + t); const hh = String(Math.floor(s / 3600) % 24).padStart(2, '0'); const mm = String(Math.floor(s / 60) % 60).padStart(2, '0'); const ss = String(s % 60).padStart(2, '0'); return hh + ':' + mm + ':' + ss; }
function caret(t) { return Math.floor(t / 0.53) % 2 === 0; }
`;

/** Collects every visible text fragment's box: run in the page after `__frame(t)`. */
const TRUTH = String.raw`
const __ids = new WeakMap(); let __next = 0;
window.__truth = () => {
  const W = innerWidth, H = innerHeight, out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const opacity = new Map();
  const opacityOf = (e) => { if (!e || e === document.documentElement) return 1; if (opacity.has(e)) return opacity.get(e); const v = Number(getComputedStyle(e).opacity) * opacityOf(e.parentElement); opacity.set(e, v); return v; };
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.data.replace(/\s+/g, ' ').trim();
    if (!text) continue;
    const el = n.parentElement;
    if (!el || el.closest('script,style,#__pointer')) continue;
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    if (opacityOf(el) < 0.25) continue;
    let x0c = 0, y0c = 0, x1c = W, y1c = H;
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') { const r = e.getBoundingClientRect(); x0c = Math.max(x0c, r.left); y0c = Math.max(y0c, r.top); x1c = Math.min(x1c, r.right); y1c = Math.min(y1c, r.bottom); }
    }
    if (!__ids.has(n)) __ids.set(n, __next++);
    const range = document.createRange();
    range.selectNodeContents(n);
    const p = el.closest('[data-pii]');
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      const x0 = Math.max(r.left, x0c), x1 = Math.min(r.right, x1c), y0 = Math.max(r.top, y0c), y1 = Math.min(r.bottom, y1c);
      // Less than 40% of a line's height (glyph tops at a clipping edge), or a sliver of width: no one can read it.
      if (x1 - x0 < Math.min(6, r.width) || y1 - y0 < 0.4 * r.height) continue;
      // Covered by something opaque (a dragged panel, a modal's card)? A see-through backdrop does not hide.
      const covered = (x, y) => {
        const top = document.elementsFromPoint(x, y).filter((h) => !h.closest('[data-see-through]') && h.id !== '__pointer' && !h.closest('#__pointer'))[0];
        return !!top && top !== el && !el.contains(top) && !top.contains(el);
      };
      if (covered((x0 + x1) / 2, (y0 + y1) / 2)) continue;
      // Partly covered (a corner under the card): the box is cut to the part that shows,
      // columns clear at every height first, else rows clear across, each the run around the centre.
      let bx0 = x0, bx1 = x1, by0 = y0, by1 = y1;
      const inset = (a, b) => [a + Math.min(1, (b - a) / 4), b - Math.min(1, (b - a) / 4)];
      const [ix0, ix1] = inset(x0, x1), [iy0, iy1] = inset(y0, y1);
      if (covered(ix0, iy0) || covered(ix1, iy0) || covered(ix0, iy1) || covered(ix1, iy1)) {
        const N = 16, M = 4;
        const xs = Array.from({ length: N + 1 }, (_, i) => ix0 + ((ix1 - ix0) * i) / N), ys = Array.from({ length: M + 1 }, (_, j) => iy0 + ((iy1 - iy0) * j) / M);
        const clear = xs.map((x) => ys.map((y) => !covered(x, y)));
        const around = (ok, n) => { let a = n >> 1, b = n >> 1; if (!ok(a)) return null; while (a > 0 && ok(a - 1)) a--; while (b < n && ok(b + 1)) b++; return [a, b]; };
        const cols = around((i) => clear[i].every(Boolean), N);
        const rows = around((j) => clear.every((c) => c[j]), M);
        if (cols && xs[cols[1]] - xs[cols[0]] >= Math.min(6, r.width)) { bx0 = cols[0] ? xs[cols[0]] : x0; bx1 = cols[1] < N ? xs[cols[1]] : x1; }
        else if (rows && ys[rows[1]] - ys[rows[0]] >= 0.4 * r.height) { by0 = rows[0] ? ys[rows[0]] : y0; by1 = rows[1] < M ? ys[rows[1]] : y1; }
        else continue;
      }
      out.push([__ids.get(n) + ':' + text, p ? 'pii' : 'text', p ? p.dataset.pii : '', text, Math.round(bx0), Math.round(by0), Math.round(bx1 - bx0), Math.round(by1 - by0)]);
    }
  }
  return out;
};
`;

interface PageParts {
  body: string;
  css: string;
  /** Defines `window.__frame = (t) => {...}`; runs after the body is in place. */
  script: string;
}

function shell(s: BrowserScenario, parts: PageParts, hideRoot = false): string {
  const th = THEMES[s.theme];
  const font = FONTS[s.font];
  const px = s.textPx ?? (s.height >= 1440 ? 18 : s.height >= 1080 ? 15 : 13);
  return `<!doctype html><html><head><meta charset="utf-8"><style>
:root{--bg:${th.bg};--panel:${th.panel};--fg:${th.fg};--muted:${th.muted};--accent:${th.accent};--border:${th.border};--bubble:${th.bubble};--mine:${th.mine};--sans:${font.sans};--mono:${font.mono}}
*{box-sizing:border-box;animation:none!important;transition:none!important;caret-color:transparent}
html,body{margin:0;height:100%;overflow:hidden}
body{font-family:var(--sans);font-size:${px}px;line-height:1.45;background:var(--bg);color:var(--fg)}
.app{display:grid;grid-template-columns:${Math.round(px * 14)}px 1fr;grid-template-rows:${Math.round(px * 3.6)}px 1fr;height:100vh}
header{grid-column:1/3;display:flex;align-items:center;gap:${px * 1.6}px;padding:0 ${px * 1.3}px;background:var(--panel);border-bottom:1px solid var(--border)}
header .brand{font-weight:700;color:var(--accent)} header .search{flex:0 0 ${px * 22}px;padding:${px * 0.35}px ${px * 0.7}px;border:1px solid var(--border);border-radius:6px;color:var(--muted)}
header .right{margin-left:auto;display:flex;gap:${px * 1.4}px;color:var(--muted)}
nav{padding:${px}px;background:var(--panel);border-right:1px solid var(--border)} nav div{padding:${px * 0.5}px ${px * 0.7}px;border-radius:6px;color:var(--muted)} nav div.on{background:var(--bubble);color:var(--fg);font-weight:600}
main{position:relative;overflow:hidden;padding:${px * 1.3}px}
.card{background:var(--panel);border:1px solid var(--border);border-radius:8px;padding:${px}px ${px * 1.3}px;margin-bottom:${px}px}
.card h2{font-size:${px * 1.15}px;margin:0 0 ${px * 0.7}px}
.kv{display:grid;grid-template-columns:${px * 11}px 1fr;row-gap:${px * 0.55}px;column-gap:${px}px}
.kv .k{color:var(--muted)}
.muted{color:var(--muted)}
.tabs{display:flex;gap:${px * 1.5}px;border-bottom:1px solid var(--border);margin-bottom:${px}px} .tabs div{padding:${px * 0.4}px 0;color:var(--muted)} .tabs div.on{color:var(--accent);border-bottom:2px solid var(--accent)}
table{border-collapse:collapse;width:100%} td,th{text-align:left;padding:${px * 0.4}px ${px * 0.6}px;border-bottom:1px solid var(--border);white-space:nowrap} th{color:var(--muted);font-weight:600}
.pill{display:inline-block;padding:0 ${px * 0.5}px;border-radius:999px;background:var(--bubble);color:var(--muted);font-size:${px * 0.85}px}
#__pointer{position:fixed;left:0;top:0;width:${px * 1.4}px;pointer-events:none;z-index:2147483647}
${parts.css}
</style></head><body${hideRoot ? ' style="visibility:hidden"' : ''}>${parts.body}
<div id="__pointer"><svg viewBox="0 0 12 19" width="${Math.round(px * 1.3)}" height="${Math.round(px * 2)}"><path d="M0.5 0.5 L0.5 16 L4.2 12.4 L6.8 18.2 L9 17.2 L6.5 11.6 L11.5 11.6 Z" fill="#fff" stroke="#000" stroke-width="1"/></svg></div>
<script>${LIB}${TRUTH}${parts.script}</script></body></html>`;
}

const header = (clockId = 'clock') =>
  `<header><span class="brand">Helpdesk</span><span class="search">Search customers, tickets…</span><span class="right"><span>Tier 2 support</span><span>Queue: <b id="queue">14</b></span><span id="${clockId}">09:41:00</span></span></header>`;
const nav = (on: string) =>
  `<nav>${['Inbox', 'Customers', 'Tickets', 'Transactions', 'Reports', 'Knowledge base', 'Settings'].map((n) => `<div class="${n === on ? 'on' : ''}">${n}</div>`).join('')}</nav>`;

function profileCard(c: Customer): string {
  const rows: Array<[string, string]> = [
    ['Full name', pii('person_name', c.name)],
    ['Email', pii('email', c.email)],
    ['Phone', pii('phone', c.phone)],
    ['Date of birth', pii('date_of_birth', c.dob)],
    ['Address', pii('postal_address', `${c.street}, ${c.city}`)],
    ['SSN', pii('national_id', c.ssn)],
    ['IBAN', pii('iban', c.iban)],
    ['Card on file', pii('card_number', c.card)],
    ['BTC wallet', pii('crypto_address', c.btc)],
    ['ETH wallet', pii('crypto_address', c.eth)],
    ['Last login IP', pii('ip_address', c.ip)],
    ['Balance', pii('money', c.balance)],
  ];
  return `<div class="card"><h2>Customer profile <span class="pill">KYC level 2</span></h2><div class="kv">${rows.map(([k, v]) => `<div class="k">${k}</div><div>${v}</div>`).join('')}</div></div>`;
}

const TICKETS = ['Withdrawal delayed', 'Two-factor reset', 'Deposit not credited', 'Limit increase request', 'Card payment declined', 'Verify source of funds', 'Account locked after login attempts'];

function ticketsCard(rng: Rng, n = 5): string {
  const rows = Array.from({ length: n }, () => {
    const id = `#${rng.int(40000, 59999)}`;
    const day = `2026-${String(rng.int(1, 11)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
    return `<tr><td>${id}</td><td>${rng.pick(TICKETS)}</td><td><span class="pill">${rng.pick(['Open', 'Pending', 'Solved'])}</span></td><td class="muted">${day}</td></tr>`;
  });
  return `<div class="card"><h2>Recent tickets</h2><table><tr><th>Ticket</th><th>Subject</th><th>Status</th><th>Updated</th></tr>${rows.join('')}</table></div>`;
}

function notesCard(): string {
  return `<div class="card"><h2>Internal note</h2><div id="note" style="min-height:2.8em;border:1px solid var(--border);border-radius:6px;padding:.4em .6em"><span id="typed"></span><span id="caret" style="border-left:2px solid var(--fg);margin-left:1px">&#8203;</span></div></div>`;
}

const NOTE = 'Customer confirmed the last withdrawal was theirs. Escalating the limit review to compliance, reply expected within two business days.';

/** Clock, queue counter, caret and typed note: what ticks on a support page while nobody moves. */
const LIVE = String.raw`
function live(t) {
  $('#clock').textContent = clock(t, 9 * 3600 + 41 * 60 + 7);
  const q = $('#queue'); if (q) q.textContent = String(14 + Math.floor(t / 2.7) % 5);
  const typed = $('#typed'); if (typed) { const n = clamp(Math.floor((t - 1.5) * 9), 0, NOTE.length); typed.textContent = NOTE.slice(0, n); $('#caret').style.visibility = caret(t) || (n > 0 && n < NOTE.length) ? 'visible' : 'hidden'; }
}
`;

function customerPage(s: BrowserScenario, rng: Rng): PageParts {
  const c = customer(rng);
  return {
    css: `.cols{display:grid;grid-template-columns:minmax(0,1.1fr) minmax(0,1fr);gap:${15}px}`,
    body: `<div class="app">${header()}${nav('Customers')}<main><div class="tabs"><div class="on">Profile</div><div>Transactions</div><div>Notes</div><div>Devices</div></div><div class="cols"><div>${profileCard(c)}</div><div>${ticketsCard(rng)}${notesCard()}</div></div></main></div>`,
    script: `const NOTE = ${JSON.stringify(NOTE)};${LIVE}
const path = pointerPath(${s.seed}, ${s.seconds}, $$('[data-pii]'));
window.__frame = (t) => { live(t); setPointer(path(t)); };`,
  };
}

function sessionPage(s: BrowserScenario, rng: Rng): PageParts {
  const c = customer(rng);
  const txRows = transactionRows(rng, 40, c);
  return {
    css: `.cols{display:grid;grid-template-columns:minmax(0,1.1fr) minmax(0,1fr);gap:15px} #tx{display:none}`,
    body: `<div class="app">${header()}${nav('Customers')}<main><div class="tabs"><div id="tab-profile" class="on">Profile</div><div id="tab-tx">Transactions</div><div>Notes</div><div>Devices</div></div><div id="profile" class="cols"><div>${profileCard(c)}</div><div>${ticketsCard(rng)}${notesCard()}</div></div><div id="tx" class="card"><table>${txRows}</table></div></main></div>`,
    script: `const NOTE = ${JSON.stringify(NOTE)};${LIVE}
const path = pointerPath(${s.seed}, ${s.seconds}, $$('#profile [data-pii]'));
window.__frame = (t) => {
  live(t);
  // The agent opens the transactions tab at 15 s and goes back to the profile at 40 s.
  const tx = t >= 15 && t < 40;
  $('#tx').style.display = tx ? 'block' : 'none';
  $('#profile').style.display = tx ? 'none' : 'grid';
  $('#tab-tx').className = tx ? 'on' : ''; $('#tab-profile').className = tx ? '' : 'on';
  setPointer(path(t));
};`,
  };
}

function transactionRows(rng: Rng, n: number, c?: Customer): string {
  const head = '<tr><th>Date</th><th>Reference</th><th>Counterparty</th><th>Account</th><th>Amount</th><th>Status</th></tr>';
  const rows = Array.from({ length: n }, (_, i) => {
    const other = rng.next() < 0.3 && c ? c : customer(rng);
    const account = rng.next() < 0.5 ? pii('iban', other.iban) : pii('crypto_address', rng.next() < 0.5 ? other.btc : other.eth);
    const day = `2026-${String(1 + (i % 11)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')} ${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`;
    return `<tr><td class="muted">${day}</td><td>TX-${rng.int(100000, 999999)}</td><td>${pii('person_name', other.name)}</td><td>${account}</td><td>${pii('money', fakeMoney(rng))}</td><td><span class="pill">${rng.pick(['Completed', 'Pending', 'Reversed'])}</span></td></tr>`;
  });
  return head + rows.join('');
}

function dashboardPage(s: BrowserScenario): PageParts {
  const tiles = [
    ['Open tickets', 'kpi-open'],
    ['Trades today', 'kpi-trades'],
    ['Avg. first response', 'kpi-resp'],
    ['System status', 'kpi-status'],
  ];
  return {
    css: `.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:15px;margin-bottom:15px} .tile .v{font-size:2em;font-weight:700}
#toast{position:absolute;right:20px;top:20px;background:var(--panel);border:1px solid var(--border);border-left:4px solid var(--accent);border-radius:6px;padding:.8em 1.2em;box-shadow:0 6px 20px rgba(0,0,0,.25)}
#spin{display:inline-block;width:1em;height:1em;border:2px solid var(--border);border-top-color:var(--accent);border-radius:50%;vertical-align:middle;margin-right:.4em}`,
    body: `<div class="app">${header()}${nav('Reports')}<main>
<div class="tiles">${tiles.map(([k, id]) => `<div class="card tile"><div class="muted">${k}</div><div class="v" id="${id}"></div></div>`).join('')}</div>
<div class="card"><h2>Trading volume, last 60 minutes <span class="muted" style="font-weight:400;font-size:.8em"><span id="spin"></span>Refreshing</span></h2><svg id="chart" width="100%" height="${Math.round(s.height * 0.3)}" preserveAspectRatio="none" viewBox="0 0 600 200"><polyline id="line" fill="none" stroke="var(--accent)" stroke-width="2"/><g id="bars"></g></svg>
<div class="muted" style="display:flex;justify-content:space-between"><span>-60 min</span><span>-45 min</span><span>-30 min</span><span>-15 min</span><span>now</span></div></div>
<div class="card"><h2>Queues</h2><table><tr><th>Queue</th><th>Waiting</th><th>Change</th><th>Oldest</th></tr>
${['Withdrawals', 'Deposits', 'Verification', 'Card disputes', 'General'].map((q, i) => `<tr><td>${q}</td><td id="q${i}"></td><td class="muted" id="c${i}"></td><td class="muted">${3 + i * 4} min</td></tr>`).join('')}</table></div>
<div id="toast"><b>Export ready</b><div class="muted">weekly_report_q3.csv, 2.4 MB</div></div>
</main></div>`,
    script: `const r = rngOf(${s.seed});
const series = Array.from({ length: 400 }, () => 60 + r() * 100);
window.__frame = (t) => {
  $('#clock').textContent = clock(t, 14 * 3600 + 2 * 60);
  $('#queue').textContent = String(9 + Math.floor(t / 3.1) % 4);
  $('#kpi-open').textContent = String(128 + Math.floor(t * 0.7));
  $('#kpi-trades').textContent = (48210 + Math.floor(t * 13.3)).toLocaleString('en-US');
  $('#kpi-resp').textContent = '3m ' + String(10 + Math.floor(t / 4) % 20).padStart(2, '0') + 's';
  $('#kpi-status').textContent = 'Operational';
  const off = Math.floor(t * 2);
  const pts = series.slice(off, off + 60).map((v, i) => (i * 10) + ',' + (200 - v).toFixed(1)).join(' ');
  $('#line').setAttribute('points', pts);
  $('#spin').style.transform = 'rotate(' + Math.round(t * 360) % 360 + 'deg)';
  for (let i = 0; i < 5; i++) { $('#q' + i).textContent = String(5 + Math.floor((t * (i + 1) * 0.37 + i * 3)) % 40); $('#c' + i).textContent = (i % 2 ? '-' : '+') + (1 + Math.floor(t / 2 + i) % 9) + '%'; }
  // A toast slides in from the right at 4 s and fades out from 7 s.
  const toast = $('#toast');
  const inK = ease.out(clamp((t - 4) / 0.35, 0, 1)), outK = clamp((t - 7) / 0.4, 0, 1);
  toast.style.display = t < 4 || t > 7.4 ? 'none' : 'block';
  toast.style.transform = 'translateX(' + ((1 - inK) * 360).toFixed(1) + 'px)';
  toast.style.opacity = String(1 - outK);
  setPointer(path(t));
};
const path = pointerPath(${s.seed + 1}, ${s.seconds}, []);`,
  };
}

function chatPage(s: BrowserScenario, rng: Rng): PageParts {
  const people = Array.from({ length: 7 }, () => customer(rng));
  const c = people[0];
  const lines: Array<{ who: 'customer' | 'agent'; html: string }> = [];
  const say = (who: 'customer' | 'agent', html: string) => lines.push({ who, html });
  // Yesterday's exchange, already on screen: the list is full and scrolls with each new message.
  say('customer', 'Hello, I cannot log in since I changed my phone');
  say('agent', 'Sorry to hear that. I have reset your two-factor authentication, please try again.');
  say('customer', `That worked, thanks. By the way my new number is ${pii('phone', people[1].phone)}`);
  say('agent', 'Updated. Have a good evening!');
  say('customer', `One more thing, can you check deposit TX-${rng.int(100000, 999999)}?`);
  say('agent', 'It was credited at 18:02, you should see it in your history now.');
  say('agent', 'Hello, thanks for contacting support. How can I help you today?');
  say('customer', `Hi, my withdrawal has been pending since yesterday. The account email is ${pii('email', c.email)}`);
  say('agent', 'Thank you. Could you confirm the destination address of the withdrawal?');
  say('customer', `It was sent to ${pii('crypto_address', c.btc)}`);
  say('agent', 'I can see it. The transfer is waiting for a manual review, which usually takes a few hours.');
  say('customer', `OK. You can also reach me on ${pii('phone', c.phone)} if anything else is needed`);
  say('agent', 'Noted. Is the billing address on file still current?');
  say('customer', `Yes, ${pii('postal_address', `${c.street}, ${c.city}`)}`);
  say('agent', 'Perfect, I have added a note for the reviewer. Anything else I can do for you?');
  say('customer', `My balance shows ${pii('money', c.balance)} but I expected more after the deposit`);
  say('agent', 'The deposit needs three more confirmations; it will show up automatically.');
  say('customer', 'Great, thank you for the quick help!');
  const convo = people.map((p, i) => `<div class="conv${i === 0 ? ' on' : ''}"><div>${pii('person_name', p.name)}</div><div class="muted small">${rng.pick(['Withdrawal pending', 'Card declined', 'Reset 2FA', 'Deposit question', 'Limits'])}</div></div>`).join('');
  const bubbles = lines.map((l, i) => `<div class="msg ${l.who}" id="m${i}"><div class="who">${l.who === 'agent' ? 'You' : pii('person_name', c.name)}</div><div class="text">${l.html}</div></div>`).join('');
  return {
    css: `.chat{display:grid;grid-template-columns:${Math.round(s.width * 0.2)}px 1fr;height:100%;gap:15px}
.convs{background:var(--panel);border:1px solid var(--border);border-radius:8px;overflow:hidden} .conv{padding:.6em .9em;border-bottom:1px solid var(--border)} .conv.on{background:var(--bubble)} .small{font-size:.85em}
.thread{position:relative;background:var(--panel);border:1px solid var(--border);border-radius:8px;overflow:hidden;display:flex;flex-direction:column}
#list{flex:1;overflow:hidden;position:relative} #inner{position:absolute;left:0;right:0;top:0;padding:1em}
.msg{max-width:70%;margin-bottom:.9em;padding:.5em .8em;border-radius:10px;background:var(--bubble)} .msg.agent{margin-left:auto;background:var(--mine)} .who{font-size:.8em;color:var(--muted);font-weight:600}
.text{overflow-wrap:anywhere}
#typing{height:1.8em;padding:0 1em;color:var(--muted)} .dot{display:inline-block;width:.45em;height:.45em;border-radius:50%;background:var(--muted);margin-left:.2em}
.compose{border-top:1px solid var(--border);padding:.7em 1em;color:var(--muted)}`,
    body: `<div class="app">${header()}${nav('Inbox')}<main><div class="chat"><div class="convs">${convo}</div><div class="thread"><div id="list"><div id="inner">${bubbles}</div></div><div id="typing"><span id="typing-who">${pii('person_name', c.name.split(' ')[0])}</span> is typing<span class="dot"></span><span class="dot"></span><span class="dot"></span></div><div class="compose">Write a reply…</div></div></div></main></div>`,
    script: `const r = rngOf(${s.seed});
// Message i appears at times[i]; a customer message is preceded by 1.2 s of "typing".
const times = []; let at = 0.6;
${JSON.stringify(lines.map((l) => l.who))}.forEach((who, i) => { if (i < 8) { times.push(0); return; } at += (who === 'customer' ? 1.2 : 0.4) + r() * 0.6; times.push(at); });
const path = pointerPath(${s.seed + 2}, ${s.seconds}, []);
let shownOffsets = [];
window.__frame = (t) => {
  $('#clock').textContent = clock(t, 11 * 3600 + 5 * 60);
  const msgs = $$('.msg');
  msgs.forEach((m, i) => { m.style.display = times[i] <= t ? 'block' : 'none'; });
  const next = times.findIndex((x) => x > t);
  const typing = next >= 0 && msgs[next].classList.contains('customer') && times[next] - t < 1.2;
  $('#typing').style.visibility = typing ? 'visible' : 'hidden';
  $$('.dot').forEach((d, i) => { d.style.transform = 'translateY(' + (-3 * Math.max(0, Math.sin(t * 9 - i * 0.9))).toFixed(1) + 'px)'; });
  // The list eases to its bottom over 0.45 s after each new message.
  const inner = $('#inner'), list = $('#list');
  const target = (k) => { msgs.forEach((m, i) => { m.style.display = times[i] <= k ? 'block' : 'none'; }); return Math.max(0, inner.scrollHeight - list.clientHeight); };
  const lastShown = times.filter((x) => x <= t).length - 1;
  const now = target(t);
  const before = lastShown > 0 ? target(times[lastShown] - 0.001) : 0;
  target(t);
  const k = ease.out(clamp((t - times[lastShown]) / 0.45, 0, 1));
  inner.style.transform = 'translateY(' + (-(before + (now - before) * k)).toFixed(1) + 'px)';
  setPointer(path(t));
};`,
  };
}

function terminalPage(s: BrowserScenario, rng: Rng): PageParts {
  const lines: string[] = [];
  for (let i = 0; i < 160; i++) {
    const c = customer(rng);
    const ts = `2026-03-02T14:${String(10 + Math.floor(i / 6)).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}Z`;
    const kind = rng.int(0, 5);
    const line =
      kind === 0 ? `${ts} INFO  auth  login ok user=${pii('email', c.email)} ip=${pii('ip_address', c.ip)}`
      : kind === 1 ? `${ts} WARN  wallet withdrawal held for review to=${pii('crypto_address', rng.next() < 0.5 ? c.eth : c.btc)}`
      : kind === 2 ? `${ts} INFO  http  GET /api/v2/orders 200 ${rng.int(3, 90)}ms`
      : kind === 3 ? `${ts} DEBUG kyc   document check passed for ${pii('person_name', c.name)}`
      : kind === 4 ? `${ts} INFO  jobs  settlement batch ${rng.int(1000, 9999)} done in ${rng.int(1, 9)}.${rng.int(0, 9)}s`
      : `${ts} ERROR api   key rejected key=${pii('api_key', c.key)}`;
    lines.push(`<div class="l">${line}</div>`);
  }
  return {
    css: `body{font-family:var(--mono);background:#0c0c0c;color:#cccccc} #term{position:absolute;inset:0;padding:8px 10px;overflow:hidden} #rows{position:absolute;left:10px;right:10px} .l{white-space:pre;height:1.35em} #cur{display:inline-block;width:.6em;background:#ccc;height:1.1em;vertical-align:text-bottom}`,
    // The prompt is the first row: it scrolls off the top with the output, as in a terminal.
    body: `<div id="term"><div id="rows"><div class="l" style="color:#8ae234">agent@support-7:~$ tail -f /var/log/exchange/app.log</div>${lines.join('')}<div class="l" id="last"><span id="cur"></span></div></div></div>`,
    script: `const r = rngOf(${s.seed});
const at = [0]; let t0 = 0.5; for (let i = 0; i < 160; i++) { at.push(i < 34 ? 0 : t0); if (i >= 34) t0 += 0.1 + r() * 0.6; }
$('#__pointer').style.display = 'none';
const rows = $$('#rows .l');
window.__frame = (t) => {
  let n = at.filter((x) => x <= t).length;
  rows.forEach((row, i) => { row.style.display = i < n || row.id === 'last' ? 'block' : 'none'; });
  const lh = rows[0].getBoundingClientRect().height;
  const room = Math.floor((innerHeight - 16) / lh) - 1;
  const over = Math.max(0, n + 1 - room);
  $('#rows').style.top = (8 - over * lh) + 'px';
  $('#cur').style.visibility = caret(t) ? 'visible' : 'hidden';
};`,
  };
}

function tableScrollPage(s: BrowserScenario, rng: Rng): PageParts {
  return {
    css: `#view{position:absolute;inset:20px;overflow:hidden} #sheet{position:absolute;left:0;right:0;top:0}`,
    body: `<div class="app">${header()}${nav('Transactions')}<main><div id="view" class="card"><table id="sheet">${transactionRows(rng, 90)}</table></div></main></div>`,
    script: `const r = rngOf(${s.seed});
// Eased scrolls of 200-700 px with pauses, and one fling that decays.
const moves = []; let at = 0.8;
while (at < ${s.seconds}) {
  if (moves.length === 3) { moves.push({ at, fling: 2600 + r() * 1200 }); at += 1.6 + r(); continue; }
  const dur = 0.35 + r() * 0.6; moves.push({ at, dur, by: (r() < 0.8 ? 1 : -1) * (200 + r() * 500) }); at += dur + 0.3 + r() * 1.4;
}
const path = pointerPath(${s.seed + 3}, ${s.seconds}, []);
window.__frame = (t) => {
  $('#clock').textContent = clock(t, 16 * 3600 + 20 * 60);
  const max = $('#sheet').scrollHeight - $('#view').clientHeight;
  let y = 0;
  for (const m of moves) {
    if (m.at > t) break;
    const k = t - m.at;
    y += m.fling ? m.fling * 0.35 * (1 - Math.exp(-k / 0.35)) : m.by * ease.inOut(clamp(k / m.dur, 0, 1));
    y = clamp(y, 0, max);
  }
  $('#sheet').style.transform = 'translateY(' + (-y).toFixed(1) + 'px)';
  setPointer(path(t));
};`,
  };
}

function sheetSidewaysPage(s: BrowserScenario, rng: Rng): PageParts {
  const cols = ['Customer', 'Email', 'Phone', 'Region', 'Tier', 'IBAN', 'Created', 'Status', 'Street', 'City', 'Orders', 'Wallet', 'Last IP', 'Tickets', 'Balance', 'Notes', 'Card', 'Segment', 'BTC address', 'Risk', 'Date of birth', 'Owner team'];
  const letters = cols.map((_, i) => String.fromCharCode(65 + i));
  const rows = Array.from({ length: 90 }, (_, i) => {
    const c = customer(rng);
    const cell: Record<string, string> = {
      Customer: pii('person_name', c.name), Email: pii('email', c.email), Phone: pii('phone', c.phone), Region: rng.pick(['EMEA', 'APAC', 'LATAM', 'NA']),
      Tier: rng.pick(['Gold', 'Silver', 'Basic', 'VIP']), IBAN: pii('iban', c.iban), Created: `2026-${String(rng.int(1, 11)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
      Status: rng.pick(['Active', 'Review', 'Dormant']), Street: pii('postal_address', c.street), City: pii('postal_address', c.city), Orders: String(rng.int(0, 480)),
      Wallet: pii('crypto_address', c.eth), 'Last IP': pii('ip_address', c.ip), Tickets: String(rng.int(0, 12)), Balance: pii('money', c.balance), Notes: rng.pick(['called twice', 'prefers email', 'escalated', 'no issues', 'VIP desk']),
      Card: pii('card_number', c.card), Segment: rng.pick(['Retail', 'Pro', 'Institutional']), 'BTC address': pii('crypto_address', c.btc), Risk: rng.pick(['low', 'medium', 'high']),
      'Date of birth': pii('date_of_birth', c.dob), 'Owner team': rng.pick(['Onboarding', 'Payments', 'Trading desk', 'Compliance']),
    };
    return `<tr><th class="rh">${i + 2}</th>${cols.map((k) => `<td>${cell[k]}</td>`).join('')}</tr>`;
  });
  return {
    css: `#grid{position:absolute;left:0;top:0;right:0;bottom:0;overflow:hidden;background:var(--panel)} #sheet{position:absolute;left:0;top:0;width:auto} #sheet td,#sheet th{border:1px solid var(--border);padding:2px 8px;min-width:${Math.round((s.textPx ?? 11) * 7)}px;font-size:${s.textPx ?? 11}px} .rh,.ch{background:var(--bubble);color:var(--muted);text-align:center}`,
    body: `<div id="grid"><table id="sheet"><tr><th class="ch"></th>${letters.map((l) => `<th class="ch">${l}</th>`).join('')}</tr><tr><th class="rh">1</th>${cols.map((c) => `<th>${c}</th>`).join('')}</tr>${rows.join('')}</table></div>`,
    script: `const r = rngOf(${s.seed});
const moves = []; let at = 0.6;
while (at < ${s.seconds}) { const dur = 0.4 + r() * 0.7; moves.push({ at, dur, dx: (r() < 0.75 ? 1 : -1) * (250 + r() * 600), dy: r() < 0.25 ? (r() - 0.3) * 300 : 0 }); at += dur + 0.4 + r() * 1.5; }
const path = pointerPath(${s.seed + 4}, ${s.seconds}, []);
window.__frame = (t) => {
  const maxX = Math.max(0, $('#sheet').scrollWidth - innerWidth), maxY = Math.max(0, $('#sheet').scrollHeight - innerHeight);
  let x = 0, y = 0;
  for (const m of moves) { if (m.at > t) break; const k = ease.inOut(clamp((t - m.at) / m.dur, 0, 1)); x = clamp(x + m.dx * k, 0, maxX); y = clamp(y + m.dy * k, 0, maxY); }
  $('#sheet').style.transform = 'translate(' + (-x).toFixed(1) + 'px,' + (-y).toFixed(1) + 'px)';
  setPointer(path(t));
};`,
  };
}

function modalDragPage(s: BrowserScenario, rng: Rng): PageParts {
  const c = customer(rng);
  const other = customer(rng);
  return {
    css: `.cols{display:grid;grid-template-columns:minmax(0,1.1fr) minmax(0,1fr);gap:15px}
#backdrop{position:fixed;inset:0;background:rgba(0,0,0,.45);display:none;z-index:10}
#modal{position:fixed;left:50%;top:50%;width:${Math.round(s.width * 0.36)}px;transform:translate(-50%,-50%);display:none;z-index:11}
#panel{position:fixed;left:0;top:0;width:${Math.round(s.width * 0.24)}px;z-index:9;box-shadow:0 10px 30px rgba(0,0,0,.3)} #panel .bar{background:var(--accent);color:#fff;margin:-1em -1.3em .8em;padding:.4em 1.3em;border-radius:8px 8px 0 0}`,
    body: `<div class="app">${header()}${nav('Customers')}<main><div class="cols"><div>${profileCard(c)}</div><div>${ticketsCard(rng, 7)}</div></div></main></div>
<div id="backdrop" data-see-through></div>
<div id="modal" class="card"><h2>Verify identity</h2><div class="kv"><div class="k">Document</div><div>Passport</div><div class="k">Holder</div><div>${pii('person_name', c.name)}</div><div class="k">Passport no.</div><div>${pii('national_id', `X${rng.digits(8)}`)}</div><div class="k">Date of birth</div><div>${pii('date_of_birth', c.dob)}</div><div class="k">Address</div><div>${pii('postal_address', c.street)}</div></div><p class="muted">Compare the photo with the selfie before approving.</p></div>
<div id="panel" class="card"><div class="bar">Linked account</div><div class="kv" style="grid-template-columns:6em 1fr"><div class="k">Name</div><div>${pii('person_name', other.name)}</div><div class="k">Email</div><div>${pii('email', other.email)}</div><div class="k">Phone</div><div>${pii('phone', other.phone)}</div></div></div>`,
    script: `const path = pointerPath(${s.seed + 5}, ${s.seconds}, $$('main [data-pii]'));
window.__frame = (t) => {
  $('#clock').textContent = clock(t, 10 * 3600 + 12 * 60);
  // The modal fades in over 0.3 s at 1.5 s and out over 0.3 s at 4.5 s.
  const a = clamp((t - 1.5) / 0.3, 0, 1) * (1 - clamp((t - 4.5) / 0.3, 0, 1));
  for (const id of ['#backdrop', '#modal']) { $(id).style.display = a > 0 ? 'block' : 'none'; $(id).style.opacity = String(a); }
  // The panel is dragged by its title bar from 5.5 s to 8.5 s, pointer and panel together.
  const k = ease.inOut(clamp((t - 5.5) / 3, 0, 1));
  const px = innerWidth * (0.55 - 0.35 * k), py = innerHeight * (0.15 + 0.45 * Math.sin(k * Math.PI * 0.5));
  $('#panel').style.transform = 'translate(' + px.toFixed(1) + 'px,' + py.toFixed(1) + 'px)';
  setPointer(t >= 5.3 && t <= 8.7 ? [px + 60, py + 12] : path(t));
};`,
  };
}

function zoomPage(s: BrowserScenario, rng: Rng): PageParts {
  const c = customer(rng);
  return {
    css: `#zoom{transform-origin:0 0}`,
    body: `<div class="app">${header()}${nav('Customers')}<main><div id="zoom" style="width:60%">${profileCard(c)}</div></main></div>`,
    script: `const path = pointerPath(${s.seed + 6}, ${s.seconds}, []);
window.__frame = (t) => {
  $('#clock').textContent = clock(t, 13 * 3600);
  // Zoom in to 150% over 1.2 s at 2 s, hold, back to 100% at 6 s (a browser zoom or a pinch).
  const k = ease.inOut(clamp((t - 2) / 1.2, 0, 1)) * (1 - ease.inOut(clamp((t - 6) / 1.2, 0, 1)));
  $('#zoom').style.transform = 'scale(' + (1 + 0.5 * k).toFixed(4) + ')';
  setPointer(path(t));
};`,
  };
}

/** The page of a scenario, as one HTML document; `oracle`: the same page with every PII element hidden. */
export function pageHtml(s: BrowserScenario, oracle = false): string {
  const rng = new Rng(s.seed);
  const parts =
    s.page === 'customer' ? customerPage(s, rng)
    : s.page === 'session' ? sessionPage(s, rng)
    : s.page === 'dashboard' ? dashboardPage(s)
    : s.page === 'chat' ? chatPage(s, rng)
    : s.page === 'terminal' ? terminalPage(s, rng)
    : s.page === 'table-scroll' ? tableScrollPage(s, rng)
    : s.page === 'sheet-sideways' ? sheetSidewaysPage(s, rng)
    : s.page === 'modal-drag' ? modalDragPage(s, rng)
    : zoomPage(s, rng);
  // The oracle keeps the layout (the values' room stays, as a perfect mask would leave it) and shows only the background.
  if (oracle) parts.css += '\n[data-pii]{visibility:hidden!important}';
  return shell(s, parts);
}
