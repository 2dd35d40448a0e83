(function () {
  "use strict";
  // Filters are an extra: without JavaScript the form stays hidden and every pin shows.
  var form = document.querySelector("form.filters");
  if (!form) {
    return;
  }
  var post = document.getElementById("filter-post");
  var status = document.getElementById("filter-status");
  var count = document.getElementById("filter-count");

  function matches(pin) {
    var okPost = !post.value || pin.dataset.post === post.value;
    var want = status.value;
    var okStatus =
      !want ||
      pin.dataset.status === want ||
      (want === "overdue" && pin.dataset.overdue === "true");
    return okPost && okStatus;
  }

  function apply() {
    var shown = 0;
    document.querySelectorAll("section.day").forEach(function (day) {
      var any = false;
      day.querySelectorAll("li.pin").forEach(function (pin) {
        var ok = matches(pin);
        pin.hidden = !ok;
        if (ok) {
          any = true;
          shown += 1;
        }
      });
      day.hidden = !any;
    });
    count.textContent = shown + (shown === 1 ? " pin" : " pins") + " shown";
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  form.hidden = false;
  apply();
})();
