// The phone page: keep this page for offline use, and forget it on request.
(function () {
  var root = document.getElementById('phone');
  if (!root || !('serviceWorker' in navigator)) return;
  var token = root.dataset.token;
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
})();
