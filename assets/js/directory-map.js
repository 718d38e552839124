// directory-map.js: puts the directory's organisations (or one organisation's address) on a Leaflet map, on top of the list that stays the page's content.
//
// Progressive enhancement: the server renders every organisation as a list
// item (or the address as a paragraph) with data-lat/data-lon (micro-degrees),
// data-title and data-url, inside the element named by the map box's
// data-list. Without JavaScript, without Leaflet or without any placed
// organisation, the map stays hidden and nothing else changes. When the tile
// server cannot be reached (offline, blocked by the Content-Security-Policy),
// the markers still show and a status line says the background is missing.
(function () {
  'use strict';
  var box = document.getElementById('directory-map');
  if (!box || typeof window.L === 'undefined') return;
  var L = window.L;
  var list = document.getElementById(box.getAttribute('data-list') || '');
  if (!list) return;

  // One marker per place: organisations at the same spot (a commune's centre)
  // share one pin, whose popup lists them all.
  var places = {};
  var points = [];
  var items = list.matches('[data-lat][data-lon]') ? [list] : list.querySelectorAll('[data-lat][data-lon]');
  for (var i = 0; i < items.length; i++) {
    var lat = parseInt(items[i].getAttribute('data-lat'), 10) / 1e6;
    var lon = parseInt(items[i].getAttribute('data-lon'), 10) / 1e6;
    if (!isFinite(lat) || !isFinite(lon)) continue;
    var key = lat.toFixed(5) + ',' + lon.toFixed(5);
    var place = places[key];
    if (!place) {
      place = places[key] = { lat: lat, lon: lon, orgs: [] };
      points.push(place);
    }
    place.orgs.push({ title: items[i].getAttribute('data-title') || '', url: items[i].getAttribute('data-url') || '' });
  }
  if (!points.length) return;

  // Leaflet writes the attribution as HTML: it is our configuration, but escape it anyway.
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  box.hidden = false;
  // No sliding or fading for those who asked their system for less motion.
  var still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var map = L.map(box, { scrollWheelZoom: false, fadeAnimation: !still, zoomAnimation: !still,
    markerZoomAnimation: !still });
  map.attributionControl.setPrefix(false);
  var status = document.getElementById('directory-map-status');
  var failed = false;
  var tiles = L.tileLayer(box.getAttribute('data-tiles'), {
    maxZoom: 18,
    attribution: escapeHtml(box.getAttribute('data-attribution') || '')
  });
  tiles.on('tileerror', function () {
    if (failed) return;
    failed = true;
    box.classList.add('tiles-failed');
    if (status) status.textContent = box.getAttribute('data-failed') || '';
  });
  tiles.addTo(map);

  var bounds = [];
  points.forEach(function (p) {
    // Markers are focusable images named after their organisations (keyboard: Tab, then Enter).
    var title = p.orgs.map(function (o) { return o.title; }).join(' · ');
    var marker = L.marker([p.lat, p.lon], { title: title, alt: title, keyboard: true });
    var ul = document.createElement('ul');
    ul.className = 'map-popup-list';
    p.orgs.forEach(function (o) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = o.url;
      a.textContent = o.title;
      li.appendChild(a);
      ul.appendChild(li);
    });
    marker.bindPopup(ul);
    marker.addTo(map);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length === 1) map.setView(bounds[0], 15);
  else map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
})();
