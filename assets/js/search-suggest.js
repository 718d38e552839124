// search-suggest.js: turns the header's search box into a combobox that lists suggestions as one types.
//
// Progressive enhancement: the box is a plain GET form to /recherche, which
// works without this script. With it, the input becomes an ARIA 1.2
// combobox (role=combobox, aria-expanded, aria-controls,
// aria-activedescendant) over a listbox of options fetched from
// /recherche/suggestions?q=...: arrow keys move through the options, Enter
// follows the active one (or submits the form when none is active), Escape
// closes the list (and clears the box when it is already closed), a click
// or tap follows an option. A status line tells screen readers how many
// suggestions there are. No inline script or style: the CSP forbids them.
(function () {
  'use strict';
  var input = document.getElementById('site-search-q');
  if (!input || !window.fetch) return;
  var form = input.form;
  var me = document.currentScript;
  var label = (me && me.getAttribute('data-label')) || 'Suggestions';
  var countText = (me && me.getAttribute('data-count')) || '';

  var list = document.createElement('ul');
  list.id = 'site-search-list';
  list.className = 'search-suggest';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', label);
  list.hidden = true;
  var status = document.createElement('div');
  status.className = 'visually-hidden';
  status.setAttribute('role', 'status');
  form.appendChild(list);
  form.appendChild(status);

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  var items = [];
  var active = -1;
  var timer = null;
  var pending = null;
  var lastQuery = '';

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function open() {
    if (!items.length) return;
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function setActive(i) {
    var opts = list.children;
    if (active >= 0 && opts[active]) opts[active].setAttribute('aria-selected', 'false');
    active = i;
    if (i >= 0 && opts[i]) {
      opts[i].setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', opts[i].id);
      if (opts[i].scrollIntoView) opts[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function go(i) {
    if (i < 0 || !items[i]) return;
    window.location.assign(items[i].url);
  }

  function render(data) {
    items = (data && data.items) || [];
    while (list.firstChild) list.removeChild(list.firstChild);
    active = -1;
    input.removeAttribute('aria-activedescendant');
    items.forEach(function (it, i) {
      var li = document.createElement('li');
      li.id = 'site-search-opt-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      var title = document.createElement('span');
      title.className = 'suggest-title';
      title.textContent = it.title;
      var kind = document.createElement('span');
      kind.className = 'badge badge-kind';
      kind.textContent = it.kind_label;
      li.appendChild(title);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(kind);
      // mousedown, not click: the input keeps the focus, the list stays until we leave.
      li.addEventListener('mousedown', function (e) { e.preventDefault(); });
      li.addEventListener('click', function () { go(i); });
      list.appendChild(li);
    });
    status.textContent = items.length ? items.length + ' ' + countText : '';
    if (items.length && document.activeElement === input) open(); else close();
  }

  function fetchSuggestions() {
    var q = input.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    if (pending && pending.abort) pending.abort();
    if (q.length < 2) {
      render({ items: [] });
      return;
    }
    pending = window.AbortController ? new AbortController() : null;
    fetch('/recherche/suggestions?q=' + encodeURIComponent(q), {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      signal: pending ? pending.signal : undefined
    }).then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) { if (q === input.value.trim()) render(data); })
      .catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });

  input.addEventListener('keydown', function (e) {
    var n = items.length;
    if (e.key === 'ArrowDown') {
      if (!n) return;
      e.preventDefault();
      if (list.hidden) open();
      setActive(active + 1 < n ? active + 1 : 0);
    } else if (e.key === 'ArrowUp') {
      if (!n) return;
      e.preventDefault();
      if (list.hidden) open();
      setActive(active > 0 ? active - 1 : n - 1);
    } else if (e.key === 'Enter') {
      if (!list.hidden && active >= 0) {
        e.preventDefault();
        go(active);
      }
    } else if (e.key === 'Escape') {
      if (!list.hidden) {
        e.preventDefault();
        close();
      } else if (input.value) {
        e.preventDefault();
        input.value = '';
        lastQuery = '';
        render({ items: [] });
      }
    }
  });

  input.addEventListener('focus', function () { if (items.length) open(); });
  input.addEventListener('blur', function () { close(); });
}());
