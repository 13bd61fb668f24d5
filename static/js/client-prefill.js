// Section 2 of the REX form: picking the company (a representative's client) copies its data at once, as the
// guide describes; the address the company record holds stays read-only (only the PAE changes it).
(function () {
  const select = document.getElementById("company_id");
  if (!select || !select.dataset.clients) return;
  const clients = JSON.parse(select.dataset.clients);
  const held = ["address", "postcode", "city", "country"];
  const button = document.getElementById("client-prefill");
  if (button) button.hidden = true;  // the button is for browsers without JavaScript
  select.addEventListener("change", function () {
    const data = clients[select.value];
    if (!data) return;
    Object.keys(data).forEach(function (name) {
      const input = document.getElementById("exporter_" + name);
      if (!input) return;
      const isHeld = held.indexOf(name) >= 0 && data[name] !== "";
      if (data[name] !== "" || isHeld) input.value = data[name];
      if (name === "country") {
        input.disabled = isHeld;
        const hidden = document.querySelector("input[data-held-country]");
        if (hidden) { hidden.value = data[name]; hidden.disabled = !isHeld; }
      } else if (held.indexOf(name) >= 0) {
        input.readOnly = isHeld;
      }
    });
  });
})();
