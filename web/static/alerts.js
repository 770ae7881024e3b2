// The alerts page keeps itself current: every 10 seconds, while the page
// is shown, it reads the page again and puts the new list in place —
// unless a form in the list is being filled (a field focused or changed,
// a form opened), which it never disturbs. A new alert is marked and
// announced to screen readers. Without JavaScript, the refresh link.
(function () {
  'use strict';
  var list = document.getElementById('alert-list');
  var live = document.getElementById('alerts-live');
  if (!list || !live || !window.fetch || !window.DOMParser) return;
  var every = Number(list.getAttribute('data-poll-ms')) || 10000;
  function ids(root) {
    var out = {};
    root.querySelectorAll('section.alert').forEach(function (s) { out[s.id] = true; });
    return out;
  }
  function busy() {
    if (list.querySelector('details[open]')) return true;
    var fields = list.querySelectorAll('input, textarea, select');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f === document.activeElement) return true;
      if (f.type === 'hidden') continue;
      if (f.tagName === 'SELECT') {
        // A select with no option marked selected shows its first.
        var first = 0;
        for (var j = 0; j < f.options.length; j++) {
          if (f.options[j].defaultSelected) { first = j; break; }
        }
        if (f.selectedIndex !== first) return true;
      } else if (f.value !== f.defaultValue) {
        return true;
      }
    }
    return false;
  }
  function poll() {
    if (document.hidden || busy()) return;
    fetch(window.location.pathname + window.location.search, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html || busy()) return;
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var next = doc.getElementById('alert-list');
        if (!next) return;
        var before = ids(list);
        list.innerHTML = next.innerHTML;
        var fresh = 0;
        list.querySelectorAll('section.alert').forEach(function (s) {
          if (!before[s.id]) {
            s.classList.add('alert-new');
            var h = s.querySelector('h2'), m = document.createElement('mark');
            m.textContent = live.getAttribute('data-badge');
            if (h) h.insertBefore(m, h.firstChild);
            fresh++;
          }
        });
        if (fresh > 0) {
          live.textContent = '';
          live.textContent = (fresh === 1 ? live.getAttribute('data-single') : live.getAttribute('data-plural')).replace('%d', fresh);
        }
        var figs = doc.getElementById('alert-figures'), old = document.getElementById('alert-figures');
        if (figs && old) old.innerHTML = figs.innerHTML;
      })
      .catch(function () { /* offline: the next tick tries again */ });
  }
  window.setInterval(poll, every);
})();
