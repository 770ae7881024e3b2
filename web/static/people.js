// Copy and print buttons of the people pages (an invitation's link, the
// recovery codes). They are hidden until this script shows them: without
// JavaScript the text stays selectable, the download link and the
// browser's own Print command still work.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () {
    var el = document.getElementById(b.dataset.copy);
    var said = b.parentNode.querySelector(".copied");
    var text = el.innerText.trim();
    var done = function () { if (said) { said.textContent = b.dataset.done; } };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { select(el); });
    } else {
      select(el);
    }
  });
});
document.querySelectorAll("button[data-print]").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
// select selects the element's text, for the person to copy themselves.
function select(el) {
  var r = document.createRange();
  r.selectNodeContents(el);
  var s = window.getSelection();
  s.removeAllRanges();
  s.addRange(r);
}
