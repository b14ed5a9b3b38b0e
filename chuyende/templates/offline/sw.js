/* The service worker of chuyende, rendered by chuyende/core/offline.py (read its docstring first).
   Workbox from this site's static files only; debug off, so the .prod.js modules are loaded. */
importScripts("{{ workbox_sw }}");
workbox.setConfig({ modulePathPrefix: "{{ workbox_prefix }}", debug: false });

const CONFIG = {{ config }};
const LOG_CACHE = "chuyende-offline-log";
const LOG_URL = CONFIG.unsentUrl + "log.json";
const KEPT_SENT = 20;

workbox.core.setCacheNameDetails({ prefix: "chuyende" });
self.skipWaiting();
workbox.core.clientsClaim();

// The modules are loaded now: a service worker may not import scripts after its installation.
const { precacheAndRoute, cleanupOutdatedCaches, getCacheKeyForURL } = workbox.precaching;
const { registerRoute, setCatchHandler } = workbox.routing;
const { NetworkFirst, StaleWhileRevalidate } = workbox.strategies;
const { ExpirationPlugin } = workbox.expiration;
const { Queue } = workbox.backgroundSync;

// The two shell pages, as installed with this worker. The server's "Vary: Cookie" is ignored: the
// pages are the same for everyone, and a new login must not make them miss.
async function shellPage(path) {
  const key = getCacheKeyForURL(path);
  return key ? caches.match(key, { ignoreVary: true }) : undefined;
}
registerRoute(({ url, request }) => request.mode === "navigate" && sameSite(url)
    && [CONFIG.unsentUrl, CONFIG.offlineUrl].includes(url.pathname),
  async ({ url }) => (await shellPage(url.pathname)) || fetch(url.href));
precacheAndRoute(CONFIG.precache);
cleanupOutdatedCaches();

const sameSite = (url) => url.origin === self.location.origin;
const passesThrough = (url) => CONFIG.passThrough.some((prefix) => url.pathname.startsWith(prefix));

