/* Loket: the map of places of help (progressive enhancement; the list is the content).
 *
 * The map library (Leaflet, about 40 KB compressed) is fetched only when the visitor asks for the
 * map, so the finder and a place's page stay within the page-weight budget; without JavaScript
 * the button stays hidden and the list says everything. */
(function () {
  "use strict";

  var leaflet = null;

  function addStylesheet(href) {
    if (!href) { return; }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function loadLeaflet(root) {
    if (window.L) { return Promise.resolve(); }
    if (!leaflet) {
      leaflet = new Promise(function (resolve, reject) {
        addStylesheet(root.dataset.leafletCss);
        addStylesheet(root.dataset.mapCss);
        var script = document.createElement("script");
        script.src = root.dataset.leafletJs;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return leaflet;
  }

  function draw(root, places) {
    var canvas = root.querySelector(".incident-map-canvas");
    canvas.hidden = false;
    var centre = root.dataset.centre.split(",").map(Number);
    var map = L.map(canvas, { attributionControl: false }).setView(centre, 12);
    if (root.dataset.tilesUrl) { L.tileLayer(root.dataset.tilesUrl).addTo(map); }
    var markers = [];
    Array.prototype.forEach.call(places, function (place) {
      var marker = L.circleMarker([Number(place.dataset.lat), Number(place.dataset.lon)],
        { radius: 8 }).addTo(map);
      var text = document.createElement(place.dataset.url ? "a" : "span");
      text.textContent = place.dataset.name;
      if (place.dataset.url) { text.href = place.dataset.url; }
      marker.bindPopup(text);
      markers.push(marker);
    });
    map.fitBounds(L.featureGroup(markers).getBounds(), { maxZoom: 16 });
    canvas.focus();
  }

  function setup(root) {
    var places = document.querySelectorAll(".help-point[data-lat]");
    var button = root.querySelector("[data-map-show]");
    if (!places.length || !button) { return; }
    root.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      loadLeaflet(root).then(function () {
        button.hidden = true;
        draw(root, places);
      }, function () {
        button.disabled = false;
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-help-point-map]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
