// scanner.js: the door scanner's camera and live answers, on top of the check-in page that works without it.
//
// Progressive enhancement of /evenements/{slug}/controle: the server renders a
// code form (#scan-form), a result banner (#scan-result, aria-live), a hidden
// "take the money" form (#pay-at-door), counts (.checkin-counts with data-url)
// and the gate's last scans (#recent-list, with an undo form in
// #undo-template). This script:
//   - opens the camera (getUserMedia) on request and reads QR codes with
//     BarcodeDetector where the browser has it, else with jsQR (npm, served
//     from /static/vendor/jsqr/, loaded only when needed);
//   - posts every code read or typed with fetch (Accept: application/json, the
//     page's CSRF field, a nonce so that one retry after a network error is
//     answered as the first try) and shows the answer at once: colour, symbol
//     and words, and a buzz where the phone can;
//   - ignores the same code for a few seconds, so a QR held in front of the
//     camera is not sent again and again;
//   - polls the counts every few seconds.
// Without JavaScript, or when anything here fails, the forms still post as usual.
(function () {
  'use strict';
  var wrap = document.getElementById('scan-form');
  var banner = document.getElementById('scan-result');
  if (!wrap || !banner || !window.fetch || !window.URLSearchParams) return;
  var form = wrap.querySelector('form');
  var codeInput = document.getElementById('f-code');
  if (!form || !codeInput) return;
  // The camera's box also carries the page's words for this script (data-*).
  var cam = document.getElementById('scanner-camera');
  function words(name) {
    return (cam && cam.getAttribute('data-' + name)) || '';
  }

  var REPEAT_MS = 3000;   // the same code is not sent again within this pause
  var POLL_MS = 5000;
  var lastCode = '';
  var lastAt = 0;
  var busy = false;

  function text(el, s) {
    if (el) el.textContent = s || '';
  }

  // The banner: a class per result (colour), a symbol and words (never colour alone).
  function show(result, title, detail, icon) {
    banner.className = 'scan-result scan-' + result;
    text(banner.querySelector('.scan-icon'), icon);
    text(banner.querySelector('.scan-title'), title);
    text(banner.querySelector('.scan-detail'), detail);
  }

  function setCounts(c) {
    if (!c) return;
    text(document.getElementById('count-arrived'), String(c.arrived));
    text(document.getElementById('count-expected'), String(c.expected));
    var list = document.getElementById('count-gates');
    if (list && c.gates) {
      while (list.firstChild) list.removeChild(list.firstChild);
      for (var i = 0; i < c.gates.length; i++) {
        var li = document.createElement('li');
        var name = c.gates[i].gate || words('unnamed');
        li.textContent = name + ' : ' + c.gates[i].arrived;
        list.appendChild(li);
      }
    }
  }

  function showPay(code, visible) {
    var box = document.getElementById('pay-at-door');
    if (!box) return;
    var field = box.querySelector('input[name="code"]');
    if (field) field.value = code;
    // A new payment, a new nonce (the page's one stands for its own first use).
    var once = box.querySelector('input[name="nonce"]');
    if (once && visible && window.crypto && window.crypto.getRandomValues) once.value = nonce();
    box.hidden = !visible;
  }

  // The scan just made, first in the gate's list, with its undo button when valid.
  function addRecent(r) {
    var list = document.getElementById('recent-list');
    if (!list) return;
    var li = document.createElement('li');
    li.className = 'scan-row scan-' + r.result;
    var strong = document.createElement('strong');
    strong.textContent = r.title;
    li.appendChild(strong);
    if (r.detail) li.appendChild(document.createTextNode(' — ' + r.detail));
    var tpl = document.getElementById('undo-template');
    if (r.can_undo && tpl && tpl.content) {
      var undo = tpl.content.cloneNode(true);
      var scan = undo.querySelector('input[name="scan"]');
      if (scan) scan.value = String(r.scan_id);
      li.appendChild(undo);
    }
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 10) list.removeChild(list.lastChild);
    var none = document.getElementById('recent-none');
    if (none) none.hidden = true;
  }

  // A random id per scan: a retry after a lost answer carries the same one,
  // and the server answers it as the first time instead of "already used".
  function nonce() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
  }

  function post(body, retries) {
    return fetch(form.getAttribute('action'), {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json' }
    }).catch(function (e) {
      if (retries > 0) return post(body, retries - 1);
      throw e;
    });
  }

  // A short buzz for "let in", three for a refusal (the banner says which).
  function buzz(valid) {
    if (navigator.vibrate) navigator.vibrate(valid ? 80 : [120, 60, 120, 60, 120]);
  }

  function send(code) {
    code = (code || '').trim();
    if (!code || busy) return;
    var now = Date.now();
    if (code === lastCode && now - lastAt < REPEAT_MS) return;
    lastCode = code;
    lastAt = now;
    busy = true;
    var body = new URLSearchParams(new FormData(form));
    body.set('code', code);
    if (window.crypto && window.crypto.getRandomValues) body.set('nonce', nonce());
    post(body, 1).then(function (res) {
      return res.json().then(function (j) { return { ok: res.ok, j: j }; });
    }).then(function (r) {
      if (!r.ok || !r.j.result) {
        var msg = r.j && r.j.error ? r.j.error.message : '';
        show('error', msg || words('error'), '', '!');
        return;
      }
      show(r.j.result, r.j.title, r.j.detail, r.j.icon);
      buzz(r.j.result === 'valid');
      showPay(r.j.code, r.j.can_pay);
      setCounts(r.j.counts);
      addRecent(r.j);
      codeInput.value = '';
    }).catch(function () {
      show('error', words('error'), '', '!');
    }).then(function () {
      busy = false;
    });
  }

  // Typed codes go through fetch too (Enter or the button).
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    lastCode = '';   // a typed code is always sent, even the same again
    send(codeInput.value);
    codeInput.focus();
  });

  // ---- counts ----
  var counts = document.querySelector('.checkin-counts[data-url]');
  if (counts) {
    setInterval(function () {
      if (document.hidden) return;
      fetch(counts.getAttribute('data-url'), {
        credentials: 'same-origin',
        headers: { 'Accept': 'application/json' }
      }).then(function (res) { return res.ok ? res.json() : null; })
        .then(setCounts)
        .catch(function () {});
    }, POLL_MS);
  }

  // ---- camera ----
  if (!cam || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  cam.hidden = false;
  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'button camera-toggle';
  button.textContent = words('start');
  var status = document.createElement('p');
  status.className = 'camera-status';
  status.setAttribute('aria-live', 'polite');
  var video = document.createElement('video');
  video.setAttribute('playsinline', '');
  video.setAttribute('aria-hidden', 'true');   // a picture of what the camera sees: the banner says the result
  video.muted = true;
  video.hidden = true;
  cam.appendChild(button);
  cam.appendChild(status);
  cam.appendChild(video);

  var stream = null;
  var detector = null;
  var canvas = null;
  var timer = null;

  function stop() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    button.textContent = words('start');
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = words('jsqr');
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  // One decoder: BarcodeDetector's promise, or jsQR on a frame drawn in a canvas.
  function decode() {
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    }
    var w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) return Promise.resolve(null);
    canvas = canvas || document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    var ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    var found = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: 'dontInvert' });
    return Promise.resolve(found ? found.data : null);
  }

  function tick() {
    if (!stream) return;
    decode().then(function (code) {
      if (code) send(code);
    }).catch(function () {}).then(function () {
      if (stream) timer = setTimeout(tick, 250);
    });
  }

  function prepareDecoder() {
    if ('BarcodeDetector' in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (f) {
        if (f.indexOf('qr_code') >= 0) {
          detector = new window.BarcodeDetector({ formats: ['qr_code'] });
          return;
        }
        return loadJsQR();
      });
    }
    return loadJsQR();
  }

  function start() {
    prepareDecoder().then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    }, function () {
      text(status, words('unsupported'));
      throw null;
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      button.textContent = words('stop');
      text(status, '');
      return video.play();
    }).then(tick).catch(function (e) {
      if (e) text(status, words('denied'));
      stop();
    });
  }

  button.addEventListener('click', function () {
    if (stream) stop(); else start();
  });
  document.addEventListener('visibilitychange', function () {
    if (document.hidden) stop();
  });
})();
