// Behaviour every page shares, as data attributes instead of inline handlers
// (the Content-Security-Policy allows no inline script):
//   <form data-confirm="Question?">  asks before submitting;
//   <select data-autosubmit>         submits its form when changed;
//   <form data-live-filter>          a list's live filter (templates/includes/live_filter.html,
//                                    crm/lists.py) asks for, and so puts in the address bar,
//                                    only the fields that have a value.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field instanceof HTMLElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.requestSubmit();
    }
  });
  document.addEventListener("htmx:configRequest", function (event) {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-live-filter")) {
      return;
    }
    const data = event.detail.formData;
    for (const name of Array.from(new Set(data.keys()))) {
      const values = data.getAll(name).filter(function (value) { return value !== ""; });
      data.delete(name);
      values.forEach(function (value) { data.append(name, value); });
    }
  });
})();
