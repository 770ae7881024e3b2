// The door page's service worker (served at /static/door-sw.js, allowed
// the scope /workshops/ID/checkin; the server puts `const VERSION = '…'`
// above this line). After one visit with signal, a reload without signal
// shows the working door page: this keeps the page and the scripts and
// styles it uses. The workshop's key, its tickets' codes and the queue of
// check-ins are the page's own (localStorage, checkin.js), not this
// worker's: the ticket list is never kept here.
//
// What is kept of the page holds no one's name: the staff header's line
// naming the signed-in organizer is cut out before it is kept. Online, the
// network comes first, so the page is always fresh; a page that no longer
// opens (signed out, the workshop gone) drops the kept copy, and a copy
// not refreshed for KEEP_DAYS is not served and is dropped.

const CACHE = 'amparo-door-' + VERSION;
const STATIC = ['/static/site.css', '/static/favicon.svg', '/static/checkin.js', '/static/credential.js',
  '/static/cbor.js', '/static/noble-ed25519.js', '/static/jsqr.min.js'];
const KEEP_DAYS = 14;

function page() {
  return new URL(self.registration.scope).pathname.replace(/\/$/, '');
}

// keep fetches the door page and keeps it, without its signed-in line.
async function keep(cache, req) {
  const res = await fetch(req, { credentials: 'same-origin', redirect: 'manual' });
  const path = page();
  const isDoor = res.ok && (res.headers.get('Content-Type') || '').startsWith('text/html') && new URL(res.url).pathname === path;
  if (!isDoor) {
    if (res.type === 'opaqueredirect' || res.status === 401 || res.status === 403 || res.status === 404) await cache.delete(path);
    return res;
  }
  const html = await res.clone().text();
  if (html.includes('id="door"')) {
    const kept = html.replace(/<p class="who">[\s\S]*?<\/p>/, '');
    const headers = new Headers({ 'Content-Type': res.headers.get('Content-Type'), 'X-Amparo-Kept-At': String(Date.now()) });
    await cache.put(path, new Response(kept, { status: 200, headers }));
  }
  return res;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(STATIC);
    // The first visit was loaded before this worker: fetch the page again.
    await keep(cache, page()).catch(() => {});
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const name of await caches.keys()) {
      if (name === CACHE || !name.startsWith('amparo-door-')) continue;
      // A new version keeps the page an older one kept, until it refreshes it.
      const hit = await (await caches.open(name)).match(page());
      if (hit && !(await cache.match(page()))) await cache.put(page(), hit);
      await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
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
  if (url.pathname !== page() || req.mode !== 'navigate') return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      return await keep(cache, req);
    } catch (e) {
      const hit = await cache.match(url.pathname);
      if (hit && Date.now() - Number(hit.headers.get('X-Amparo-Kept-At')) < KEEP_DAYS * 864e5) return hit;
      if (hit) await cache.delete(url.pathname);
      throw e;
    }
  })());
});
