(function () {
  "use strict";
  var search = document.getElementById("search");
  var severity = document.getElementById("severity");
  function rows() { return document.querySelectorAll("[data-row]"); }
  function apply() {
    var q = (search.value || "").toLowerCase();
    var sev = severity.value;
    rows().forEach(function (el) {
      var text = el.textContent.toLowerCase();
      var okText = !q || text.indexOf(q) !== -1;
      var okSev = !sev || !el.dataset.severity || el.dataset.severity === sev;
      el.classList.toggle("hidden", !(okText && okSev));
    });
    document.getElementById("shown").textContent =
      document.querySelectorAll("[data-row]:not(.hidden)").length;
  }
  search.addEventListener("input", apply);
  severity.addEventListener("change", apply);
  document.querySelectorAll("table.sortable th").forEach(function (th, index) {
    th.addEventListener("click", function () {
      var table = th.closest("table");
      var body = table.tBodies[0];
      var col = Array.prototype.indexOf.call(th.parentNode.children, th);
      var asc = !th.classList.contains("sorted-asc");
      table.querySelectorAll("th").forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
      th.classList.add(asc ? "sorted-asc" : "sorted-desc");
      var list = Array.prototype.slice.call(body.rows);
      list.sort(function (a, b) {
        var x = a.cells[col] ? a.cells[col].textContent.trim() : "";
        var y = b.cells[col] ? b.cells[col].textContent.trim() : "";
        var nx = parseFloat(x), ny = parseFloat(y);
        var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? cmp : -cmp;
      });
      list.forEach(function (r) { body.appendChild(r); });
    });
  });
  document.getElementById("expand").addEventListener("click", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  document.getElementById("collapse").addEventListener("click", function () {
    document.querySelectorAll("details.cluster").forEach(function (d) { d.open = false; });
  });
  apply();
})();
