// Search-as-you-type for adding an expert by name (the form works without it:
// the server resolves the typed name and asks to choose when several fit).
(function () {
  "use strict";
  var form = document.querySelector("form.expert-picker");
  if (!form) { return; }
  var input = form.querySelector("input[name=expert]");
  var hidden = form.querySelector("input[type=hidden][name=talent_id]");
  var list = form.querySelector(".expert-suggestions");
  var url = form.getAttribute("data-lookup");
  var timer = null;
  var asked = "";

  function clear() {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    list.hidden = true;
  }

  function show(experts) {
    clear();
    experts.forEach(function (e) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = e.name + (e.organization ? " · " + e.organization : "");
      li.appendChild(button);
      if (e.problems.length) {
        var why = document.createElement("span");
        why.className = "badge badge-warn";
        why.textContent = e.problems.join("；");
        li.appendChild(why);
        button.disabled = true;
      }
      button.addEventListener("click", function () {
        input.value = e.name;
        if (hidden) { hidden.value = e.talent_id; }
        clear();
        input.focus();
      });
      list.appendChild(li);
    });
    list.hidden = experts.length === 0;
  }

  function lookup() {
    var q = input.value.trim();
    if (q === asked) { return; }
    asked = q;
    if (!q) { clear(); return; }
    fetch(url + "?q=" + encodeURIComponent(q), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {experts: []}; })
      .then(function (data) { if (input.value.trim() === q) { show(data.experts || []); } })
      .catch(clear);
  }

  input.removeAttribute("list");  // the suggestion list below replaces the browser's datalist
  input.addEventListener("input", function () {
    if (hidden) { hidden.value = ""; }  // a changed name is no longer the picked expert
    clearTimeout(timer);
    timer = setTimeout(lookup, 200);
  });
})();
