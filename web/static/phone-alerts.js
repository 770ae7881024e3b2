// The phone page's alerts waiting for a connection, shared by the page
// (phone.js) and its service worker (phone-sw.js), which both load this
// classic script. An alert pressed without a connection is kept in this
// browser's IndexedDB, one per link: { token, key, state, at }, where key
// is the idempotency key made once per press (the server makes one alert
// per key, however often it is sent) and state is 'waiting', 'sent' or
// 'failed'. Whoever has a connection first (the page on `online`, on
// opening or on its timer; the worker on Background Sync) sends it. Nothing
// personal is kept: the link's token is already in the page's address.

self.amparoAlerts = (function () {
  var DB = 'amparo-phone', STORE = 'alerts';

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: 'token' }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  // run runs fn(store) in one transaction and resolves with its request's result.
  function run(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var req = fn(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(req && req.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function get(token) { return run('readonly', function (s) { return s.get(token); }); }
  function all() { return run('readonly', function (s) { return s.getAll(); }); }
  function put(entry) { return run('readwrite', function (s) { return s.put(entry); }); }
  function remove(token) { return run('readwrite', function (s) { return s.delete(token); }); }

  // newKey is a random idempotency key, as the server's confirm form makes.
  function newKey() {
    var b = crypto.getRandomValues(new Uint8Array(24)), s = '';
    for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // send posts a waiting alert and records the answer: 'sent', or 'failed'
  // when the server refuses it for good (a 4xx: no PIN, too many alerts).
  // It rejects when there is no connection or the server fails, keeping the
  // alert waiting to be sent again with the same key.
  function send(entry) {
    return fetch('/p/' + encodeURIComponent(entry.token) + '/alert', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'key=' + encodeURIComponent(entry.key),
    }).then(function (res) {
      if (res.status >= 500 || res.status === 408) throw new Error('alert: server ' + res.status);
      return get(entry.token).then(function (now) {
        // A newer press in the meantime keeps its own state.
        if (!now || now.key !== entry.key) return now;
        now.state = res.ok ? 'sent' : 'failed';
        return put(now).then(function () { return now; });
      });
    });
  }

  // sendAll sends every waiting alert; it rejects if any is still waiting.
  function sendAll() {
    return all().then(function (entries) {
      return Promise.all(entries.filter(function (e) { return e.state === 'waiting'; }).map(send));
    });
  }

  return { get: get, put: put, remove: remove, newKey: newKey, send: send, sendAll: sendAll };
})();
