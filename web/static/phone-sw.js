// The phone page's service worker (served at /p/sw.js with scope
// /p/TOKEN; the server puts `const VERSION = '…'` above this line). It keeps
// this one letter's page, its QR and its styles, and nothing else: only
// responses the server marks as the letter page are kept, never the PIN
// form. Online, the network comes first, so a revocation shows at once.

const CACHE = 'amparo-phone-' + VERSION;
const STATIC = ['/static/site.css', '/static/phone.css', '/static/phone.js'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(STATIC)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE && name.startsWith('amparo-phone-')) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (STATIC.includes(url.pathname)) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  const scope = new URL(self.registration.scope).pathname;
  if (url.pathname !== scope && url.pathname !== scope + '/qr.png') return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      if (res.ok && res.headers.get('X-Amparo-Phone') === 'letter') {
        await cache.put(url.pathname, res.clone());
      } else if (res.status === 404) {
        await cache.delete(url.pathname); // the link was revoked: keep nothing
      }
      return res;
    } catch (e) {
      const hit = await cache.match(url.pathname);
      if (hit) return hit;
      throw e;
    }
  })());
});
