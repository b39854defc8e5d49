// Loyalty Hub console (docs/console.md): the little the browser does itself. Pages work without
// it; with it, htmx requests carry the CSRF token, charts are drawn from the JSON the server put
// beside them, and typed confirmations unlock their button. No inline script anywhere (the CSP
// allows only the hub's own files).
'use strict';

document.addEventListener('htmx:configRequest', function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers['X-CSRF-Token'] = meta.getAttribute('content');
});

// <canvas data-chart="ID"> draws the Chart.js configuration in <script type="application/json" id="ID">.
function drawCharts(root) {
  if (typeof window.Chart !== 'function') return;
  root.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    if (canvas.dataset.drawn) return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var config = JSON.parse(source.textContent);
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    new window.Chart(canvas, config);
    canvas.dataset.drawn = 'yes';
  });
}

// <input data-confirm="PHRASE"> enables the submit button of its form only once PHRASE is typed.
function armConfirmations(root) {
  root.querySelectorAll('input[data-confirm]').forEach(function (input) {
    var button = input.form && input.form.querySelector('button[type="submit"]');
    if (!button) return;
    var check = function () { button.disabled = input.value !== input.dataset.confirm; };
    input.addEventListener('input', check);
    check();
  });
}

function enhance(root) {
  drawCharts(root);
  armConfirmations(root);
}

document.addEventListener('DOMContentLoaded', function () { enhance(document); });
document.addEventListener('htmx:load', function (event) { enhance(event.detail.elt); });

// Catalog and settings (pages/settings.tsx). A page that shows a secret once is the answer to a
// POST: its history entry is replaced by the plain settings address, so a reload shows the list
// (the secret gone) instead of offering to send the form again. "Copy" buttons copy a field.
function forgetPostedSecret(root) {
  var shown = root.querySelector('[data-replace-url]');
  if (shown && window.history && window.history.replaceState) window.history.replaceState(null, '', shown.getAttribute('data-replace-url'));
}

function armCopyButtons(root) {
  root.querySelectorAll('button[data-copy]').forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      field.select();
      var done = function () { button.textContent = 'Copied'; };
      if (window.navigator.clipboard && window.isSecureContext) window.navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand('copy'); done(); });
      else { document.execCommand('copy'); done(); }
    });
  });
}

document.addEventListener('DOMContentLoaded', function () { forgetPostedSecret(document); armCopyButtons(document); });