async function offlineResponse() {
  const kept = await shellPage(CONFIG.offlineUrl);
  return kept || new Response("<!DOCTYPE html><meta charset=utf-8><h1>" + CONFIG.text.offline + "</h1>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// Static files not in the shell (page scripts, charts): the kept copy at once, refreshed behind.
registerRoute(({ url, request }) => sameSite(url) && request.method === "GET" && url.pathname.startsWith("/static/"),
  new StaleWhileRevalidate({ cacheName: "chuyende-static",
    plugins: [new ExpirationPlugin({ maxEntries: 60, maxAgeSeconds: 30 * 24 * 3600 })] }));

// Pages: always from the network; kept only when they hold a form marked data-offline, so that the
// form opens without a connection. A kept copy is marked, and offline.js says it is one.
const keepOfflineForms = {
  cacheWillUpdate: async ({ response }) => {
    if (!response || response.status !== 200 || response.type !== "basic") return null;
    if (!(response.headers.get("Content-Type") || "").startsWith("text/html")) return null;
    const html = await response.clone().text();
    return /<form\b[^>]*\sdata-offline\b/.test(html) ? response : null;
  },
  cachedResponseWillBeUsed: async ({ cachedResponse }) => {
    if (!cachedResponse) return cachedResponse;
    const html = (await cachedResponse.text())
      .replace(/<ul class="messages">[\s\S]*?<\/ul>/, "")  // what the server said then is not news now
      .replace(/<body\b/, "<body data-offline-copy");
    return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
  },
};
const pages = new NetworkFirst({ cacheName: CONFIG.pagesCache, networkTimeoutSeconds: 10, plugins: [
  keepOfflineForms, new ExpirationPlugin({ maxEntries: 20, maxAgeSeconds: 7 * 24 * 3600 }),
] });
registerRoute(({ url, request }) => request.mode === "navigate" && sameSite(url) && !passesThrough(url),
  pages);
setCatchHandler(async ({ request }) => (request.mode === "navigate" ? offlineResponse() : Response.error()));

// Entries made without a connection. Replayed when a page asks (offline.js: on load and when the
// connection returns), with that page's user and security token, never for another user of the phone.
const queue = new Queue("chuyende-entries", {
  maxRetentionTime: 14 * 24 * 60,
  forceSyncFallback: true,  // see replay(): the page's user and token are needed
  onSync: async () => { await tellPages({ type: "REPLAY_WANTED" }); },
});

async function tellPages(message) {
  const pagesOpen = await self.clients.matchAll({ type: "window" });
  pagesOpen.forEach((client) => client.postMessage(message));
}

function newId() {
  const bytes = new Uint8Array(8);
  self.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function entryOf(request) {
  if (!(request.headers.get("Content-Type") || "").startsWith("application/x-www-form-urlencoded")) return null;
  const raw = new URLSearchParams(await request.text()).get("offline_entry");
  if (!raw) return null;
  try {
    const info = JSON.parse(raw);
    return { id: newId(), label: String(info.label || ""), summary: String(info.summary || ""),
      user: String(info.user || ""), keptAt: Date.now() };
  } catch (error) {
    return null;
  }
}

registerRoute(({ url, request }) => request.mode === "navigate" && sameSite(url) && !passesThrough(url),
  async ({ request, url }) => {
    const kept = request.clone();
    // Logging out or in: the pages kept for the last person are not shown to the next one.
    if ([CONFIG.logoutUrl, CONFIG.loginUrl].includes(url.pathname)) await caches.delete(CONFIG.pagesCache);
    try {
      return await fetch(request);
    } catch (error) {
      const entry = await entryOf(kept.clone());
      if (!entry) return offlineResponse();
      await queue.pushRequest({ request: kept, metadata: entry });
      await tellPages({ type: "STATUS" });
      return Response.redirect(CONFIG.unsentUrl + "#" + CONFIG.savedHash, 303);
    }
  }, "POST");

// --- sending the kept entries ---------------------------------------------------------------------

async function replayable(request, csrf) {
  const fields = new URLSearchParams(await request.clone().text());
  if (csrf) fields.set("csrfmiddlewaretoken", csrf);  // the page's token: valid after a new login too
  return new Request(request.url, { method: "POST", body: fields.toString(), credentials: "same-origin",
    redirect: "follow", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
}

function textOf(html) {
  return html.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, " ").replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ").replace(/&quot;/g, "\"").replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim().slice(0, 400);
}

async function outcomeOf(response) {
  const path = new URL(response.url).pathname;
  if (response.redirected && path === CONFIG.loginUrl) {
    return { sent: false, status: 401, message: CONFIG.text.loggedOut };
  }
  if (response.ok && response.redirected) return { sent: true, url: response.url };
  // Not saved: the form came back with its errors, or the server refused it.
  const html = await response.text();
  const summary = html.match(/<div[^>]*id="error-summary"[^>]*>([\s\S]*?)<\/div>/);
  const main = html.match(/<main\b[^>]*>([\s\S]*?)<\/main>/);
  let message = summary ? textOf(summary[1]) : "";
  if (!message && response.status === 403 && /csrf/i.test(html)) message = CONFIG.text.expired;
  if (!message && main) message = textOf(main[1]);
  if (!message) message = CONFIG.text.refused.replace("{status}", String(response.status));
  return { sent: false, status: response.status, message };
}

async function readLog() {
  const kept = await (await caches.open(LOG_CACHE)).match(LOG_URL);
  return kept ? kept.json() : [];
}

async function remember(sent) {
  const log = sent.concat(await readLog()).slice(0, KEPT_SENT);
  await (await caches.open(LOG_CACHE)).put(LOG_URL, new Response(JSON.stringify(log),
    { headers: { "Content-Type": "application/json" } }));
}

// Each entry is taken from the front of the queue and, unless sent, put back at its end: after one
// round the queue holds what is left, in the same order.
async function eachEntry(visit) {
  const count = await queue.size();
  for (let i = 0; i < count; i += 1) {
    const entry = await queue.shiftRequest();
    if (!entry) break;
    const back = await visit(entry, entry.metadata || {});
    if (back) await queue.pushRequest(back);
  }
}

async function replayNow({ user, csrf, retry }) {
  const sent = [];
  let connected = true;
  await eachEntry(async (entry, info) => {
    if (!connected || !user || info.user !== user || (info.refused && info.id !== retry)) return entry;
    let response;
    try {
      response = await fetch(await replayable(entry.request, csrf));
    } catch (error) {
      connected = false;  // still no connection: the rest waits too
      return entry;
    }
    const outcome = await outcomeOf(response);
    if (outcome.sent) {
      sent.push({ ...info, refused: undefined, url: outcome.url, sentAt: Date.now() });
      return null;
    }
    return { request: entry.request, timestamp: entry.timestamp,
      metadata: { ...info, refused: { status: outcome.status, message: outcome.message } } };
  });
  if (sent.length) await remember(sent);
  return { sent, pending: (await pendingOf(user)).length };
}

let replaying = Promise.resolve();
function replay(options) {
  // One round at a time: two pages asking at once must not send an entry twice.
  replaying = replaying.catch(() => null).then(() => replayNow(options));
  return replaying;
}

async function pendingOf(user) {
  return (await queue.getAll()).map((entry) => entry.metadata || {}).filter((info) => user && info.user === user);
}

async function discard({ user, id }) {
  await eachEntry(async (entry, info) => (info.user === user && info.id === id ? null : entry));
  return { pending: (await pendingOf(user)).length };
}

async function answer(data) {
  const user = String(data.user || "");
  switch (data.type) {
    case "REPLAY": return replay({ user, csrf: data.csrf || "", retry: data.retry || "" });
    case "DISCARD": return discard({ user, id: data.id });
    case "STATUS": return { pending: (await pendingOf(user)).length };
    case "LIST": {
      const sent = (await readLog()).filter((info) => info.user === user);
      return { pending: await pendingOf(user), sent };
    }
    default: return null;
  }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (!event.ports || !event.ports[0] || !["REPLAY", "DISCARD", "STATUS", "LIST"].includes(data.type)) return;
  event.waitUntil(answer(data).then((reply) => event.ports[0].postMessage(reply),
    (error) => event.ports[0].postMessage({ error: String(error) })));
});
