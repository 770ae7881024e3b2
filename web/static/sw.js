// The verify page's service worker (served at /v/sw.js with scope /v; the
// server puts `const VERSION = '…'` above this line). After one visit the
// page checks letters offline: scripts are served from the cache first, and
// the page, the trust list, status lists and rosters from the network first, so that
// fresh revocations are used whenever there is a connection, falling back
// to the last copy kept. Nothing here ever sees a fragment: browsers strip
// it from requests.

const CACHE = 'amparo-verify-' + VERSION;
const STATIC = ['/v/static/verify.js', '/v/static/credential.js', '/v/static/cbor.js', '/v/static/noble-ed25519.js',
  '/v/static/verify.css'];
const NETWORK_WAIT = 4000; // ms before a kept copy is used on a slow connection

const isList = (path) => path === '/v/trust' || path.startsWith('/v/status/') || path.startsWith('/v/roster/');
const keyOf = (url) => url.origin + url.pathname + url.search;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(STATIC);
    await Promise.all(['/v', '/v/trust'].map((u) => save(cache, u)));
    await self.skipWaiting();
  })());
});

// On activation, lists kept by an older version carry over; then the older
// caches go.
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const name of await caches.keys()) {
      if (name === CACHE || !name.startsWith('amparo-verify-')) continue;
      const old = await caches.open(name);
      for (const req of await old.keys()) {
        if (isList(new URL(req.url).pathname) && !(await cache.match(req))) await cache.put(req, await old.match(req));
      }
      await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function save(cache, url) {
  try {
    const res = await fetch(url, { credentials: 'same-origin' });
    if (res.ok) await cache.put(url, res);
  } catch (e) {
    // offline: keep what is kept
  }
}

// The page asks, after a check, to keep the lists it used.
self.addEventListener('message', (event) => {
  const urls = ((event.data && event.data.save) || []).filter((u) => typeof u === 'string' && isList(new URL(u, self.location).pathname));
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(urls.map((u) => save(cache, u)));
    const kept = await Promise.all(urls.map((u) => cache.match(u)));
    if (event.ports[0]) event.ports[0].postMessage(kept.every(Boolean) ? 'saved' : 'not saved');
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/v/static/')) {
    event.respondWith(cacheFirst(event.request));
  } else if (isList(url.pathname)) {
    event.respondWith(networkFirst(event, keyOf(url), null));
  } else if (url.pathname === '/v' && event.request.mode === 'navigate') {
    event.respondWith(networkFirst(event, keyOf(url), url.origin + '/v'));
  }
});

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

// networkFirst answers from the network, keeping a copy; from the cache
// (key, else fallback) when the network fails, errs or is slow.
async function networkFirst(event, key, fallback) {
  const cache = await caches.open(CACHE);
  const kept = async () => (await cache.match(key, { ignoreVary: true })) || (fallback && (await cache.match(fallback, { ignoreVary: true })));
  const network = fetch(event.request).then((res) => {
    if (res.status >= 500) throw new Error('server error');
    if (res.ok) event.waitUntil(cache.put(key, res.clone()));
    return res;
  });
  network.catch(() => {});
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT)).then(async () => (await kept()) || network);
  try {
    return await Promise.race([network, slow]);
  } catch (e) {
    return (await kept()) || Response.error();
  }
}
