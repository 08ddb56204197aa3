// Upload page: drag-and-drop or file picker, upload progress from XHR, then the
// redaction's progress from the server's event stream until it is done or failed.
(() => {
  const form = document.getElementById('upload-form');
  const drop = document.getElementById('drop');
  const input = document.getElementById('file');
  const status = document.getElementById('status');
  const upBar = document.getElementById('upload-progress');
  const upText = document.getElementById('upload-text');
  const redBar = document.getElementById('redact-progress');
  const redText = document.getElementById('redact-text');
  const result = document.getElementById('result');
  const maxBytes = Number(form.dataset.maxBytes);
  let chosen = null;

  const choose = (file) => {
    chosen = file;
    const size = file && (file.size < 1048576 ? `${Math.ceil(file.size / 1024)} KiB` : `${(file.size / 1048576).toFixed(1)} MiB`);
    // The file's name is not shown back or sent anywhere: it can itself be personal data.
    document.getElementById('drop-help').textContent = file ? `Chosen: a ${size} recording` : 'Drop a recording here, or choose one:';
  };
  input.addEventListener('change', () => choose(input.files[0] || null));
  for (const type of ['dragenter', 'dragover']) drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add('over'); });
  for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); if (e.dataTransfer.files[0]) choose(e.dataTransfer.files[0]); });

  const follow = (id) => {
    redText.textContent = 'queued';
    const events = new EventSource(`/api/recordings/${id}/events`);
    events.addEventListener('status', (e) => {
      const s = JSON.parse(e.data);
      redBar.value = s.percent;
      redText.textContent = s.state === 'processing' ? `${s.stage || 'processing'} ${Math.round(s.percent)}%` : s.state;
      if (s.state === 'done' || s.state === 'failed') {
        events.close();
        result.textContent = '';
        const link = document.createElement('a');
        link.href = `/recordings/${id}`;
        link.id = 'review-link';
        link.textContent = s.state === 'done' ? 'Review the redacted recording' : `Failed: ${s.error ? s.error.message : 'see the recording'}`;
        result.append(link);
      }
    });
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const file = chosen || input.files[0];
    if (!file) { document.getElementById('drop-help').textContent = 'Choose a recording first.'; return; }
    if (file.size > maxBytes) { status.hidden = false; upText.textContent = 'too large for this service'; return; }
    status.hidden = false;
    // Only the extension is sent: a file's name can itself be personal data.
    const ext = (/\.[a-z0-9]+$/i.exec(file.name) || [''])[0].toLowerCase();
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/recordings?ext=${encodeURIComponent(ext)}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.addEventListener('progress', (p) => {
      if (p.lengthComputable) { upBar.value = (100 * p.loaded) / p.total; upText.textContent = `${Math.round(upBar.value)}%`; }
    });
    xhr.addEventListener('load', () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status === 201 || xhr.status === 200) { upBar.value = 100; upText.textContent = 'uploaded'; follow(body.id); }
      else { upText.textContent = `refused: ${body.error || xhr.status}`; }
    });
    xhr.addEventListener('error', () => { upText.textContent = 'the upload failed (connection lost)'; });
    xhr.send(file);
  });
})();
