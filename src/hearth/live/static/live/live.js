// Live updates: the bell's count, new replies in the open thread, new messages in the
// open conversation, and posts edited or hidden while the page is open. One
// EventSource per tab (/live/). Events carry counts and positions only; what to
// insert is fetched from routes that render it for this member, as the page does.
// Without this file (or JavaScript) every page is complete on reload. Its words come
// from the page's JavaScript catalogue (ngettext: docs/translating.md), loaded before it.
"use strict";

(function () {
  const script = document.currentScript;
  if (!script || !window.EventSource || !window.fetch) return;
  const view = document.querySelector("[data-live-kind]");
  const announcer = document.getElementById("live-announcer");
  // Each burst of events is announced once, when it has been quiet this long.
  const ANNOUNCE_AFTER_MS = 1500;

  const params = new URLSearchParams();
  let known = 0; // the highest position this page shows or has been told of
  const pending = new Set(); // positions announced but not shown yet
  if (view) {
    known = Number(view.dataset.liveAfter) || 0;
    params.set(view.dataset.liveKind, view.dataset.liveId);
    params.set("after", String(known));
  }
  // `hearth serve` runs the stream on its own port, on whatever host the browser used
  // (the session cookie is the host's); behind a proxy it is this origin's /live/.
  const port = script.dataset.streamPort;
  const base = port ? location.protocol + "//" + location.hostname + ":" + port : "";
  const streamUrl = base + script.dataset.stream + "?" + params.toString();
  let source = null;
  let lastEventId = "";
  const handlers = {};

  function open() {
    const resume = lastEventId ? "&last_event_id=" + encodeURIComponent(lastEventId) : "";
    source = new EventSource(streamUrl + resume, { withCredentials: Boolean(port) });
    for (const [name, handler] of Object.entries(handlers)) {
      source.addEventListener(name, (event) => {
        if (event.lastEventId) lastEventId = event.lastEventId;
        handler(event);
      });
    }
  }
  // A browser keeps at most six streams per server over HTTP/1.1: a hidden tab gives
  // its stream up, and takes it back, from where it was, when it is shown again.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && source) {
      source.close();
      source = null;
    } else if (!document.hidden && !source) {
      open();
    }
  });

  // What the bar and the announcements say of `count` new posts or messages, by what the
  // page shows: a thread or a conversation.
  const WORDING = {
    thread: {
      // Translators: in the bar at the bottom of a thread, about replies posted since it was opened.
      arrived: (count) => ngettext("%(count)s new reply", "%(count)s new replies", count),
      // Translators: read out when new replies have been added to the thread being read.
      shown: (count) => ngettext("%(count)s new reply shown", "%(count)s new replies shown", count),
    },
    conversation: {
      // Translators: in the bar at the bottom of a conversation, about messages sent since it was opened.
      arrived: (count) => ngettext("%(count)s new message", "%(count)s new messages", count),
      // Translators: read out when new messages have been added to the conversation being read.
      shown: (count) => ngettext("%(count)s new message", "%(count)s new messages", count),
    },
  };

  function say(what, count) {
    const wording = WORDING[view.dataset.liveKind] || WORDING.thread;
    return interpolate(wording[what](count), { count: window.hearth.formatNumber(count) }, true);
  }

  let announceTimer = null;
  function announce(message) {
    if (!announcer) return;
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(() => {
      announcer.textContent = message;
    }, ANNOUNCE_AFTER_MS);
  }

  // --- The bell ---------------------------------------------------------------------
  function setBell(count) {
    const bell = document.querySelector("a.nav-bell");
    if (!bell) return;
    let badge = bell.querySelector(".badge");
    if (!count) {
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      bell.append(" ", badge);
    }
    badge.textContent = window.hearth.formatNumber(count);
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    // Translators: after the number of unread notifications on the bell, for screen readers.
    hidden.textContent = " " + gettext("unread");
    badge.append(hidden);
  }

  // --- New replies or messages: a bar, and what it shows --------------------------------
  const bar = document.getElementById("live-bar");

  function noteNew(positions) {
    let added = 0;
    for (const position of positions) {
      if (position > known && !pending.has(position)) {
        pending.add(position);
        added += 1;
      }
    }
    if (!added || !bar) return;
    if (view.dataset.liveKind === "conversation" && view.dataset.liveAppend) {
      showPending(); // a conversation shows its new messages as they come
      return;
    }
    const message = say("arrived", pending.size);
    bar.querySelector(".live-bar__text").textContent = message;
    bar.hidden = false;
    announce(message);
  }

  let showing = false;
  async function showPending() {
    if (showing || !view) return;
    showing = true;
    try {
      const url = view.dataset.liveFetch.replace("/0/", "/" + known + "/");
      const response = await fetch(url, { headers: { "X-Requested-With": "live" }, credentials: "same-origin" });
      if (!response.ok) return;
      const holder = document.createElement("template");
      holder.innerHTML = await response.text();
      const nodes = Array.from(holder.content.children);
      let highest = known;
      for (const node of nodes) {
        const position = Number(node.dataset.position || node.querySelector("[data-position]")?.dataset.position || 0);
        highest = Math.max(highest, position);
        const article = node.matches("article[id]") ? node : node.querySelector("article[id]");
        if (article && document.getElementById(article.id)) continue; // already on the page
        view.append(node);
        if (window.htmx) window.htmx.process(node);
      }
      for (const position of Array.from(pending)) if (position <= highest) pending.delete(position);
      known = Math.max(known, highest);
      if (bar) bar.hidden = pending.size === 0;
      if (nodes.length) announce(say("shown", nodes.length));
    } finally {
      showing = false;
    }
  }

  if (bar) {
    const show = bar.querySelector(".live-bar__show");
    if (show && view && view.dataset.liveAppend) {
      show.hidden = false;
      show.addEventListener("click", () => { showPending(); });
    } else {
      const go = bar.querySelector(".live-bar__go");
      if (go) go.hidden = false;
    }
  }

  // --- A post edited, hidden or deleted --------------------------------------------------
  async function refreshPost(postId) {
    const article = document.getElementById("post-" + postId);
    if (!article || !view) return;
    const response = await fetch(view.dataset.liveArticle.replace("/0/", "/" + postId + "/"), { credentials: "same-origin" });
    if (!response.ok) return;
    const holder = document.createElement("template");
    holder.innerHTML = await response.text();
    const fresh = holder.content.firstElementChild;
    if (!fresh) return;
    article.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }

  function data(event) {
    try { return JSON.parse(event.data); } catch (error) { return {}; }
  }
  handlers.bell = (event) => setBell(data(event).count);
  handlers.reply = (event) => noteNew(data(event).positions || []);
  handlers.message = (event) => noteNew(data(event).positions || []);
  handlers.post = (event) => refreshPost(data(event).post);
  if (!document.hidden) open();
})();
