// Heading autocomplete from two characters, and confirmation of irreversible actions.
(function () {
  const list = document.getElementById("heading-options");
  let timer = null;
  document.querySelectorAll(".heading-input").forEach(function (input) {
    input.addEventListener("input", function () {
      const term = input.value.trim();
      if (term.length < 2 || !list) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch("/rex/positions-tarifaires?q=" + encodeURIComponent(term), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            list.replaceChildren();
            items.forEach(function (item) {
              const option = document.createElement("option");
              option.value = item.code + " - " + item.label;
              list.appendChild(option);
            });
          });
      }, 150);
    });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });
})();
// A refused form: the summary of its errors is read first (keyboard and screen reader users land on it).
(function () {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
