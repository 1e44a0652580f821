/* Loket: the public map of reports (progressive enhancement; the table is the content). The map
 * library is fetched on request by geo/leaflet-on-demand.js. */
(function () {
  "use strict";

  function draw(root, canvas) {
    var centre = root.dataset.centre.split(",").map(Number);
    var map = L.map(canvas, { attributionControl: false }).setView(centre, 12);
    if (root.dataset.tilesUrl) { L.tileLayer(root.dataset.tilesUrl).addTo(map); }
    fetch(root.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, point) {
            return L.circleMarker(point, { radius: 8 });
          },
          onEachFeature: function (feature, marker) {
            var p = feature.properties;
            var text = document.createElement("span");
            text.textContent = p.category + " — " + p.place + " — " + p.status + " — " + p.date;
            marker.bindPopup(text);
          }
        }).addTo(map);
        if (data.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 16 }); }
      });
  }

  function start() {
    if (!window.loketMapOnDemand || !window.fetch) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-incident-map]"), function (root) {
      window.loketMapOnDemand(root, draw);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
