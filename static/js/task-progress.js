// The progress page of a background task (templates/admin/task.html): polls its state every second and
// updates the figures without a reload; once the task has finished, reloads once to show its result.
(function () {
  "use strict";
  var box = document.getElementById("task-progress");
  if (!box || box.getAttribute("data-finished") === "1") { return; }
  var url = box.getAttribute("data-state-url");
  function set(selector, value) {
    var node = box.querySelector(selector);
    if (node) { node.textContent = value; }
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        set(".task-done", data.done);
        set(".task-total", data.total);
        set(".task-failed", data.failed);
        set(".task-state", data.state_label);
        var bar = box.querySelector("progress");
        if (bar) { bar.max = data.total || 1; bar.value = data.done + data.failed; }
        if (data.finished) {
          box.querySelector(".task-reload").hidden = false;
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
