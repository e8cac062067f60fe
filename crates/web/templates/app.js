// Review screen: highlight the source of the focused value in the original,
// keep totals current while typing, keyboard shortcuts. Everything works without it.
(function () {
  "use strict";
  function blocks() { return Array.prototype.slice.call(document.querySelectorAll(".tb")); }
  // A value read from a table (a sheet, a CSV file, the lines of an EDI or
  // XML order): its row, and its cell when known, lit in the grid.
  function highlightCell(el) {
    document.querySelectorAll(".sheet .hl, .sheet .hl-cell, .kv .hl").forEach(function (c) { c.classList.remove("hl", "hl-cell"); });
    var origin = el.getAttribute("data-origin") || "", part = el.getAttribute("data-part");
    var m = /(?:line )?table ?(\d+)? row (\d+)(?: column (\d+))?/.exec(origin);
    if (!m) {
      if (!origin) return false;
      var kv = Array.prototype.slice.call(document.querySelectorAll('.kv [data-origin]')).filter(function (d) { return d.getAttribute("data-origin") === origin; });
      kv.forEach(function (d) { d.classList.add("hl"); });
      if (kv[0]) kv[0].scrollIntoView({ block: "nearest" });
      return kv.length > 0;
    }
    var table = document.querySelector('table.sheet[data-part="' + part + '"][data-table="' + (m[1] || "1") + '"]');
    var row = table && table.querySelector('tr[data-row="' + m[2] + '"]');
    if (!row) return false;
    row.classList.add("hl");
    var cell = m[3] && row.querySelector('td[data-col="' + m[3] + '"]');
    if (cell) cell.classList.add("hl-cell");
    (cell || row).scrollIntoView({ block: "nearest", inline: "nearest" });
    return true;
  }
  function highlight(el) {
    blocks().forEach(function (b) { b.classList.remove("hl"); });
    if (highlightCell(el)) return;
    var part = el.getAttribute("data-part"), start = parseInt(el.getAttribute("data-start"), 10);
    if (part === null || isNaN(start) || start < 0) return;
    var page = el.getAttribute("data-page");
    var hit = blocks().filter(function (b) {
      return b.getAttribute("data-part") === part && (!page || page === "0" || b.getAttribute("data-page") === page) &&
        parseInt(b.getAttribute("data-start"), 10) <= start && start < parseInt(b.getAttribute("data-end"), 10) + 1;
    })[0];
    if (hit) { hit.classList.add("hl"); if (!boxOnPage(hit)) hit.scrollIntoView({ block: "nearest" }); }
  }
  // The value's box drawn on the page image it was read from; false when there is none.
  function boxOnPage(block) {
    document.querySelectorAll(".page .box").forEach(function (b) { b.hidden = true; });
    var at = (block.getAttribute("data-bbox") || "").split(" ").map(parseFloat);
    if (at.length !== 4 || at.some(isNaN)) return false;
    var figure = document.querySelector('.page[data-part="' + block.getAttribute("data-part") + '"][data-page="' + block.getAttribute("data-page") + '"]');
    var img = figure && figure.querySelector("img");
    if (!img || !img.naturalWidth) return false;
    // Pixels on screen per PDF point: the image was drawn data-scale pixels a point.
    var s = img.clientWidth / img.naturalWidth * parseFloat(img.getAttribute("data-scale") || "1.5");
    var box = figure.querySelector(".box");
    box.style.left = (at[0] * s - 3) + "px"; box.style.top = (at[1] * s - 3) + "px";
    box.style.width = (at[2] * s + 6) + "px"; box.style.height = (at[3] * s + 6) + "px";
    box.hidden = false;
    box.scrollIntoView({ block: "center", inline: "nearest" });
    return true;
  }
  document.addEventListener("click", function (e) {
    var img = e.target.closest && e.target.closest(".page img");
    if (!img) return;
    img.closest(".page").classList.toggle("zoom");
    var hl = document.querySelector(".tb.hl");
    if (hl) boxOnPage(hl);
  });
  // Numbers as the page's language writes them: German 1.234,56, English 1,234.56.
  var german = document.documentElement.lang === "de";
  function number(text) {
    var t = (text || "").trim().replace(/[\s\u20ac]/g, "");
    if (german) {
      if (t.indexOf(",") >= 0) t = t.replace(/\./g, "").replace(",", ".");
      else if (/^-?\d{1,3}(\.\d{3})+$/.test(t)) t = t.replace(/\./g, "");
    } else {
      t = t.replace(/,/g, "");
    }
    var n = parseFloat(t.replace(/[^0-9.\-]/g, ""));
    return isNaN(n) ? null : n;
  }
  function money(n) {
    return n.toLocaleString(german ? "de-DE" : "en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function recompute() {
    var sum = 0, any = false;
    document.querySelectorAll("tr.line").forEach(function (row) {
      var q = row.querySelector("input.qty"), p = row.querySelector("input.price"), cell = row.querySelector(".line-total");
      if (!q || !p || !cell) return;
      var qv = number(q.value), pv = number(p.value);
      if (pv === null) pv = number(p.getAttribute("data-expected"));
      if (qv !== null && pv !== null) { var t = Math.round(qv * pv * 100) / 100; cell.textContent = money(t); sum += t; any = true; }
      else { cell.textContent = ""; }
    });
    var total = document.getElementById("total");
    if (total && any) total.textContent = money(sum);
    var head = document.getElementById("head-total");
    if (head && any) head.textContent = money(sum);
  }
  // The line cursor of command mode: keys move it, they never type.
  var cursor = -1;
  function lines() { return Array.prototype.slice.call(document.querySelectorAll("tr.line")); }
  function setCursor(i) {
    var rows = lines(); if (!rows.length) return;
    cursor = (i + rows.length) % rows.length;
    rows.forEach(function (r, n) { r.classList.toggle("cursor", n === cursor); });
    rows[cursor].scrollIntoView({ block: "nearest" });
    highlight(rows[cursor]);
  }
  function current() { return lines()[cursor] || null; }
  function help(show) {
    var h = document.getElementById("keys-help");
    if (h) h.hidden = show === undefined ? !h.hidden : !show;
  }
  document.addEventListener("focusin", function (e) {
    var t = e.target;
    var row = t.closest && t.closest("tr.line");
    // A value of its own source, else its line's.
    if (t.matches && t.matches("[data-start]")) highlight(t);
    else if (row) highlight(row);
    document.querySelectorAll("tr.line.focused").forEach(function (r) { r.classList.remove("focused"); });
    if (row) { row.classList.add("focused"); cursor = lines().indexOf(row); }
  });
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("input.qty, input.price")) recompute();
  });
  document.addEventListener("click", function (e) {
    var toggle = e.target.closest && e.target.closest("button.alts-toggle");
    if (toggle) {
      var alts = toggle.parentNode.querySelector(".alts");
      var open = alts.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var b = e.target.closest && e.target.closest("button.alt");
    if (!b) return;
    var form = b.closest("td").querySelector("form.product-form");
    form.querySelector("input[name=value]").value = b.getAttribute("data-sku");
    form.submit();
  });
  // The product picker: as a clerk types, products come from the server
  // (our SKU, the customer's number, a GTIN, the start of words) with price,
  // stock and pack size. Up/Down choose, Enter or a click takes one, Esc closes.
  function pickerOf(input) { return input.closest(".picker"); }
  function closePicker(box) { var list = box.querySelector(".pick-list"); list.hidden = true; list.innerHTML = ""; }
  function choose(box, delta) {
    var opts = Array.prototype.slice.call(box.querySelectorAll(".pick-option"));
    if (!opts.length) return null;
    var at = opts.findIndex(function (o) { return o.classList.contains("active"); });
    if (delta) {
      at = (at + delta + opts.length) % opts.length;
      opts.forEach(function (o, n) { o.classList.toggle("active", n === at); o.setAttribute("aria-selected", n === at ? "true" : "false"); });
    }
    return at >= 0 ? opts[at] : null;
  }
  function take(box, option) {
    var input = box.querySelector("input.pick");
    input.value = option.getAttribute("data-sku");
    closePicker(box);
    input.focus();
  }
  var pickTimer = null, pickSeq = 0;
  document.addEventListener("input", function (e) {
    var input = e.target;
    if (!(input.matches && input.matches("input.pick"))) return;
    var box = pickerOf(input);
    clearTimeout(pickTimer);
    pickTimer = setTimeout(function () {
      var typed = input.value.trim(), seq = ++pickSeq;
      if (typed.length < 2) { closePicker(box); return; }
      var url = "/api/product-picker?limit=8&q=" + encodeURIComponent(typed) + "&customer=" + encodeURIComponent(input.getAttribute("data-customer") || "");
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : []; }).then(function (found) {
        if (seq !== pickSeq) return;
        var list = box.querySelector(".pick-list");
        list.innerHTML = "";
        found.forEach(function (p) {
          var o = document.createElement("div");
          o.className = "pick-option"; o.setAttribute("role", "option"); o.setAttribute("data-sku", p.sku);
          var head = document.createElement("strong"); head.textContent = p.sku; o.appendChild(head);
          o.appendChild(document.createTextNode(" " + p.name));
          var facts = [];
          if (p.customer_part_no) facts.push(box.getAttribute("data-their") + " " + p.customer_part_no);
          if (p.price !== null) facts.push(money(number(p.price)) + " " + (p.currency || ""));
          facts.push(box.getAttribute("data-stock") + " " + number(p.available).toLocaleString(german ? "de-DE" : "en-GB") + " " + p.unit);
          if (number(p.pack_size) > 1) facts.push(box.getAttribute("data-pack") + " " + p.pack_size);
          if (!p.active) facts.push(box.getAttribute("data-inactive"));
          var small = document.createElement("span"); small.className = "hint"; small.textContent = " · " + facts.join(" · ");
          o.appendChild(small);
          o.addEventListener("mousedown", function (ev) { ev.preventDefault(); take(box, o); });
          list.appendChild(o);
        });
        if (!found.length) {
          var none = document.createElement("div"); none.className = "hint"; none.textContent = box.getAttribute("data-none"); list.appendChild(none);
        }
        list.hidden = false;
      });
    }, 120);
  });
  document.addEventListener("keydown", function (e) {
    var input = e.target;
    if (!(input.matches && input.matches("input.pick"))) return;
    var box = pickerOf(input), list = box.querySelector(".pick-list");
    if (list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") { e.preventDefault(); e.stopPropagation(); choose(box, e.key === "ArrowDown" ? 1 : -1); }
    else if (e.key === "Enter") { var o = choose(box, 0); if (o) { e.preventDefault(); e.stopPropagation(); take(box, o); } else { closePicker(box); } }
    else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); closePicker(box); }
  }, true);
  document.addEventListener("focusout", function (e) {
    if (e.target.matches && e.target.matches("input.pick")) { var box = pickerOf(e.target); setTimeout(function () { closePicker(box); }, 150); }
  });
  // Saves in place: a value saved in the header or on a line is sent without
  // leaving the page; the page comes back with the draft as saved, scrolled
  // where it was, and the value that changed flashes. A refusal (a conflict,
  // a value that is not valid) shows its page as any other answer would.
  function signature(form) {
    var f = function (n) { var i = form.querySelector("input[name=" + n + "]"); return i ? i.value : ""; };
    return [f("what"), f("field"), f("line_no")].join("|");
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches(".review[data-draft] table.fields form.inline, .review[data-draft] #lines td form.inline:not(.remove-line)")) return;
    if (form.querySelector("input[name=what][value=move_line]")) return;
    e.preventDefault();
    var sig = signature(form), y = window.scrollY;
    document.body.classList.add("saving");
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (html) { return { ok: r.ok, url: r.url, html: html }; }); })
      .then(function (answer) {
        var fresh = new DOMParser().parseFromString(answer.html, "text/html");
        var main = fresh.querySelector("main");
        if (!answer.ok || !main || !fresh.querySelector(".review[data-draft]")) {
          document.open(); document.write(answer.html); document.close();
          return;
        }
        document.querySelector("main").innerHTML = main.innerHTML;
        window.scrollTo(0, y);
        recompute();
        var again = Array.prototype.slice.call(document.querySelectorAll(".review form.inline")).find(function (f) { return signature(f) === sig; });
        var field = again && again.querySelector("input[name=value]");
        if (field) {
          var cell = field.closest("td") || field;
          cell.classList.add("flash");
          setTimeout(function () { cell.classList.remove("flash"); }, 1600);
          // Back in command mode, on the line just saved: j/k go on from there.
          var row = field.closest("tr.line");
          if (row) setCursor(lines().indexOf(row));
        }
      })
      .catch(function () { form.submit(); })
      .finally(function () { document.body.classList.remove("saving"); });
  });
  // Keys act only in command mode, when no field has the focus: they move
  // and open, they never change a value. In a field, Esc leaves it with
  // what was typed undone, Enter saves it.
  document.addEventListener("keydown", function (e) {
    if (!document.querySelector(".review[data-draft]")) return;
    var typing = e.target.matches && e.target.matches("input, select, textarea");
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      var confirm = document.getElementById("confirm");
      if (confirm && !confirm.disabled) { e.preventDefault(); document.getElementById("confirm-form").submit(); }
      return;
    }
    if (typing) {
      if (e.key === "Escape") {
        if (e.target.matches("input, textarea")) { e.target.value = e.target.defaultValue; recompute(); }
        e.target.blur();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // Moving on leaves an opened alternative unpicked.
    if ((e.key === "j" || e.key === "k" || e.key === "Escape") && e.target.matches && e.target.matches("button.alt")) {
      e.target.blur();
    }
    var row = current();
    if (e.key === "j") { e.preventDefault(); setCursor(cursor + 1); }
    else if (e.key === "k") { e.preventDefault(); setCursor(cursor < 0 ? -1 : cursor - 1); }
    else if (e.key === "Enter" && row && !(e.target.matches && e.target.matches("button, a"))) {
      var first = row.querySelector("input.field:not([disabled])");
      if (first) { e.preventDefault(); first.focus(); }
    }
    else if (e.key === "a" && row) {
      // Open the line's alternatives: the first takes the focus; Enter or a click picks it.
      var alt = row.querySelector("button.alt");
      if (alt) { e.preventDefault(); row.querySelector(".alts").classList.add("open"); alt.focus(); }
    }
    else if (e.key === "r") { var r = document.getElementById("reject-reason"); if (r) { e.preventDefault(); r.focus(); } }
    else if (e.key === "?") { e.preventDefault(); help(); }
    else if (e.key === "Escape") { help(false); document.querySelectorAll(".alts.open").forEach(function (a) { a.classList.remove("open"); }); }
  });
})();
