// agenda-map.js: puts the agenda's listed events on a Leaflet map, on top of the list that stays the page's content.
//
// Progressive enhancement: the server renders every event as a card in a list,
// with data-lat/data-lon (micro-degrees), data-title and data-url on the cards
// that have a place. Without JavaScript, without Leaflet or without any placed
// event, the map stays hidden and nothing else changes. When the tile server
// cannot be reached (offline, blocked by the Content-Security-Policy), the
// markers still show and a status line says the background is missing.
(function () {
  'use strict';
  var box = document.getElementById('agenda-map');
  if (!box || typeof window.L === 'undefined') return;
  var L = window.L;

  // One marker per place: a weekly market is one pin, whose popup lists its events once each.
  var places = {};
  var points = [];
  var cards = document.querySelectorAll('#agenda-map-list [data-lat][data-lon]');
  for (var i = 0; i < cards.length; i++) {
    var lat = parseInt(cards[i].getAttribute('data-lat'), 10) / 1e6;
    var lon = parseInt(cards[i].getAttribute('data-lon'), 10) / 1e6;
    if (!isFinite(lat) || !isFinite(lon)) continue;
    var key = lat.toFixed(5) + ',' + lon.toFixed(5);
    var place = places[key];
    if (!place) {
      place = places[key] = { lat: lat, lon: lon, events: [], urls: {} };
      points.push(place);
    }
    var url = cards[i].getAttribute('data-url') || '';
    if (!place.urls[url]) {
      place.urls[url] = true;
      place.events.push({ title: cards[i].getAttribute('data-title') || '', url: url });
    }
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
  var status = document.getElementById('agenda-map-status');
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
    // Markers are focusable images named after their events (keyboard: Tab, then Enter).
    var title = p.events.map(function (e) { return e.title; }).join(' · ');
    var marker = L.marker([p.lat, p.lon], { title: title, alt: title, keyboard: true });
    var list = document.createElement('ul');
    list.className = 'map-popup-list';
    p.events.forEach(function (e) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = e.url;
      link.textContent = e.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    marker.bindPopup(list);
    marker.addTo(map);
    bounds.push([p.lat, p.lon]);
  });
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
})();
