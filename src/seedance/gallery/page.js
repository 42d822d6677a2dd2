(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.card"));
  var status = document.getElementById("filter-status");
  var model = document.getElementById("filter-model");
  var who = document.getElementById("filter-who");  /* only when the jobs are more than one user@host's */
  var text = document.getElementById("filter-text");
  var shown = document.getElementById("shown");
  var none = document.getElementById("none-shown");
  function apply() {
    var s = status.value, m = model.value, w = who ? who.value : "", count = 0;
    var q = text.value.trim().toLowerCase();
    cards.forEach(function (card) {
      var ok = (!s || card.dataset.status === s) && (!m || card.dataset.model === m) &&
        (!w || card.dataset.who === w) && (!q || card.textContent.toLowerCase().indexOf(q) !== -1);
      card.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = String(count);
    none.hidden = count !== 0;
  }
  status.addEventListener("change", apply);
  model.addEventListener("change", apply);
  if (who) { who.addEventListener("change", apply); }
  text.addEventListener("input", apply);
  document.addEventListener("play", function (event) {
    document.querySelectorAll("video").forEach(function (video) {
      if (video !== event.target) { video.pause(); }
    });
  }, true);
  apply();
})();
