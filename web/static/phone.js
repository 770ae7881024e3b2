// The phone page: keep this page for offline use, forget it on request,
// and the "I am being stopped" button, which works without a connection.
(function () {
  var root = document.getElementById('phone');
  if (!root) return;
  var token = root.dataset.token;
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/p/sw.js', { scope: '/p/' + token }).catch(function () {});
    var form = document.getElementById('forget');
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var done = function () { form.submit(); };
      Promise.all([
        caches.keys().then(function (names) {
          return Promise.all(names.filter(function (n) { return n.indexOf('amparo-phone-') === 0; }).map(function (n) { return caches.delete(n); }));
        }),
        navigator.serviceWorker.getRegistrations().then(function (regs) {
          return Promise.all(regs.filter(function (r) { return r.scope.indexOf('/p/') >= 0; }).map(function (r) { return r.unregister(); }));
        })
      ]).then(done, done);
    });
  }
  alertButton(token);
})();

// alertButton asks for the confirmation on the page itself (the second
// tap), so that it works without a connection: the alert, with the key
// made at the press, waits in IndexedDB until it is sent, and the page
// says so and offers the text message to the hotline at once. Without
// IndexedDB the button keeps its plain form, which asks the server.
function alertButton(token) {
  var start = document.getElementById('alert-start');
  var panel = document.getElementById('alert-panel');
  var store = self.amparoAlerts;
  if (!start || !panel || !store || !('indexedDB' in self)) return;
  var status = document.getElementById('alert-status');
  var sms = document.getElementById('alert-sms');
  var pending = null; // the key of the press being confirmed

  start.addEventListener('submit', function (e) {
    e.preventDefault();
    // A press while an alert waits is the same alert: its key again.
    store.get(token).then(function (kept) {
      pending = kept && kept.state === 'waiting' ? kept.key : store.newKey();
      document.getElementById('alert-key').value = pending;
      panel.hidden = false;
      document.getElementById('alert-confirm').focus();
    });
  });

  document.getElementById('alert-form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (!pending) return;
    var entry = { token: token, key: pending, state: 'waiting', at: Date.now() };
    store.get(token).then(function (kept) {
      // A double tap sends the same key; a waiting alert stays as it is.
      if (kept && kept.key === entry.key && kept.state !== 'waiting') return kept;
      return store.put(entry).then(function () { return entry; });
    }).then(function (kept) {
      panel.hidden = true;
      if (kept.state !== 'waiting') return show();
      show();
      if ('serviceWorker' in navigator && 'SyncManager' in self) {
        navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register('amparo-alert'); }).catch(function () {});
      }
      return trySend();
    });
  });

  var sending = null;
  // trySend sends a waiting alert now, if there is one; without a
  // connection it stays waiting.
  function trySend() {
    if (sending) return sending;
    sending = store.get(token).then(function (kept) {
      if (!kept || kept.state !== 'waiting') return;
      return store.send(kept).catch(function () {});
    }).then(show, show).then(function () { sending = null; });
    return sending;
  }

  // show says what became of the last alert: waiting (with the text
  // message at hand), sent, or refused.
  function show() {
    return store.get(token).then(function (kept) {
      status.textContent = '';
      // The text message is offered in the message, not twice.
      if (sms) sms.parentNode.hidden = !!kept && kept.state !== 'sent';
      if (!kept) return;
      var d = panel.dataset;
      if (kept.state === 'sent') {
        el('h2', 'alert-sent', d.sent);
        el('p', '', d.sentHelp);
      } else {
        el('p', kept.state === 'waiting' ? 'alert-waiting' : 'alert-failed', kept.state === 'waiting' ? d.waiting : d.failed).className = 'not-valid';
        if (sms) {
          var a = el('a', 'alert-sms-now', sms.textContent);
          a.href = sms.getAttribute('href');
          a.className = 'call';
        }
      }
    });
  }

  function el(tag, id, text) {
    var n = document.createElement(tag);
    if (id) n.id = id;
    n.textContent = text;
    status.appendChild(tag === 'a' ? wrap(n) : n);
    return n;
  }

  function wrap(n) {
    var p = document.createElement('p');
    p.appendChild(n);
    return p;
  }

  // Retries: when the phone comes online, when the worker sent it, now
  // (the page opened again), and every 15 seconds while one waits.
  self.addEventListener('online', trySend);
  if ('serviceWorker' in navigator) navigator.serviceWorker.addEventListener('message', show);
  setInterval(function () {
    store.get(token).then(function (kept) { if (kept && kept.state === 'waiting') trySend(); });
  }, 15000);
  store.get(token).then(function (kept) {
    if (!kept) return;
    if (kept.state === 'waiting') return trySend();
    // What became of an alert pressed before is said once, then forgotten.
    return show().then(function () { return store.remove(token); });
  });
}
