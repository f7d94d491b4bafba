// Service pages: a barcode scanner ends each read with Enter. In a serial
// field that Enter moves on to the next field instead of submitting a form
// that is not filled in yet. Without JavaScript, Enter submits and the server
// reports the missing fields.
(function () {
  "use strict";

  document.querySelectorAll("input[data-scan-next]").forEach(function (input) {
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") {
        return;
      }
      event.preventDefault();
      input.value = input.value.trim();
      const next = document.getElementById(input.dataset.scanNext);
      if (next) {
        next.focus();
      }
    });
  });
})();
