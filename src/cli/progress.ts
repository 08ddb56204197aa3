import type { Progress } from '../pipeline/redact.js';

const clock = (s: number) => {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
};

/**
 * Progress on stderr: a line redrawn in place on a terminal (stage, percent, ETA), or one
 * line per stage when stderr is a file or pipe.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastStage = '';
  let lastDraw = 0;
  const tty = stream.isTTY === true;
  return {
    update(p: Progress) {
      if (!tty) {
        if (p.stage !== lastStage) stream.write(`veil: ${p.stage}\n`);
        lastStage = p.stage;
        return;
      }
      const now = Date.now();
      if (p.stage === lastStage && now - lastDraw < 200 && p.fraction < 1) return;
      lastStage = p.stage;
      lastDraw = now;
      const elapsed = (now - started) / 1000;
      const eta = p.fraction > 0.03 ? clock((elapsed * (1 - p.fraction)) / p.fraction) : '--:--';
      stream.write(`\r\x1b[2Kveil: ${p.stage.padEnd(8)} ${String(Math.floor(p.fraction * 100)).padStart(3)}%  elapsed ${clock(elapsed)}  eta ${eta}`);
    },
    done() {
      if (tty && lastStage) stream.write('\r\x1b[2K');
    },
  };
}
