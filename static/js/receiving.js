// Receiving page: fills the receipt's serial list from a barcode scanner, a
// pasted list or a numbered range, and flags problems as soon as a serial is
// added. The server checks everything again when the receipt is saved; this
// script only reports early. Without JavaScript the page falls back to a plain
// textarea with one serial per line.
(function () {
  "use strict";

  const form = document.getElementById("receipt-form");
  if (!form) {
    return;
  }

  // The same limits as units.services.serial_range and MAX_SERIALS_PER_RECEIPT.
  const MAX_SERIALS = 10000;
  const MAX_WIDTH = 18;
  // Max requests to the check-serial endpoint at once, so that a pasted list
  // of thousands is checked in the background without flooding the server.
  const MAX_CHECKS_IN_FLIGHT = 4;

  const checkUrl = form.dataset.checkUrl;
  const textarea = document.getElementById("id_serials");
  const scanInput = document.getElementById("scan-serial");
  const listNode = document.getElementById("scan-list");
  const countNode = document.getElementById("scan-count");
  const countLabel = document.getElementById("scan-count-label");
  const problemsNode = document.getElementById("scan-problems");
  const feedback = document.getElementById("scan-feedback");
  const productSelect = document.getElementById("id_product");
  const pasteBox = document.getElementById("paste-box");
  const rangeButton = document.getElementById("range-add");
  const rangePreview = document.getElementById("range-preview");
  const rangeFields = {
    prefix: document.getElementById("id_range_prefix"),
    first: document.getElementById("id_range_first"),
    count: document.getElementById("id_range_count"),
    width: document.getElementById("id_range_width"),
    suffix: document.getElementById("id_range_suffix"),
  };

  /** One serial in the list: {serial, key, node, duplicateOf, exists, error, checkedFor}. */
  const entries = [];
  const checkQueue = [];
  let checksInFlight = 0;

  // String.trim() removes the whitespace a scanner or keyboard sends (space,
  // tab, CR, LF), as str.strip() does in units.serials.normalize_serial.
  function normalise(text) {
    return text.normalize("NFC").trim();
  }

  function keyOf(serial) {
    return serial.toLowerCase();
  }

  function say(message, isProblem) {
    feedback.textContent = message;
    feedback.classList.toggle("problem", Boolean(isProblem));
  }

  function productId() {
    return productSelect ? productSelect.value : "";
  }

  function productLabel() {
    if (!productSelect || productSelect.selectedIndex < 0) {
      return "this product";
    }
    return productSelect.options[productSelect.selectedIndex].text;
  }

  // --- The list ---------------------------------------------------------------

  function buildNode(entry) {
    const item = document.createElement("li");
    const text = document.createElement("span");
    text.className = "serial";
    text.textContent = entry.serial;
    const note = document.createElement("span");
    note.className = "note";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link remove";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", "Remove " + entry.serial);
    remove.addEventListener("click", function () {
      removeEntry(entry);
    });
    item.append(text, note, remove);
    return item;
  }

  function noteFor(entry) {
    if (entry.duplicateOf !== null) {
      return "duplicate of entry " + (entry.duplicateOf + 1);
    }
    if (entry.error) {
      return entry.error;
    }
    if (entry.exists) {
      return "already on file for " + productLabel();
    }
    return "";
  }

  // Recomputes every mark, so removing the first copy of a serial clears the
  // mark on the second one.
  function refresh() {
    const firstIndex = new Map();
    let duplicates = 0;
    let onFile = 0;
    let invalid = 0;
    entries.forEach(function (entry, index) {
      if (firstIndex.has(entry.key)) {
        entry.duplicateOf = firstIndex.get(entry.key);
        duplicates += 1;
      } else {
        firstIndex.set(entry.key, index);
        entry.duplicateOf = null;
      }
      onFile += entry.exists ? 1 : 0;
      invalid += entry.error ? 1 : 0;
      const node = entry.node;
      node.classList.toggle("duplicate", entry.duplicateOf !== null);
      node.classList.toggle("exists", Boolean(entry.exists));
      node.classList.toggle("invalid", Boolean(entry.error));
      const note = noteFor(entry);
      const noteNode = node.querySelector(".note");
      if (noteNode.textContent !== note) {
        noteNode.textContent = note;
      }
    });
    countNode.textContent = String(entries.length);
    countLabel.textContent = entries.length === 1 ? "serial in the list" : "serials in the list";
    const problems = [];
    if (duplicates) {
      problems.push(duplicates + (duplicates === 1 ? " duplicate" : " duplicates"));
    }
    if (onFile) {
      problems.push(onFile + " already on file");
    }
    if (invalid) {
      problems.push(invalid + " invalid");
    }
    problemsNode.textContent = problems.length ? " (" + problems.join(", ") + ")" : "";
    textarea.value = entries.map(function (entry) {
      return entry.serial;
    }).join("\n");
  }

  /** Adds one serial; returns the entry, or null for blank text. */
  function addSerial(raw) {
    const serial = normalise(raw);
    if (!serial) {
      return null;
    }
    const entry = {
      serial: serial,
      key: keyOf(serial),
      node: null,
      duplicateOf: null,
      exists: false,
      error: null,
      checkedFor: null,
    };
    entry.node = buildNode(entry);
    entries.push(entry);
    listNode.appendChild(entry.node);
    queueCheck(entry);
    return entry;
  }

  function removeEntry(entry) {
    const index = entries.indexOf(entry);
    if (index < 0) {
      return;
    }
    entries.splice(index, 1);
    entry.node.remove();
    refresh();
    say(entry.serial + " removed from the list.", false);
    scanInput.focus();
  }

  function reportDuplicate(entry) {
    const first = entries[entry.duplicateOf];
    say(
      "Serial " + entry.serial + " is already in the list as entry " + (entry.duplicateOf + 1) +
        (first.serial === entry.serial ? "" : " (" + first.serial + ")") +
        ". Remove one of them before saving.",
      true
    );
  }

  function scan() {
    const entry = addSerial(scanInput.value);
    scanInput.value = "";
    scanInput.focus();
    if (!entry) {
      return;
    }
    refresh();
    if (entry.duplicateOf !== null) {
      reportDuplicate(entry);
    } else {
      say("Added " + entry.serial + ".", false);
    }
    entry.node.scrollIntoView({ block: "nearest" });
  }

  function addMany(serials, description) {
    const added = serials.map(addSerial).filter(Boolean);
    refresh();
    const duplicates = added.filter(function (entry) {
      return entry.duplicateOf !== null;
    });
    let message = "Added " + added.length + (added.length === 1 ? " serial" : " serials") +
      description + ".";
    if (duplicates.length) {
      message += " Already in the list: " + duplicates.slice(0, 10).map(function (entry) {
        return entry.serial;
      }).join(", ") + (duplicates.length > 10 ? " and " + (duplicates.length - 10) + " more" : "") +
        ". Remove them before saving.";
    }
    say(message, duplicates.length > 0);
    return added;
  }

  // --- Checking serials already on file ---------------------------------------

  function queueCheck(entry) {
    if (!productId()) {
      return;
    }
    checkQueue.push(entry);
    runChecks();
  }

  function runChecks() {
    while (checksInFlight < MAX_CHECKS_IN_FLIGHT && checkQueue.length) {
      const entry = checkQueue.shift();
      if (entries.indexOf(entry) >= 0 && entry.checkedFor !== productId()) {
        checkEntry(entry, productId());
      }
    }
  }

  function checkEntry(entry, product) {
    checksInFlight += 1;
    const url = checkUrl + "?" + new URLSearchParams({ product: product, serial: entry.serial });
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json();
      })
      .then(function (result) {
        // A reply for a product the user has since changed is stale.
        if (product !== productId() || entries.indexOf(entry) < 0) {
          return;
        }
        entry.checkedFor = product;
        entry.exists = Boolean(result.exists);
        entry.error = result.error || null;
        refresh();
        if (entry.error) {
          say(entry.error, true);
        } else if (entry.exists) {
          say("Serial " + entry.serial + " already exists for " + productLabel() +
            ". Remove it from the list, or check the label.", true);
        }
      })
      .catch(function () {
        // The check is advisory; the server checks again on save.
      })
      .finally(function () {
        checksInFlight -= 1;
        runChecks();
      });
  }

  function recheckAll() {
    checkQueue.length = 0;
    entries.forEach(function (entry) {
      entry.exists = false;
      entry.error = null;
      entry.checkedFor = null;
    });
    refresh();
    entries.forEach(queueCheck);
  }

  // --- Pasted lists and ranges --------------------------------------------------

  // The same split as units.services.parse_serial_list: one serial per line or
  // tab-separated cell, blank lines skipped, hyphens kept as part of a serial.
  function parseList(text) {
    return text.split(/[\r\n\t]+/).filter(function (part) {
      return part.trim() !== "";
    });
  }

  function readWholeNumber(field, name, minimum, maximum) {
    const text = field.value.trim();
    if (!/^\d+$/.test(text)) {
      throw new Error(name + " " + (text || "(empty)") + " is not a whole number. Enter digits only.");
    }
    const value = BigInt(text);
    if (value < BigInt(minimum) || value > BigInt(maximum)) {
      throw new Error(name + " is " + text + "; enter " + minimum + " to " + maximum + ".");
    }
    return value;
  }

  /** Returns the serials the range fields describe, or throws an Error with the message. */
  function rangeSerials() {
    const first = readWholeNumber(rangeFields.first, "First number", 0, "999999999999999999");
    const count = Number(readWholeNumber(rangeFields.count, "Count", 1, MAX_SERIALS));
    const width = rangeFields.width.value.trim() === ""
      ? 0
      : Number(readWholeNumber(rangeFields.width, "Width", 0, MAX_WIDTH));
    const last = first + BigInt(count - 1);
    const lastDigits = last.toString().length;
    if (width && lastDigits > width) {
      throw new Error("The range ends at " + last + ", which needs " + lastDigits +
        " digits, but the width is " + width + ". Increase the width or lower the count.");
    }
    const prefix = rangeFields.prefix.value;
    const suffix = rangeFields.suffix.value;
    const serials = [];
    for (let offset = 0; offset < count; offset += 1) {
      serials.push(prefix + (first + BigInt(offset)).toString().padStart(width, "0") + suffix);
    }
    return serials;
  }

  function previewRange() {
    if (!rangeFields.first.value.trim() && !rangeFields.count.value.trim()) {
      rangePreview.textContent = "";
      return;
    }
    try {
      const serials = rangeSerials();
      rangePreview.textContent = serials.length === 1
        ? "Adds " + serials[0] + "."
        : "Adds " + serials[0] + " to " + serials[serials.length - 1] + " (" + serials.length +
          " serials).";
    } catch (error) {
      rangePreview.textContent = error.message;
    }
  }

  function addRange() {
    let serials;
    try {
      serials = rangeSerials();
    } catch (error) {
      say(error.message, true);
      return;
    }
    addMany(serials, " from the range " + serials[0] + " to " + serials[serials.length - 1]);
    // The fields are cleared so that saving does not add the range a second time.
    Object.values(rangeFields).forEach(function (field) {
      field.value = "";
    });
    previewRange();
    scanInput.focus();
  }

  // --- Wiring -------------------------------------------------------------------

  scanInput.addEventListener("keydown", function (event) {
    // Scanners end a read with Enter (some with Tab). Enter must never submit
    // the form from here; Tab after a typed serial adds it and keeps the focus.
    if (event.key === "Enter") {
      event.preventDefault();
      scan();
    } else if (event.key === "Tab" && !event.shiftKey && scanInput.value.trim() !== "") {
      event.preventDefault();
      scan();
    }
  });

  document.getElementById("paste-add").addEventListener("click", function () {
    const serials = parseList(pasteBox.value);
    if (!serials.length) {
      say("The paste box is empty. Paste serials, one per line.", true);
      pasteBox.focus();
      return;
    }
    addMany(serials, " from the pasted list");
    pasteBox.value = "";
    scanInput.focus();
  });

  rangeButton.addEventListener("click", addRange);
  Object.values(rangeFields).forEach(function (field) {
    field.addEventListener("input", previewRange);
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        addRange();
      }
    });
  });

  if (productSelect) {
    productSelect.addEventListener("change", recheckAll);
  }

  form.addEventListener("submit", function () {
    // A serial typed but not yet entered is kept rather than lost.
    if (scanInput.value.trim() !== "") {
      addSerial(scanInput.value);
      scanInput.value = "";
      refresh();
    }
  });

  // Switch from the plain textarea to the scanning list. A list sent back by
  // the server after a rejected save is loaded into the scanning list.
  parseList(textarea.value).forEach(addSerial);
  refresh();
  document.getElementById("serials-plain").hidden = true;
  document.getElementById("scan-ui").hidden = false;
  document.getElementById("range-nojs").hidden = true;
  rangeButton.hidden = false;
  previewRange();
  scanInput.focus();
})();
