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
  // Submit a filter form as soon as one of its selects or dates changes.
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.querySelectorAll("select, input[type=date]").forEach((el) => {
      el.addEventListener("change", () => form.requestSubmit());
    });
  });
});
