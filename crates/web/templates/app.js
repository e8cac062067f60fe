// Review screen: highlight the source of the focused value in the original,
// keep totals current while typing, keyboard shortcuts. Everything works without it.
(function () {
  "use strict";
  function blocks() { return Array.prototype.slice.call(document.querySelectorAll(".tb")); }
  function highlight(el) {
    blocks().forEach(function (b) { b.classList.remove("hl"); });
    var part = el.getAttribute("data-part"), start = parseInt(el.getAttribute("data-start"), 10);
    if (part === null || isNaN(start) || start < 0) return;
    var page = el.getAttribute("data-page");
    var hit = blocks().filter(function (b) {
      return b.getAttribute("data-part") === part && (!page || page === "0" || b.getAttribute("data-page") === page) &&
        parseInt(b.getAttribute("data-start"), 10) <= start && start < parseInt(b.getAttribute("data-end"), 10) + 1;
    })[0];
    if (hit) { hit.classList.add("hl"); hit.scrollIntoView({ block: "nearest" }); }
  }
  function number(text) {
    var t = (text || "").trim();
    if (t.indexOf(",") >= 0 && t.indexOf(".") < 0) t = t.replace(",", ".");
    var n = parseFloat(t.replace(/[^0-9.\-]/g, ""));
    return isNaN(n) ? null : n;
  }
  function recompute() {
    var sum = 0, any = false;
    document.querySelectorAll("tr.line").forEach(function (row) {
      var q = row.querySelector("input.qty"), p = row.querySelector("input.price"), cell = row.querySelector(".line-total");
      if (!q || !p || !cell) return;
      var qv = number(q.value), pv = number(p.value);
      if (pv === null) pv = number(p.getAttribute("data-expected"));
      if (qv !== null && pv !== null) { var t = Math.round(qv * pv * 100) / 100; cell.textContent = t.toFixed(2); sum += t; any = true; }
      else { cell.textContent = ""; }
    });
    var total = document.getElementById("total");
    if (total && any) total.textContent = sum.toFixed(2);
  }
  function fields() { return Array.prototype.slice.call(document.querySelectorAll("input.field:not([disabled])")); }
  function move(step) {
    var all = fields(); if (!all.length) return;
    var i = all.indexOf(document.activeElement);
    var next = all[(i + step + all.length) % all.length];
    next.focus(); next.select();
  }
  document.addEventListener("focusin", function (e) {
    var t = e.target;
    if (t.matches && t.matches("[data-start]")) highlight(t);
    var row = t.closest && t.closest("tr.line");
    document.querySelectorAll("tr.line.focused").forEach(function (r) { r.classList.remove("focused"); });
    if (row) row.classList.add("focused");
  });
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("input.qty, input.price")) recompute();
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button.alt");
    if (!b) return;
    var form = b.closest("td").querySelector("form.product-form");
    form.querySelector("input[name=value]").value = b.getAttribute("data-sku");
    form.submit();
  });
  document.addEventListener("keydown", function (e) {
    if (!document.querySelector(".review")) return;
    var typing = e.target.matches && e.target.matches("input, select, textarea");
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      var confirm = document.getElementById("confirm");
      if (confirm && !confirm.disabled) { e.preventDefault(); document.getElementById("confirm-form").submit(); }
      return;
    }
    if (typing) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (e.key === "j") { e.preventDefault(); move(1); }
    else if (e.key === "k") { e.preventDefault(); move(-1); }
    else if (e.key === "r") { var r = document.getElementById("reject-reason"); if (r) { e.preventDefault(); r.focus(); } }
    else if (e.key === "a") {
      var row = document.querySelector("tr.line.focused") || document.querySelector("tr.line.low");
      var alt = row && row.querySelector("button.alt");
      if (alt) { e.preventDefault(); alt.click(); }
    }
  });
})();
