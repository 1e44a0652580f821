/* Loket: fetch the map library (Leaflet, about 40 KB compressed) only when a visitor asks for a
 * map, so list pages stay within the page-weight budget. A map block carries the addresses of
 * the files: data-leaflet-js, data-leaflet-css, data-map-css; and a button [data-map-show].
 *
 *   loketMapOnDemand(root, draw): shows the block's button (without JavaScript it stays hidden
 *   and the list or table is the content); on click, loads Leaflet once, reveals the canvas,
 *   calls draw(root, canvas) and moves the focus to the map.
 */
(function () {
  "use strict";

  var loading = null;

  function addStylesheet(href) {
    if (!href) { return; }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function loadLeaflet(root) {
    if (window.L) { return Promise.resolve(); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        addStylesheet(root.dataset.leafletCss);
        addStylesheet(root.dataset.mapCss);
        var script = document.createElement("script");
        script.src = root.dataset.leafletJs;
        script.onload = resolve;
        script.onerror = function () { loading = null; reject(); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  window.loketMapOnDemand = function (root, draw) {
    var button = root.querySelector("[data-map-show]");
    var canvas = root.querySelector(".incident-map-canvas");
    if (!button || !canvas) { return; }
    root.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      loadLeaflet(root).then(function () {
        button.hidden = true;
        canvas.hidden = false;
        draw(root, canvas);
        canvas.focus();
      }, function () {
        button.disabled = false;
      });
    });
  };
})();
