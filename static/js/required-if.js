/* Required-ness that follows an earlier answer, live (the disclosure once the audience includes clients or
 * therapists). The server renders the same label from the same rule (assessments/presenters/answers.py,
 * required_if_rules); this only keeps it true while answers change, without a reload. */
(function () {
  "use strict";

  function checkedValues(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (control) {
      if ((control.type === "checkbox" || control.type === "radio") && !control.checked) return;
      if (!control.disabled) values.push(control.value);
    });
    return values;
  }

  function applyRequiredIf(form) {
    form.querySelectorAll("[data-required-if-field]").forEach(function (holder) {
      var wanted = (holder.getAttribute("data-required-if-any") || "").split(" ");
      var given = checkedValues(form, holder.getAttribute("data-required-if-field"));
      var required = given.some(function (value) { return wanted.indexOf(value) !== -1; });
      holder.querySelectorAll("[data-required-label]").forEach(function (label) {
        label.textContent = required ? "(required)" : "(optional)";
        label.className = required ? "req" : "opt";
      });
      holder.querySelectorAll("input:not([type=radio]):not([type=checkbox]), textarea").forEach(function (control) {
        if (required) control.setAttribute("aria-required", "true");
        else control.removeAttribute("aria-required");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-questionnaire]");
    if (!form) return;
    form.addEventListener("change", function () { applyRequiredIf(form); });
    applyRequiredIf(form);
  });
})();
