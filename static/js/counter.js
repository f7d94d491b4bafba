// Counter pages: the customer search of every counter form, and the scan
// list of the sale page. The server checks everything again when the form is
// saved; this script only fills the form and reports problems early. Without
// JavaScript the "Find" button searches customers on the server.
(function () {
  "use strict";

  const SEARCH_DELAY_MS = 250;
  const THOUSANDS_GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      });
  }

  // --- Customer search --------------------------------------------------------

  function setUpCustomerSearch(fieldset) {
    const url = fieldset.dataset.lookupUrl;
    const input = fieldset.querySelector("input[name$='customer_q']");
    const select = fieldset.querySelector("select[name$='customer']");
    const findButton = fieldset.querySelector(".customer-find");
    const feedback = fieldset.querySelector(".customer-feedback");
    if (!input || !select) {
      return;
    }
    let timer = null;
    let latest = 0;

    function fill(customers) {
      const chosen = select.value;
      const chosenOption = chosen ? select.querySelector("option[value='" + CSS.escape(chosen) + "']") : null;
      const keep = chosenOption ? chosenOption.cloneNode(true) : null;
      select.replaceChildren();
      const blank = document.createElement("option");
      blank.value = "";
      blank.textContent = "Choose a customer";
      select.appendChild(blank);
      if (keep && !customers.some(function (c) { return String(c.id) === chosen; })) {
        select.appendChild(keep);
      }
      customers.forEach(function (customer) {
        const option = document.createElement("option");
        option.value = String(customer.id);
        option.textContent = customer.label;
        select.appendChild(option);
      });
      select.value = chosen;
      // One match is chosen at once; several wait for the user.
      if (customers.length === 1 && !chosen) {
        select.value = String(customers[0].id);
      }
      feedback.textContent = customers.length === 0
        ? "No customer matches \u201c" + input.value.trim() + "\u201d. Enter a new customer below."
        : customers.length + (customers.length === 1 ? " customer found." : " customers found.");
    }

    function search() {
      const request = ++latest;
      getJson(url + "?" + new URLSearchParams({ customer: input.value.trim() }))
        .then(function (result) {
          if (request === latest && result.ok) {
            fill(result.body);
          }
        })
        .catch(function () {
          feedback.textContent = "The customer search failed. Press Find again.";
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, SEARCH_DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        clearTimeout(timer);
        search();
      }
    });
    if (findButton) {
      findButton.addEventListener("click", function (event) {
        event.preventDefault();
        clearTimeout(timer);
        search();
      });
    }
  }

  document.querySelectorAll("fieldset.customer-pick").forEach(setUpCustomerSearch);

  // --- Sale page: scanning units into lines -----------------------------------

  const form = document.getElementById("sale-form");
  if (!form) {
    return;
  }
  const lookupUrl = form.dataset.lookupUrl;
  const scanInput = document.getElementById("scan-serial");
  const feedback = document.getElementById("scan-feedback");
  const choices = document.getElementById("scan-choices");
  const body = document.querySelector("#sale-lines tbody");
  const countNode = document.getElementById("line-count");
  const totalNode = document.getElementById("sale-total");
  const saveButton = document.getElementById("sale-save");

  function say(message, isProblem) {
    feedback.textContent = message;
    feedback.classList.toggle("problem", Boolean(isProblem));
  }

  function rows() {
    return Array.from(body.querySelectorAll("tr"));
  }

  function rowFor(unitId) {
    return rows().find(function (row) {
      return row.dataset.unitId === String(unitId);
    });
  }

  function refresh() {
    let total = 0;
    let readable = true;
    rows().forEach(function (row) {
      let text = row.querySelector("input.price").value.trim();
      // Commas count only as thousands separators, as in units.sales.clean_price.
      if (text.indexOf(",") >= 0) {
        text = THOUSANDS_GROUPED.test(text) ? text.replace(/,/g, "") : "";
      }
      const value = Number(text);
      if (text === "" || !Number.isFinite(value)) {
        readable = false;
      } else {
        total += value;
      }
    });
    const count = rows().length;
    countNode.textContent = String(count);
    // The total is a preview; the server rounds each price to cents.
    totalNode.textContent = readable && count ? total.toFixed(2) : "";
  }

  function cell(content, className) {
    const td = document.createElement("td");
    if (className) {
      td.className = className;
    }
    if (typeof content === "string") {
      td.textContent = content;
    } else if (content) {
      td.append(content);
    }
    return td;
  }

  function addLine(match) {
    const row = document.createElement("tr");
    row.dataset.unitId = String(match.id);
    row.dataset.serial = match.serial;
    const serial = cell(match.serial, "serial");
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "line_unit";
    hidden.value = String(match.id);
    serial.append(hidden);
    const price = document.createElement("input");
    price.className = "price";
    price.type = "text";
    price.inputMode = "decimal";
    price.name = "line_price";
    price.value = match.list_price || "";
    price.setAttribute("aria-label", "Price of " + match.serial);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link remove";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", "Remove " + match.serial);
    row.append(
      serial,
      cell(match.product + " (" + match.model_number + ")"),
      cell(match.condition_label),
      cell(price, "num"),
      cell(remove)
    );
    body.appendChild(row);
    refresh();
    row.scrollIntoView({ block: "nearest" });
    say("Added " + match.serial + " (" + match.product + ")." +
      (match.list_price ? "" : " It has no list price; enter the price."), !match.list_price);
  }

  function flagDuplicate(row) {
    rows().forEach(function (other) {
      other.classList.remove("duplicate");
    });
    row.classList.add("duplicate");
    say("Unit " + row.dataset.serial + " is already in this sale (line " +
      (rows().indexOf(row) + 1) + "). It was not added again.", true);
  }

  function take(match) {
    choices.hidden = true;
    choices.replaceChildren();
    const existing = rowFor(match.id);
    if (existing) {
      flagDuplicate(existing);
    } else if (!match.sellable) {
      say(match.refusal, true);
    } else {
      addLine(match);
    }
    scanInput.focus();
  }

  function offerChoice(serial, matches) {
    choices.replaceChildren();
    const label = document.createElement("p");
    label.textContent = "Serial " + serial + " exists on " + matches.length +
      " products. Choose the product on the unit's label:";
    choices.appendChild(label);
    matches.forEach(function (match) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = match.product + " (" + match.model_number + ") \u00b7 " + match.status_label;
      button.addEventListener("click", function () {
        take(match);
      });
      choices.appendChild(button);
    });
    choices.hidden = false;
    say("Choose which " + serial + " to add.", false);
  }

  function scan() {
    const serial = scanInput.value.trim();
    scanInput.value = "";
    scanInput.focus();
    if (!serial) {
      return;
    }
    getJson(lookupUrl + "?" + new URLSearchParams({ q: serial }))
      .then(function (result) {
        if (!result.ok) {
          say(result.body.error || "Serial " + serial + " could not be looked up.", true);
          return;
        }
        const matches = result.body;
        if (matches.length === 0) {
          say("Serial " + serial + " was not found. Check the label, or receive the unit first.", true);
        } else if (matches.length === 1) {
          take(matches[0]);
        } else {
          offerChoice(serial, matches);
        }
      })
      .catch(function () {
        say("The lookup of " + serial + " failed. Scan it again.", true);
      });
  }

  scanInput.addEventListener("keydown", function (event) {
    // Scanners end a read with Enter; here Enter adds a unit and never saves the sale.
    if (event.key === "Enter") {
      event.preventDefault();
      scan();
    }
  });

  body.addEventListener("click", function (event) {
    const button = event.target.closest("button.remove");
    if (!button) {
      return;
    }
    const row = button.closest("tr");
    row.remove();
    refresh();
    say(row.dataset.serial + " removed from the sale.", false);
    scanInput.focus();
  });
  body.addEventListener("input", refresh);
  body.addEventListener("keydown", function (event) {
    // Enter in a price field goes back to scanning instead of saving half a sale.
    if (event.key === "Enter" && event.target.matches("input.price")) {
      event.preventDefault();
      scanInput.focus();
    }
  });

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "find_customer") {
      return;
    }
    if (saveButton.disabled) {
      event.preventDefault();
      return;
    }
    // A serial typed but not yet entered would be lost, so it is added to
    // the list instead of saving, and the user checks the list and saves again.
    if (scanInput.value.trim() !== "") {
      event.preventDefault();
      scan();
      return;
    }
    // The submission token already makes a second submit return the first
    // sale; disabling the button also spares the second request.
    saveButton.disabled = true;
    saveButton.textContent = "Saving\u2026";
  });

  // A page shown again from the browser's history must be usable.
  window.addEventListener("pageshow", function () {
    saveButton.disabled = false;
    saveButton.textContent = "Save sale";
  });

  refresh();
  scanInput.focus();
})();
