// The offline door of a workshop's check-in page. Part of Amparo.
//
// The page keeps, in this browser's localStorage, what the door needs
// without signal: the workshop's ticket public key, its tickets' codes and
// party sizes (no names), the codes checked in, and the queue of scans not
// yet sent. A QR ticket is verified here as letters are (credential.js:
// Ed25519 with WebCrypto, else the vendored noble-ed25519.js); a typed code is
// looked up in the list. Each scan gets its own nonce and waits in the
// queue until an upload's answer names it: an upload retried after a lost
// answer sends the same nonces, which the server counts once. A service
// worker (door-sw.js) keeps the page and its scripts, so that a reload
// without signal still opens it.

import { hex, verifySignature } from './credential.js';
import jsQR from './jsqr.min.js';

const door = document.getElementById('door');
const id = door.dataset.workshop;
const storeKey = 'amparo.door.' + id;
const PREFIX = 'AW1.';
const CONTEXT = 'amparo workshop ticket v1\n';
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

let state = load() || { key: '', tickets: {}, checked: {}, queue: [], words: {} };
let uploading = null;

function load() {
  try {
    return JSON.parse(localStorage.getItem(storeKey));
  } catch {
    return null;
  }
}

function save() {
  localStorage.setItem(storeKey, JSON.stringify(state));
}

function word(k, n) {
  const w = state.words[k];
  if (Array.isArray(w)) return w[Math.min(n, w.length - 1)] || '';
  return w || '';
}

function say(el, text, good) {
  el.textContent = text;
  el.hidden = false;
  if (good !== undefined) el.className = 'banner ' + (good ? 'success' : 'warning');
}

function showQueue() {
  const n = state.queue.length;
  say(document.getElementById('door-queue'), n ? word('door.queued').replace('%d', n) : word('door.uploaded'));
}

