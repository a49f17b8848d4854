// The conference tabs scroll sideways on a phone: bring the current tab into view, so the
// page's own tab is never hidden past the edge (the fade at the edge says there are more).
(function () {
  "use strict";
  var nav = document.querySelector(".conference-nav");
  var current = nav && nav.querySelector("[aria-current=page]");
  if (!current || nav.scrollWidth <= nav.clientWidth) return;
  var left = current.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2;
  nav.scrollLeft = Math.max(0, left);
})();
