// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Filter a long checkbox list (attendees) by the text typed in a search box.
  document.querySelectorAll("[data-filter-target]").forEach((input) => {
    const list = document.getElementById(input.dataset.filterTarget);
    if (!list) return;
    input.addEventListener("input", () => {
      const needle = input.value.trim().toLowerCase();
      list.querySelectorAll("[data-filter-text]").forEach((item) => {
        item.hidden = needle !== "" && !item.dataset.filterText.toLowerCase().includes(needle);
      });
    });
  });
  // A form sent back with errors: the server marks the first bad field autofocus; when only the
  // form as a whole is wrong, bring its error summary into view and read it out instead.
  const summary = document.getElementById("error-summary");
  if (summary && !document.querySelector("[autofocus]")) summary.focus();
  // One press of "Save" sends the form once (the server also ignores a second sending of it).
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit]").forEach((button) => {
        setTimeout(() => { button.disabled = true; }, 0);
        setTimeout(() => { button.disabled = false; }, 8000);  // never locked for good
      });
    });
  });
  // Submit a filter form as soon as one of its selects or dates changes.
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.querySelectorAll("select, input[type=date]").forEach((el) => {
      el.addEventListener("change", () => form.requestSubmit());
    });
  });
});
