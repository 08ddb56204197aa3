// Review page: the timeline's bars and the table's times seek the player; the playhead
// follows playback; while the recording is still being redacted, progress updates live.
(() => {
  const player = document.getElementById('player');
  const playhead = document.getElementById('playhead');
  const timeline = document.getElementById('timeline');
  if (player) {
    for (const el of document.querySelectorAll('[data-start]')) {
      el.addEventListener('click', () => { player.currentTime = Number(el.dataset.start); player.focus(); });
    }
    if (playhead && timeline) {
      const duration = Number(timeline.dataset.duration);
      const left = Number(playhead.dataset.left);
      const span = Number(playhead.dataset.span);
      player.addEventListener('timeupdate', () => {
        const x = left + (Math.min(player.currentTime, duration) / duration) * span;
        playhead.setAttribute('x1', String(x));
        playhead.setAttribute('x2', String(x));
      });
    }
    return;
  }
  const state = document.getElementById('state');
  if (!state || state.dataset.state === 'done' || state.dataset.state === 'failed') return;
  const bar = document.getElementById('redact-progress');
  const text = document.getElementById('redact-text');
  const events = new EventSource(`/api/recordings/${state.dataset.id}/events`);
  events.addEventListener('status', (e) => {
    const s = JSON.parse(e.data);
    if (bar) bar.value = s.percent;
    if (text) text.textContent = s.state === 'processing' ? `${s.stage || 'processing'} ${Math.round(s.percent)}%` : s.state;
    if (s.state === 'done' || s.state === 'failed') { events.close(); location.reload(); }
  });
})();
