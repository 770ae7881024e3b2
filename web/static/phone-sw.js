// The phone page's service worker (served at /p/sw.js with scope
// /p/TOKEN; the server puts `const VERSION = '…'` above this line). It keeps
// this one link's page, its QR and its styles, and nothing else: only
// responses the server marks as the letter page are kept, never the PIN
// form. The first view of the page is the answer to the PIN form, loaded
// before this worker exists, so installing fetches the page and its QR
// once more (the PIN's cookie goes with them) to keep them. Online, the
// network comes first, so a revocation or a renewal shows at once and
// replaces what is kept; a link that no longer works drops it.
//
// An alert pressed without a connection waits in IndexedDB
// (phone-alerts.js); Background Sync wakes this worker to send it when the
// phone is online again, and the page's own retries do the same where the
// browser has no Background Sync. The server makes one alert per key.

importScripts('/static/phone-alerts.js');

const CACHE = 'amparo-phone-' + VERSION;
const STATIC = ['/static/site.css', '/static/phone.css', '/static/phone.js', '/static/phone-alerts.js', '/p/icon.png'];

function pages() {
  const scope = new URL(self.registration.scope).pathname.replace(/\/$/, '');
  return [scope, scope + '/qr.png'];
}

// keep fetches one of the link's pages and updates what is kept of it.
async function keep(cache, req, path) {
  const res = await fetch(req);
  if (res.ok && res.headers.get('X-Amparo-Phone') === 'letter') {
    await cache.put(path, res.clone());
    // A revoked or expired letter's page has no QR: keep none.
    if (res.headers.get('X-Amparo-Phone-QR') === 'none') await cache.delete(path + '/qr.png');
  } else if (res.status === 404 || res.status === 403) {
    await cache.delete(path); // the link, letter or QR is gone: keep nothing
  }
  return res;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(STATIC);
    // Without the network now, the next online visit keeps the page.
    await Promise.all(pages().map((p) => keep(cache, p, p).catch(() => {})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const name of await caches.keys()) {
      if (name === CACHE || !name.startsWith('amparo-phone-')) continue;
      // A new version keeps what the old one kept and it could not fetch.
      const old = await caches.open(name);
      for (const p of pages()) {
        const hit = await old.match(p);
        if (hit && !(await cache.match(p))) await cache.put(p, hit);
      }
      await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (STATIC.includes(url.pathname)) {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(url.pathname);
      if (hit) return hit;
      const res = await fetch(req);
      if (res.ok) await cache.put(url.pathname, res.clone());
      return res;
    })());
    return;
  }
  if (!pages().includes(url.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      return await keep(cache, req, url.pathname);
    } catch (e) {
      const hit = await cache.match(url.pathname);
      if (hit) return hit;
      throw e;
    }
  })());
});

// sync sends the waiting alerts; a rejection asks the browser to try again
// later. The page hears the outcome.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'amparo-alert') return;
  event.waitUntil(self.amparoAlerts.sendAll().then(async () => {
    for (const c of await self.clients.matchAll()) c.postMessage({ alerts: 'changed' });
  }));
});
