/* Loket: the map of a location field (progressive enhancement; no inline script, CSP-safe).
   Reads its configuration from data- attributes written by geo/map_point.html. */
(function () {
  "use strict";
  if (window.loketLocationMap) { return; }  // the script is included once per map
  window.loketLocationMap = true;

  function field(form, prefix, name) {
    return form.querySelector("[name='" + prefix + "__" + name + "']");
  }

  function say(root, text) {
    root.querySelector("[data-map-status]").textContent = text;
  }

  function fillAddress(form, prefix, candidate) {
    var lang = document.documentElement.lang === "nl" ? "nl" : "fr";
    var street = (lang === "nl" && candidate.street_nl) || candidate.street_fr || candidate.street_nl;
    field(form, prefix, "street").value = street || "";
    field(form, prefix, "house_number").value = candidate.house_number || "";
    field(form, prefix, "box").value = candidate.box || "";
    field(form, prefix, "postcode").value = candidate.postcode || "";
    var municipality = field(form, prefix, "municipality");
    if (municipality && candidate.nis_code) { municipality.value = candidate.nis_code; }
  }

  function csrfToken(form) {
    var input = form.querySelector("[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }

  function showNearby(root, form, map, layer, lat, lon) {
    var url = root.dataset.nearbyUrl;
    var category = root.dataset.nearbyCategory;
    if (!url || !category) { return; }
    var query = "?category=" + encodeURIComponent(category) + "&lat=" + lat + "&lon=" + lon;
    fetch(url + query, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        var section = root.querySelector("[data-nearby-reports]");
        var list = section.querySelector("ul");
        list.textContent = "";
        layer.clearLayers();
        data.results.forEach(function (report) {
          L.circleMarker([report.lat, report.lon], { radius: 8 }).addTo(layer);
          var item = document.createElement("li");
          item.textContent = report.category + ", " + report.place + ", " + report.date + " (" +
            report.status + "; " + report.supporters + " " + root.dataset.textSupporters + ") ";
          var support = document.createElement("form");
          support.method = "post";
          support.action = report.support_url;
          support.className = "inline-form";
          var token = document.createElement("input");
          token.type = "hidden";
          token.name = "csrfmiddlewaretoken";
          token.value = csrfToken(form);
          var button = document.createElement("button");
          button.type = "submit";
          button.className = "button-secondary";
          button.textContent = root.dataset.textSupport;
          support.appendChild(token);
          support.appendChild(button);
          item.appendChild(support);
          list.appendChild(item);
        });
        section.hidden = data.results.length === 0;
      })
      .catch(function () { /* suggestions are a help, never a blocker */ });
  }

  function setup(root) {
    var form = root.closest("form");
    var prefix = root.dataset.prefix;
    var lat = field(form, prefix, "lat");
    var lon = field(form, prefix, "lon");
    var canvas = root.querySelector(".location-map-canvas");
    var centre = root.dataset.centre.split(",").map(Number);
    root.hidden = false;
    var map = L.map(canvas, { keyboard: true, attributionControl: false })
      .setView(lat.value ? [Number(lat.value), Number(lon.value)] : centre, lat.value ? 17 : 12);
    if (root.dataset.tilesUrl) {
      L.tileLayer(root.dataset.tilesUrl, { maxZoom: 19 }).addTo(map);
    }
    root.loketMap = map;  // for other scripts and the browser tests
    var marker = null;
    var nearby = L.layerGroup().addTo(map);

    function place(point, fill) {
      lat.value = point.lat.toFixed(6);
      lon.value = point.lng.toFixed(6);
      if (marker) { marker.setLatLng(point); } else { marker = L.marker(point).addTo(map); }
      say(root, root.dataset.textPointSet);
      showNearby(root, form, map, nearby, lat.value, lon.value);
      if (!fill) { return; }
      var url = root.dataset.reverseUrl + "?limit=1&lat=" + lat.value + "&lon=" + lon.value;
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.results && data.results.length) {
            fillAddress(form, prefix, data.results[0]);
            say(root, root.dataset.textFilled);
          } else {
            say(root, root.dataset.textNoAddress);
          }
        })
        .catch(function () { say(root, root.dataset.textNoAddress); });
    }

    if (lat.value && lon.value) { place(L.latLng(Number(lat.value), Number(lon.value)), false); }
    map.on("click", function (event) { place(event.latlng, true); });
    canvas.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        place(map.getCenter(), true);
      }
    });
    root.querySelector("[data-map-use-address]").addEventListener("click", function () {
      var typed = [field(form, prefix, "street").value, field(form, prefix, "house_number").value,
        field(form, prefix, "postcode").value].join(" ").trim();
      if (!typed) { say(root, root.dataset.textAddressUnknown); return; }
      fetch(root.dataset.searchUrl + "?limit=1&q=" + encodeURIComponent(typed))
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var found = data.results && data.results[0];
          if (!found || found.lat === null) { say(root, root.dataset.textAddressUnknown); return; }
          var point = L.latLng(found.lat, found.lon);
          map.setView(point, 18);
          place(point, false);
          say(root, root.dataset.textAddressPoint);
        })
        .catch(function () { say(root, root.dataset.textAddressUnknown); });
    });
  }

  function start() {
    if (!window.L || !window.fetch) { return; }
    L.Icon.Default.imagePath = document.querySelector("script[src*='geo/leaflet/leaflet.js']")
      .src.replace(/leaflet\.js.*$/, "images/");
    Array.prototype.forEach.call(document.querySelectorAll("[data-location-map]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
