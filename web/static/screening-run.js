// A vendor file's screening page follows its run: every second it reads
// the run's status, moves the progress bar and, every tenth of the way,
// says the progress in the status line, which screen readers announce
// (once a second would drown them). When the run is done it loads the
// page again, with the results. Without JavaScript the page refreshes
// itself (the <noscript> refresh in its head).
(function () {
  'use strict';
  var run = document.getElementById('run');
  var bar = document.getElementById('run-progress');
  var text = document.getElementById('run-text');
  if (!run || !bar || !text || !window.fetch) return;
  var url = run.getAttribute('data-status');
  var told = -1;
  function poll() {
    fetch(url, {credentials: 'same-origin', cache: 'no-store'}).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (s) {
      if (s.finished) {
        window.location.reload();
        return;
      }
      bar.max = s.total || 1;
      bar.value = s.done;
      var tenth = s.total ? Math.floor(10 * s.done / s.total) : 0;
      if (tenth !== told) {
        told = tenth;
        text.textContent = s.text;
      }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
