// A submit button with data-dialog="<id>" first asks the question of that <dialog> (guide: « Non » / « Oui »);
// « Oui » submits the button's form as if the button had been pressed. Without <dialog> support it submits directly.
(function () {
  document.querySelectorAll("button[data-dialog]").forEach(function (button) {
    const dialog = document.getElementById(button.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") return;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.returnValue = "";
      dialog.showModal();
    });
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "yes") button.form.requestSubmit(button);
    });
  });
})();
