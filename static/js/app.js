/* Progressive enhancements; every page works without them.
 * 1. show_if: questions appear and disappear as answers change (the server applies the same rules on save).
 * 2. Approval conditions: extra rows stay folded until asked for.
 * 3. An error summary takes focus, so keyboard and screen-reader users land on it.
 * 4. Exclusive choices ("Internal staff only"): ticking one clears and disables the others (the server refuses
 *    the combination too, naming the question).
 * 5. A link to a folded action (the phone's action bar) unfolds it and moves focus into it.
 * 6. htmx forms marked data-swap-errors (the bias mitigation notes) show the server's 4xx answer, which names
 *    what is wrong, in place of the form, instead of htmx's default of ignoring it.
 * 7. A link to a question of the form (the error summary, the blockers, the hard stops, what changed meanwhile)
 *    shows the question's text and focuses its control: alone, the browser puts a linked control at the top
 *    edge with its question out of sight above, and a link to the question focuses nothing. */
(function () {
  "use strict";

  function fieldValue(form, name) {
    var controls = form.querySelectorAll('[name="' + name + '"]');
    var values = [];
    var single = null;
    controls.forEach(function (control) {
      if (control.type === "checkbox") {
        if (control.checked) values.push(control.value);
      } else if (control.type === "radio") {
        if (control.checked) single = control.value;
      } else {
        single = control.value;
      }
    });
    if (controls.length && controls[0].type === "checkbox") return values;
    return single;
  }

  function applyShowIf(form, rules) {
    var cache = {};
    function visible(name) {
      if (name in cache) return cache[name];
      var rule = rules[name];
      var result = true;
      if (rule) {
        var holder = form.querySelector('[data-question="' + rule.field + '"]');
        var value = fieldValue(form, rule.field);
        if (holder && !visible(rule.field)) result = false;
        else if (value === null || value === "") result = false;
        else if ("equals" in rule) result = value === rule.equals;
        else if ("includes" in rule) result = Array.isArray(value) && value.indexOf(rule.includes) !== -1;
        else result = rule["in"].indexOf(value) !== -1;
      }
      cache[name] = result;
      return result;
    }
    form.querySelectorAll("[data-question]").forEach(function (holder) {
      var name = holder.getAttribute("data-question");
      if (!(name in rules)) return;
      var show = visible(name);
      holder.hidden = !show;
      holder.querySelectorAll("input, select, textarea").forEach(function (control) {
        control.disabled = !show;
      });
    });
    form.querySelectorAll("[data-exclusive]").forEach(applyExclusive);
  }

  function setUpQuestionnaire() {
    var form = document.querySelector("form[data-questionnaire]");
    var script = document.getElementById("show-if-rules");
    if (!form || !script) return;
    var rules = JSON.parse(script.textContent);
    // Capture phase: visibility is settled before htmx reads the form for the live panel.
    form.addEventListener("change", function () { applyShowIf(form, rules); }, true);
    applyShowIf(form, rules);
  }

  function setUpConditionRows() {
    document.querySelectorAll("[data-condition-rows]").forEach(function (group) {
      var rows = Array.prototype.slice.call(group.querySelectorAll("[data-condition-row]"));
      var button = group.querySelector("[data-add-condition]");
      if (!button) return;
      rows.forEach(function (row, index) {
        var filled = Array.prototype.some.call(row.querySelectorAll("input, textarea"), function (c) {
          return c.value && c.type !== "hidden";
        });
        if (index > 0 && !filled && !row.querySelector(".field-error")) row.hidden = true;
      });
      function refresh() {
        button.hidden = !rows.some(function (row) { return row.hidden; });
      }
      button.hidden = false;
      refresh();
      button.addEventListener("click", function () {
        var next = rows.find(function (row) { return row.hidden; });
        if (next) {
          next.hidden = false;
          var first = next.querySelector("textarea, input");
          if (first) first.focus();
        }
        refresh();
      });
    });
  }

  function applyExclusive(holder) {
    var exclusive = (holder.getAttribute("data-exclusive") || "").split(" ");
    var boxes = holder.querySelectorAll('input[type="checkbox"]');
    var alone = Array.prototype.some.call(boxes, function (box) {
      return box.checked && exclusive.indexOf(box.value) !== -1;
    });
    boxes.forEach(function (box) {
      if (exclusive.indexOf(box.value) !== -1) return;
      if (alone) box.checked = false;
      // A hidden question's controls are disabled by show_if; leave those alone.
      if (!holder.hidden) box.disabled = alone;
    });
  }

  function setUpExclusiveChoices() {
    document.querySelectorAll("[data-exclusive]").forEach(function (holder) {
      // Capture phase: the other boxes are cleared before htmx reads the form for the live panel.
      holder.addEventListener("change", function () { applyExclusive(holder); }, true);
      applyExclusive(holder);
    });
  }

  function openTargetedAction(id) {
    var target = id && document.getElementById(id);
    if (!target || target.tagName !== "DETAILS") return;
    target.open = true;
    var first = target.querySelector("textarea, input:not([type=hidden]), button");
    if (first) first.focus({ preventScroll: true });
  }

  function setUpActionLinks() {
    document.querySelectorAll("a[data-open-details]").forEach(function (link) {
      link.addEventListener("click", function () {
        openTargetedAction(link.getAttribute("href").slice(1));
      });
    });
    if (location.hash) openTargetedAction(location.hash.slice(1));
  }

  var CONTROL = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";

  function questionTarget(form, id) {
    var target = id && document.getElementById(id);
    if (!target || !form.contains(target)) return null;
    var holder = target.closest(".question");
    if (!holder || holder.hidden || (target !== holder && !target.matches(CONTROL))) return null;
    var control = target === holder ? holder.querySelector(CONTROL) : target;
    return control ? { holder: holder, control: control } : null;
  }

  function setUpQuestionLinks() {
    var form = document.querySelector("form[data-questionnaire]");
    if (!form) return;
    // Delegated: the live panel's links are swapped in by htmx after the page loads.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest('a[href^="#"]');
      if (!link) return;
      var found = questionTarget(form, decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!found) return;
      event.preventDefault();
      found.holder.scrollIntoView({ block: "start" });
      found.control.focus({ preventScroll: true });
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary[tabindex]");
    if (summary) summary.focus();
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500 && event.detail.elt.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    setUpQuestionnaire();
    setUpConditionRows();
    setUpExclusiveChoices();
    setUpActionLinks();
    setUpQuestionLinks();
    focusErrorSummary();
  });
})();
