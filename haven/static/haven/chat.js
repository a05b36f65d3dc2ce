// Live conversation: progressive enhancement of the composer form. Messages go over a
// websocket with a client-generated id; the server acknowledges after storing, so a message
// is never lost (it stays pending and is re-sent on reconnect) nor duplicated (same id).
// The list shows stored messages in the order the server stored them (by id), then the ones
// still pending, in the order they were written. Without scripts or websockets, the form
// posts to the server as an ordinary form.
(() => {
  "use strict";
  const form = document.getElementById("composer");
  const list = document.getElementById("messages");
  if (!form || !list || !("WebSocket" in window)) return;

  const conversation = form.dataset.conversation;
  const role = form.dataset.role;
  const textarea = form.querySelector("textarea");
  const status = document.getElementById("connection");
  const typing = document.getElementById("typing");
  // Words come from the template (data-label-*), so they are translated with the page.
  const label = (name, fallback) => form.dataset[name] || fallback;

  const pending = new Map(); // client_id -> text, until the server has stored it
  // A message the server refuses comes back as an error frame naming it, and is given back
  // to its writer, never sent again. One that instead ends the connection each time it is
  // sent (a server fault) is given back after MAX_LOST_SENDS such ends, so a reconnect never
  // repeats it for ever.
  const MAX_LOST_SENDS = 3;
  const lostSends = new Map(); // client_id -> connections that ended while it was unanswered
  let unanswered = new Set(); // client_ids sent on the current connection, not yet answered
  let lastId = Number(list.dataset.lastId || 0); // the highest id received as a message
  let socket = null;
  let ready = false;       // the server has sent the backlog and takes messages
  let everReady = false;
  let gone = false;        // closed for good: signed out, or no longer part of it
  let goneMessage = "";
  let attempts = 0;        // failed connections since the last good one
  let reconnectTimer = null;
  let typingTimer = null;
  let lastTypingSent = 0;
  let typingSent = false;  // told the other side "typing" since the last send or stop
  const TYPING_QUIET_MS = 4000;

  const setStatus = (text) => { if (status) status.textContent = text; };

  // Times read as the server writes them (haven/core/times.py): "Sun 6 Dec, 19:00", with
  // the year when it is not this year's, in the viewer's zone (data-time-zone), with the
  // page's language for the names of days and months.
  const zone = list.dataset.timeZone || "UTC";
  const lang = document.documentElement.lang || "en";
  const partsOf = (date, withYear) => {
    const options = {timeZone: zone, weekday: "short", day: "numeric", month: "short",
                     hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
    if (withYear) options.year = "numeric";
    let format;
    try { format = new Intl.DateTimeFormat(lang, options); } catch (_error) {
      format = new Intl.DateTimeFormat(lang, {...options, timeZone: "UTC"}); // unknown zone
    }
    const parts = {};
    for (const part of format.formatToParts(date)) parts[part.type] = part.value;
    return parts;
  };
  const shownTime = (iso) => {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    const year = partsOf(date, true).year;
    const thisYear = partsOf(new Date(), true).year;
    const p = partsOf(date, year !== thisYear);
    const day = `${p.weekday} ${p.day} ${p.month}${year !== thisYear ? ` ${p.year}` : ""}`;
    return `${day}, ${p.hour}:${p.minute}`;
  };

  // "… is typing" shows while the other side types, and clears when their message comes,
  // when they stop (a "stopped" frame: sent, emptied the box, left), after a few quiet
  // seconds, and when this page loses its connection.
  const clearTyping = () => {
    clearTimeout(typingTimer);
    if (typing) typing.textContent = "";
  };
  const setState = (state) => { form.dataset.connection = state; };

  // crypto.randomUUID exists only in secure contexts; getRandomValues everywhere.
  const newId = () => {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };

  // No CSS selector is built from an id the network sent.
  const byClientId = (clientId) => {
    for (const item of list.children) {
      if (item.dataset.clientId === clientId) return item;
    }
    return null;
  };

  // A stored message goes before the first message with a higher id, or the first pending one.
  const place = (item) => {
    const id = Number(item.dataset.id);
    let before = null;
    for (const other of list.children) {
      if (other === item || !other.dataset.clientId) continue;
      const otherId = Number(other.dataset.id || 0);
      if (!otherId || otherId > id) { before = other; break; }
    }
    if (before) {
      if (item.nextElementSibling !== before) list.insertBefore(item, before);
    } else if (list.lastElementChild !== item) {
      list.append(item);
    }
  };

  const stored = (item, id) => {
    item.dataset.id = id;
    item.classList.remove("bubble--pending");
    const state = item.querySelector(".bubble__state");
    if (state) state.remove();
    place(item);
  };

  const bubble = (msg) => {
    const empty = document.getElementById("no-messages");
    if (empty) empty.remove();
    const mine = msg.sender_role === role;
    let item = byClientId(msg.client_id);
    if (!item) {
      item = document.createElement("li");
      item.dataset.clientId = msg.client_id;
      const who = document.createElement("span");
      who.className = "visually-hidden";
      who.textContent = `${mine ? label("labelYou", "You") : label("labelThem", "Them")}:`;
      const body = document.createElement("p");
      body.className = "prewrap";
      body.textContent = msg.text; // text, never HTML: what people write stays inert
      const time = document.createElement("time");
      item.append(who, body, time);
      if (msg.pending) {
        const state = document.createElement("span");
        state.className = "bubble__state";
        state.textContent = label("labelPending", "Not sent yet");
        item.append(state);
        item.classList.add("bubble--pending");
      }
      list.append(item);
    }
    item.classList.add("bubble", mine ? "bubble--mine" : "bubble--theirs");
    if (msg.sent_at) {
      const time = item.querySelector("time");
      time.dateTime = msg.sent_at;
      time.textContent = shownTime(msg.sent_at);
    }
    if (msg.id) stored(item, msg.id);
    item.scrollIntoView({block: "nearest"});
  };

  const showCrisis = () => {
    const box = document.getElementById(role === "supporter" ? "protocol" : "crisis");
    if (box) box.classList.remove("hidden");
  };

  const send = (clientId, text) => {
    unanswered.add(clientId);
    socket.send(JSON.stringify({type: "send", client_id: clientId, text}));
  };

  // Nothing typed is lost when a message is refused or the live chat ends for good: the
  // text goes back into the box, after anything already there.
  const giveBack = (clientId) => {
    const text = pending.get(clientId);
    pending.delete(clientId);
    unanswered.delete(clientId);
    lostSends.delete(clientId);
    const item = byClientId(clientId);
    if (item) item.remove();
    if (text !== undefined) textarea.value = textarea.value ? `${textarea.value}\n\n${text}` : text;
  };
  const giveBackPending = () => { for (const clientId of [...pending.keys()]) giveBack(clientId); };

  const handle = (data) => {
    if (data.type === "ready") {
      ready = true;
      attempts = 0;
      setState("ready");
      setStatus(everReady ? label("labelConnected", "Connected") : "");
      everReady = true;
      for (const [clientId, text] of pending) send(clientId, text); // in the order written
    } else if (data.type === "message") {
      pending.delete(data.client_id);
      unanswered.delete(data.client_id);
      lostSends.delete(data.client_id);
      if (data.sender_role !== role) clearTyping(); // their message ends their typing
      bubble(data);
      lastId = Math.max(lastId, data.id);
      if (data.crisis) showCrisis();
    } else if (data.type === "ack") {
      // Stored. The resume point moves only with "message" frames: an ack can overtake
      // a message stored just before it, which a reconnect must still fetch.
      pending.delete(data.client_id);
      unanswered.delete(data.client_id);
      lostSends.delete(data.client_id);
      const item = byClientId(data.client_id);
      if (item) stored(item, data.id);
      if (data.crisis) showCrisis();
    } else if (data.type === "error") {
      // Refused (e.g. a character that cannot be stored): back in the box with the reason,
      // and out of the messages a reconnect sends again.
      if (data.client_id && pending.has(data.client_id)) giveBack(data.client_id);
      setStatus(data.message);
    } else if (data.type === "typing") {
      clearTyping();
      if (!data.stopped && typing) {
        typing.textContent = label("labelTyping", "Typing…");
        typingTimer = setTimeout(clearTyping, TYPING_QUIET_MS);
      }
    } else if (data.type === "joined") {
      joined(data.name || "");
    } else if (data.type === "refresh") {
      setStatus(label("labelRefresh", "This conversation has changed: reload the page to see it."));
    }
  };

  // A supporter took the request: name them, and stop saying "waiting", without a reload.
  const joined = (name) => {
    const fill = (template) => template.replace("{name}", () => name);
    const heading = document.getElementById("conversation-heading");
    if (heading && heading.dataset.labelJoined) heading.textContent = fill(heading.dataset.labelJoined);
    const state = document.getElementById("conversation-state");
    if (state && state.dataset.labelOpen) state.textContent = state.dataset.labelOpen;
    for (const id of ["waiting-note", "pseudonym-waiting", "supporter-unavailable"]) {
      const element = document.getElementById(id);
      if (element) element.remove();
    }
    const pseudonym = document.getElementById("pseudonym-joined");
    if (pseudonym) pseudonym.hidden = false;
    form.dataset.labelThem = name;
    const empty = document.getElementById("no-messages");
    if (empty) empty.remove();
    const note = document.createElement("li");
    note.className = "chat-event muted";
    note.textContent = fill(label("labelJoined", "{name} joined"));
    list.append(note);
  };

  const scheduleReconnect = () => {
    clearTimeout(reconnectTimer);
    // Exponential back-off with jitter, so pages do not all return at once after a restart.
    const ceiling = Math.min(500 * 2 ** attempts, 8000);
    attempts += 1;
    reconnectTimer = setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2);
  };

  const connect = () => {
    clearTimeout(reconnectTimer);
    if (gone) return;
    ready = false;
    setState("connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(
      `${scheme}://${location.host}/ws/conversations/${conversation}/?after=${lastId}`);
    socket = ws;
    ws.addEventListener("message", (event) => {
      if (socket === ws) handle(JSON.parse(event.data));
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      ready = false;
      clearTyping(); // nothing live is known while offline
      if (event.code >= 4400 && event.code < 4500) {
        gone = true;
        setState("closed");
        goneMessage = event.code === 4401
          ? label("labelSignedOut", "You are signed out. Sign in again to go on.")
          : event.code === 4423
            ? label("labelKeyUnavailable", "This conversation cannot be opened: its encryption key is not available on this server.")
            : label("labelGone", "You can no longer take part in this conversation.");
        setStatus(goneMessage);
        giveBackPending();
        return;
      }
      const lost = [...unanswered].filter((clientId) => pending.has(clientId));
      unanswered = new Set();
      let givenBack = false;
      for (const clientId of lost) {
        const times = (lostSends.get(clientId) || 0) + 1;
        lostSends.set(clientId, times);
        if (times >= MAX_LOST_SENDS) { giveBack(clientId); givenBack = true; }
      }
      setState("offline");
      setStatus(givenBack
        ? label("labelNotSent", "A message could not be sent and is back in the box. Reconnecting…")
        : label("labelReconnecting", "Reconnecting…"));
      scheduleReconnect();
    });
  };

  const reconnectNow = () => {
    if (!gone && (!socket || socket.readyState === WebSocket.CLOSED)) connect();
  };

  form.addEventListener("submit", (event) => {
    // When websockets never got through (a proxy may block them), the form posts as it
    // would without scripts.
    if (!everReady && attempts >= 3) return;
    event.preventDefault();
    if (gone) { // signed out or handed over: posting would lose the text; it stays in the box
      setStatus(goneMessage);
      return;
    }
    const text = textarea.value;
    if (!text.trim()) { setStatus(label("labelEmpty", "Write a message before sending.")); return; }
    const clientId = newId();
    pending.set(clientId, text);
    bubble({client_id: clientId, sender_role: role, text, pending: true});
    textarea.value = "";
    typingSent = false; // the message itself ends "… is typing" on the other side
    lastTypingSent = 0;
    if (ready && socket.readyState === WebSocket.OPEN) {
      send(clientId, text);
    } else {
      setStatus(label("labelOffline", "Not connected: your message will be sent when the connection is back."));
      reconnectNow(); // try now rather than at the next scheduled attempt
    }
  });

  textarea.addEventListener("input", () => {
    const now = Date.now();
    if (!ready || socket.readyState !== WebSocket.OPEN) return;
    if (!textarea.value.trim()) {
      if (typingSent) socket.send(JSON.stringify({type: "typing", stopped: true}));
      typingSent = false;
      lastTypingSent = 0;
    } else if (now - lastTypingSent > 2000) {
      lastTypingSent = now;
      typingSent = true;
      socket.send(JSON.stringify({type: "typing"}));
    }
  });

  window.addEventListener("online", reconnectNow);
  connect();
})();
