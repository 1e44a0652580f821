/* Loket: the map of places of help (progressive enhancement; the list is the content). The map
 * library is fetched on request by geo/leaflet-on-demand.js. */
(function () {
  "use strict";

  function draw(root, canvas) {
    var places = document.querySelectorAll(".help-point[data-lat]");
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
  }

  function start() {
    if (!window.loketMapOnDemand || !document.querySelector(".help-point[data-lat]")) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-help-point-map]"), function (root) {
      window.loketMapOnDemand(root, draw);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
