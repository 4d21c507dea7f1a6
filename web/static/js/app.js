// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Ask before destructive actions: forms carry data-confirm="question".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (!question) { return; }
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // Answered here: the server's confirmation page (the no-script path) is not needed.
    if (!form.querySelector("input[name=confirmed]")) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "confirmed";
      field.value = "1";
      form.appendChild(field);
    }
  });
  // The search filters are a <details>: open on wide screens, folded above the results on phones.
  var filters = document.querySelector("details.facets-details");
  if (filters && window.matchMedia("(min-width: 861px)").matches) {
    filters.open = true;
  }
  // Select the text of a one-time secret (invitation link, token) when clicked.
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (el && el.classList && el.classList.contains("token")) {
      var range = document.createRange();
      range.selectNodeContents(el);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  });
})();
