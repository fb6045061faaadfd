// The header: on a narrow screen the main navigation scrolls sideways in its row; the
// current page's entry is scrolled into view, and a click outside closes the
// administration menu (both work without this script, only less conveniently).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector("header nav.main a[aria-current]");
    var row = document.querySelector("header nav.main");
    if (current && row && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = current.offsetLeft - row.clientWidth / 2 + current.offsetWidth / 2;
    }
    var menu = document.getElementById("admin-menu");
    if (menu) {
      document.addEventListener("click", function (event) {
        if (menu.open && !menu.contains(event.target)) { menu.open = false; }
      });
    }
  });
}());
