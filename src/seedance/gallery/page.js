(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.card"));
  var status = document.getElementById("filter-status");
  var model = document.getElementById("filter-model");
  var text = document.getElementById("filter-text");
  var shown = document.getElementById("shown");
  var none = document.getElementById("none-shown");
  function apply() {
    var s = status.value, m = model.value, q = text.value.trim().toLowerCase(), count = 0;
    cards.forEach(function (card) {
      var ok = (!s || card.dataset.status === s) && (!m || card.dataset.model === m) &&
        (!q || card.textContent.toLowerCase().indexOf(q) !== -1);
      card.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = String(count);
    none.hidden = count !== 0;
  }
  status.addEventListener("change", apply);
  model.addEventListener("change", apply);
  text.addEventListener("input", apply);
  document.addEventListener("play", function (event) {
    document.querySelectorAll("video").forEach(function (video) {
      if (video !== event.target) { video.pause(); }
    });
  }, true);
  apply();
})();
