// Saves a checklist item without reloading the page (the form still works without this).
// Only answers go through here; a form with files chosen is submitted as usual.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var page = document.getElementById("checklist");
  if (!meta || !page || !window.fetch) { return; }
  var words = page.dataset;

  function setProgress(delta) {
    if (!delta) { return; }
    document.querySelectorAll("[data-answered]").forEach(function (el) {
      var answered = parseInt(el.dataset.answered, 10) + delta;
      el.dataset.answered = String(answered);
      el.textContent = answered + "/" + el.dataset.total;
    });
    document.querySelectorAll("progress[data-progress]").forEach(function (bar) {
      bar.value = Math.max(0, bar.value + delta);
    });
  }

  function showNote(form, text, isError) {
    var note = form.querySelector(".saved-note");
    if (note) {
      note.textContent = text;
      note.classList.toggle("error", Boolean(isError));
    }
  }

  function showNewer(form, body, typed) {
    var box = form.querySelector(".js-stale");
    if (!box) { return; }
    box.hidden = false;
    box.textContent = "";
    var message = document.createElement("p");
    message.textContent = body.detail;
    box.appendChild(message);
    if (typed.evidence || typed.result) {
      var label = document.createElement("p");
      label.textContent = words.yourAnswer + " " + (typed.result ? (words["r_" + typed.result] || typed.result) : "");
      box.appendChild(label);
      var pre = document.createElement("pre");
      pre.textContent = typed.evidence;
      box.appendChild(pre);
    }
    form.querySelectorAll('input[name="result"]').forEach(function (radio) {
      radio.checked = radio.value === body.current_result;
    });
    form.querySelector('textarea[name="evidence"]').value = body.current_evidence || "";
    form.querySelector('input[name="version"]').value = String(body.current_version);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("item-form")) { return; }
    var chosenFiles = form.querySelector('input[type="file"]');
    if (chosenFiles && chosenFiles.files && chosenFiles.files.length) { return; }
    if (event.submitter && event.submitter.hasAttribute("formaction")) { return; }
    var checked = form.querySelector('input[name="result"]:checked');
    // A nonconformity raised or withdrawn goes through the page, which asks to confirm.
    if (checked && (checked.value === "minor_nc" || checked.value === "major_nc")) { return; }
    if (form.querySelector('textarea[name="change_reason"]')) { return; }
    event.preventDefault();
    var typed = {
      result: checked ? checked.value : null,
      evidence: form.querySelector('textarea[name="evidence"]').value
    };
    var item = form.closest("li");
    var wasAnswered = item.classList.contains("answered");
    showNote(form, words.saving, false);
    fetch(form.dataset.api, {
      method: "PATCH",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": meta.content
      },
      body: JSON.stringify({
        result: typed.result,
        evidence: typed.evidence,
        version: parseInt(form.querySelector('input[name="version"]').value, 10)
      })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      if (answer.status === 200) {
        form.querySelector('input[name="version"]').value = String(answer.body.version);
        var stale = form.querySelector(".js-stale");
        if (stale) { stale.hidden = true; }
        var answered = Boolean(answer.body.result);
        item.classList.toggle("answered", answered);
        item.classList.toggle("nc", answer.body.result === "minor_nc" || answer.body.result === "major_nc");
        setProgress((answered ? 1 : 0) - (wasAnswered ? 1 : 0));
        var text = words.saved;
        if (answer.body.nonconformity_code) { text += " " + words.raised + " " + answer.body.nonconformity_code; }
        showNote(form, text, false);
        var next = item.nextElementSibling;
        if (next && next.querySelector("input[name=result]")) {
          next.querySelector("input[name=result]").focus({ preventScroll: true });
          next.scrollIntoView({ behavior: "smooth", block: "start" });
        }
      } else if (answer.status === 409 && answer.body.current_version !== undefined) {
        showNewer(form, answer.body, typed);
        showNote(form, words.notSaved, true);
      } else {
        showNote(form, answer.body.detail || words.notSaved, true);
      }
    }).catch(function () {
      showNote(form, words.offline, true);
    });
  });
}());