function b64url(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function nonce() {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}

// normalize is a typed code as stored, or '' (as amparo.NormalizeTicketCode).
function normalize(code) {
  const c = code.trim().replace(/[\s-]/g, '').toUpperCase();
  if (c.length !== 6 || [...c].some((ch) => !ALPHABET.includes(ch))) return '';
  return c;
}

// checkTicket decides a QR ticket's outcome here: [outcome, code].
async function checkTicket(text) {
  text = text.trim();
  if (!text.startsWith(PREFIX) || text.length > 200) return ['unknown', ''];
  const parts = text.slice(PREFIX.length).split('.');
  if (parts.length !== 3 || !/^[0-9a-f]{32}$/.test(parts[0]) || !/^[2-9A-HJKMNP-TV-Z]{4,12}$/.test(parts[1])) return ['unknown', ''];
  if (parts[0] !== id) return ['other_workshop', ''];
  let sig;
  try {
    sig = b64url(parts[2]);
  } catch {
    return ['unknown', ''];
  }
  const msg = new TextEncoder().encode(CONTEXT + parts[0] + '\n' + parts[1]);
  if (sig.length !== 64 || !(await verifySignature(b64url(state.key), msg, sig))) return ['forged', ''];
  return checkCode(parts[1]);
}

function checkCode(code) {
  const t = state.tickets[code];
  if (!t) return ['unknown', code];
  if (state.checked[code]) return ['already', code];
  if (!t.holds) return ['cancelled', code];
  return ['ok', code];
}

// record shows a scan's outcome and, for a check-in, keeps and queues it.
function record(outcome, code, scan) {
  const party = (state.tickets[code] || {}).party || 1;
  const good = outcome === 'ok' || outcome === 'walk_in';
  let text = outcome === 'walk_in' ? word('walk_in', scan.walk_in) : word(outcome, party).replace('{code}', code);
  say(document.getElementById('door-result'), text, good);
  if (outcome === 'ok') state.checked[code] = true;
  if (good) {
    state.queue.push(scan);
    save();
    showQueue();
    upload();
  }
}

// scanText checks a decoded QR's text, timing decoding and checking.
async function scanText(text, began) {
  const [outcome, code] = await checkTicket(text);
  record(outcome, code, { nonce: nonce(), ticket: text.trim() });
  window.amparoDoor.lastMillis = performance.now() - began;
  window.amparoDoor.scans++;
}

async function decode(source, width, height) {
  if ('BarcodeDetector' in window) {
    try {
      const found = await new BarcodeDetector({ formats: ['qr_code'] }).detect(source);
      window.amparoDoor.decoder = 'BarcodeDetector';
      if (found.length) return found[0].rawValue;
    } catch {
      // Fall through to the vendored decoder.
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const cx = canvas.getContext('2d', { willReadFrequently: true });
  cx.drawImage(source, 0, 0, width, height);
  const img = cx.getImageData(0, 0, width, height);
  const qr = jsQR(img.data, width, height);
  window.amparoDoor.decoder = 'jsQR';
  return qr ? qr.data : '';
}

async function scanImage(blob) {
  const began = performance.now();
  const bmp = await createImageBitmap(blob);
  const text = await decode(bmp, bmp.width, bmp.height);
  if (!text) {
    say(document.getElementById('door-result'), word('door.no_qr'), false);
    return;
  }
  await scanText(text, began);
}

async function camera() {
  const video = document.getElementById('door-video');
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  } catch {
    say(document.getElementById('door-result'), word('door.camera_off'), false);
    return;
  }
  video.hidden = false;
  await video.play();
  const tick = async () => {
    if (video.hidden) return;
    const began = performance.now();
    const text = video.videoWidth ? await decode(video, video.videoWidth, video.videoHeight) : '';
    if (text) {
      video.srcObject.getTracks().forEach((t) => t.stop());
      video.hidden = true;
      await scanText(text, began);
      return;
    }
    setTimeout(tick, 200);
  };
  tick();
}

// upload sends the queue, 50 scans at a time, and drops the scans the
// answer names; a failure keeps them, to be sent again.
function upload() {
  if (uploading || !state.queue.length || !navigator.onLine) return uploading;
  uploading = (async () => {
    try {
      while (state.queue.length) {
        const batch = state.queue.slice(0, 50);
        const res = await fetch('/workshops/' + id + '/checkin/upload?lang=' + door.dataset.lang, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(batch), credentials: 'same-origin',
        });
        if (!res.ok) throw new Error('upload: ' + res.status);
        const answered = new Set((await res.json()).results.map((r) => r.nonce));
        state.queue = state.queue.filter((s) => !answered.has(s.nonce));
        save();
        window.amparoDoor.uploads++;
      }
      status();
    } catch {
      say(document.getElementById('door-status'), word('door.failed'));
    } finally {
      uploading = null;
      showQueue();
    }
  })();
  return uploading;
}

function status() {
  say(document.getElementById('door-status'), word(navigator.onLine ? 'door.ready' : 'door.offline'));
}

// refresh fetches the list when online; offline, the kept one serves.
async function refresh() {
  if (navigator.onLine) {
    try {
      const res = await fetch('/workshops/' + id + '/checkin/list?lang=' + door.dataset.lang, { credentials: 'same-origin' });
      if (res.ok) {
        const list = await res.json();
        state.key = list.key;
        state.words = list.words;
        state.tickets = {};
        for (const t of list.tickets) {
          state.tickets[t.code] = { party: t.party, holds: t.holds };
          if (t.checked_in) state.checked[t.code] = true;
        }
        save();
      }
    } catch {
      // Offline after all: the kept list serves.
    }
  }
  if (!state.key) return false;
  door.hidden = false;
  status();
  showQueue();
  upload();
  return true;
}

window.amparoDoor = { scans: 0, uploads: 0, lastMillis: 0, decoder: '', upload, scanImage, ready: false };

document.getElementById('door-code-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('door-code');
  const code = normalize(input.value);
  const began = performance.now();
  const [outcome] = code ? checkCode(code) : ['unknown'];
  record(outcome, code, { nonce: nonce(), code });
  window.amparoDoor.lastMillis = performance.now() - began;
  window.amparoDoor.scans++;
  input.value = '';
  input.focus();
});
document.getElementById('door-walkin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const n = parseInt(document.getElementById('door-walkin').value, 10);
  if (!(n >= 1 && n <= 50)) return;
  record('walk_in', '', { nonce: nonce(), walk_in: n });
});
document.getElementById('door-photo').addEventListener('change', (e) => {
  const f = e.target.files[0];
  if (f) scanImage(f).finally(() => { e.target.value = ''; });
});
document.getElementById('door-camera').addEventListener('click', camera);
window.addEventListener('online', () => { status(); upload(); });
window.addEventListener('offline', status);
setInterval(upload, 5000);
// The plain forms' nonces are new on each load: a copy of the page the
// worker kept (a reload without signal) must not reuse a sent form's nonce.
for (const input of document.querySelectorAll('form[method="post"] input[name="nonce"]')) input.value = nonce();
// The worker keeps this page and its scripts for a reload without signal
// (door-sw.js); the tickets and the queue stay in localStorage.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/static/door-sw.js', { scope: '/workshops/' + id + '/checkin' }).catch(() => {});
}
refresh().then((ok) => { window.amparoDoor.ready = ok; });
