// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Ask before destructive actions: forms carry data-confirm="question".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
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
