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
  // "Select all" ticks (or clears) every shown checkbox of a list; it follows the list when ticked one by one.
  document.querySelectorAll("[data-check-all]").forEach((all) => {
    const list = document.getElementById(all.dataset.checkAll);
    if (!list) return;
    const boxes = () => Array.from(list.querySelectorAll("input[type=checkbox]"));
    const follow = () => { all.checked = boxes().every((box) => box.checked); };
    all.addEventListener("change", () => {
      boxes().forEach((box) => { if (!box.closest("[hidden]")) box.checked = all.checked; });
    });
    list.addEventListener("change", follow);
    follow();
    const wrapper = all.closest("[hidden]");
    if (wrapper) wrapper.hidden = false;  // shown only where it works
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
  // Dates as people write them (dd/mm/yyyy), with a calendar; typing stays possible ("31/3/2024").
  if (window.flatpickr) {
    document.querySelectorAll("input[data-datepicker]").forEach((input) => {
      window.flatpickr(input, {
        locale: window.flatpickr.l10ns.vn || "default",
        dateFormat: "d/m/Y",
        allowInput: true,
        disableMobile: true,  // the phone's own picker would show the phone's language and format
        parseDate: (text) => {
          const parts = text.trim().split(/[/.-]/).map(Number);
          if (parts.length !== 3 || parts.some(Number.isNaN)) return undefined;
          const [a, b, c] = parts;
          // dd/mm/yyyy as typed; yyyy-mm-dd as older links and scripts send it.
          return a > 31 ? new Date(a, b - 1, c) : new Date(c, b - 1, a);
        },
      });
    });
  }
  // Submit a filter form as soon as one of its selects or dates changes.
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.querySelectorAll("select, input[data-datepicker]").forEach((el) => {
      el.addEventListener("change", () => form.requestSubmit());
    });
  });
});
