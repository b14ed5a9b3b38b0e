// Entry without a connection, the page's side (the service worker is /sw.js, see
// chuyende/core/offline.py). Texts come from the page (includes/offline.html), translated by Django.
(() => {
  const ui = document.getElementById("offline-ui");
  if (!ui || !("serviceWorker" in navigator) || !window.workbox) return;
  const USER_KEY = "chuyende.offline.user";
  const texts = ui.dataset;
  if (texts.user) localStorage.setItem(USER_KEY, texts.user);
  // The shell pages are rendered for nobody: they act for the last person logged in on this phone.
  const user = texts.user || localStorage.getItem(USER_KEY) || "";
  const copy = document.body.hasAttribute("data-offline-copy");
  const wb = new window.workbox.Workbox(texts.worker, { scope: "/" });

  const ask = async (message) => {
    try {
      return await wb.messageSW({ ...message, user });
    } catch (error) {
      return null;
    }
  };

  function banner(text, kind) {
    const main = document.querySelector("main");
    if (!main) return null;
    const note = document.createElement("div");
    note.className = `notice ${kind}`;
    note.setAttribute("role", "status");
    const p = document.createElement("p");
    p.textContent = text;
    note.append(p);
    main.prepend(note);
    return note;
  }

  function showCount(pending) {
    document.querySelectorAll("[data-unsent-link]").forEach((link) => {
      link.hidden = !pending;
      link.querySelector("[data-unsent-count]").textContent = pending ? `(${pending})` : "";
    });
  }

  function newKey() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // What the list of entries not sent shows of one: the first fields filled in, and ticks counted.
  function summaryOf(form) {
    const parts = [];
    let ticked = 0;
    Array.from(form.elements).forEach((field) => {
      if (field.type === "checkbox") {
        if (field.checked && !/DELETE$/.test(field.name)) ticked += 1;
        return;
      }
      if (!field.name || ["hidden", "submit", "button", "search", "radio"].includes(field.type) || !field.value) return;
      const label = field.labels && field.labels[0] ? field.labels[0].textContent.replace("*", "").trim() : field.name;
      const value = field.tagName === "SELECT" ? field.options[field.selectedIndex].text : field.value;
      if (parts.length < 6) parts.push(`${label}: ${value}`);
    });
    if (ticked) parts.push(`${texts.ticked}: ${ticked}`);
    return parts.join(" · ").slice(0, 300);
  }

  function prepare(form) {
    const keyField = form.querySelector("input[name=submission_key]");
    // A kept copy (or a page brought back by "Back") carries a key already used: a new entry, a new key.
    if (keyField && copy) keyField.value = newKey();
    window.addEventListener("pageshow", (event) => {
      if (event.persisted && keyField) keyField.value = newKey();
    });
    form.addEventListener("submit", () => {
      let marker = form.querySelector("input[name=offline_entry]");
      if (!marker) {
        marker = document.createElement("input");
        marker.type = "hidden";
        marker.name = "offline_entry";
        form.append(marker);
      }
      const heading = document.querySelector("main h1");
      const label = form.dataset.offline || (heading ? heading.textContent.trim() : document.title);
      marker.value = JSON.stringify({ label, summary: summaryOf(form), user });
    });
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return copy || !field ? "" : field.value;  // a kept copy's token may be an old one
  }

  let listPage = null;
  async function replay(retry) {
    const reply = await ask({ type: "REPLAY", csrf: csrfToken(), retry: retry || "" });
    if (!reply) return;
    showCount(reply.pending);
    if (reply.sent && reply.sent.length && !listPage) {
      const note = banner(texts.sent, "ok");
      const list = document.createElement("ul");
      reply.sent.forEach((info) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = info.url;
        link.textContent = info.label;
        item.append(link);
        list.append(item);
      });
      note.append(list);
    }
    if (listPage) listPage.render();
  }

  const when = (time) => {
    const d = new Date(time);
    const two = (n) => String(n).padStart(2, "0");
    return `${two(d.getDate())}/${two(d.getMonth() + 1)}/${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}`;
  };

  // The page of the entries not sent (offline/unsent.html): filled in from the service worker.
  function unsentList() {
    const words = document.querySelector("[data-unsent-texts]").dataset;
    const template = document.querySelector("[data-entry-template]");
    const pendingList = document.querySelector("[data-pending-list]");
    const sentList = document.querySelector("[data-sent-list]");
    const sendNow = document.querySelector("[data-send-now]");
    const saved = document.querySelector("[data-saved-notice]");
    if (window.location.hash === `#${saved.dataset.savedNotice}`) saved.hidden = false;
    function item(info, sent) {
      const node = template.content.firstElementChild.cloneNode(true);
      const set = (name, text) => { node.querySelector(`[data-${name}]`).textContent = text; };
      set("label", info.label);
      set("summary", info.summary);
      set("state", sent ? words.sent : (info.refused ? words.refused : words.notSent));
      node.querySelector("[data-state]").classList.add(sent ? "ok" : "warn");
      set("when-label", sent ? words.sentAt : words.keptAt);
      set("when", when(sent ? info.sentAt : info.keptAt));
      if (info.refused) {
        const message = node.querySelector("[data-message]");
        message.textContent = info.refused.message;
        message.hidden = false;
      }
      if (sent) {
        node.querySelector("[data-open]").hidden = false;
        node.querySelector("[data-open-link]").href = info.url;
      } else if (info.refused) {
        node.querySelector("[data-entry-actions]").hidden = false;
        node.querySelector("[data-retry]").addEventListener("click", () => replay(info.id));
        node.querySelector("[data-discard]").addEventListener("click", async () => {
          if (!window.confirm(words.confirmDiscard)) return;
          const reply = await ask({ type: "DISCARD", id: info.id });
          if (reply) showCount(reply.pending);
          render();
        });
      }
      return node;
    }
    async function render() {
      const reply = await ask({ type: "LIST" });
      if (!reply) return;
      pendingList.replaceChildren(...reply.pending.map((info) => item(info, false)));
      sentList.replaceChildren(...reply.sent.map((info) => item(info, true)));
      document.querySelector("[data-pending-empty]").hidden = reply.pending.length > 0;
      document.querySelector("[data-sent-section]").hidden = reply.sent.length === 0;
      sendNow.hidden = !reply.pending.some((info) => !info.refused);
      showCount(reply.pending.length);
    }
    sendNow.addEventListener("click", () => replay());
    render();
    return { render };
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (copy) banner(texts.copy, "warn");
    document.querySelectorAll("form[data-offline]").forEach(prepare);
    document.querySelectorAll("[data-reload]").forEach((button) => {
      button.addEventListener("click", () => window.location.reload());
    });
    if (document.querySelector("[data-pending-list]")) listPage = unsentList();
    wb.addEventListener("message", (event) => {
      const type = event.data && event.data.type;
      if (type === "REPLAY_WANTED") replay();
      else if (type === "STATUS") ask({ type: "STATUS" }).then((reply) => reply && showCount(reply.pending));
    });
    wb.register().then(() => replay());
    window.addEventListener("online", () => replay());
  });
})();
