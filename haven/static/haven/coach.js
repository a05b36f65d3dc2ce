// Live empathy coach: after each pause in typing (400 ms), the draft goes to the coach and its
// feedback replaces the contents of the panel's live region. It only listens: it never stops,
// delays or changes sending (chat.js and the form do that), and it keeps nothing — the draft
// lives in the text box and in one request at a time. Without scripts the panel stays empty
// (or shows the feedback of a form post on the practice and try pages).
(() => {
  "use strict";
  const PAUSE_MS = 400;

  const start = (panel) => {
    const form = document.getElementById(panel.dataset.coachForm);
    if (!form) return;
    const reply = form.elements.namedItem(panel.dataset.coachReply || "reply");
    const seeker = panel.dataset.coachSeeker ? document.getElementById(panel.dataset.coachSeeker) : null;
    const output = panel.querySelector("[data-coach-output]");
    const token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!(reply instanceof HTMLTextAreaElement) || !output || !token) return;
    const unavailable = panel.dataset.coachUnavailable
      || "The coach is not available right now. You can still send your reply.";

    let timer = null;
    let controller = null;
    let sequence = 0;   // only the answer to the latest question is shown
    let lastAsked = null;
    let waiting = false;    // a question held back while the conversation was offline

    const show = (html) => { output.innerHTML = html; }; // server-rendered, escaped fragment
    const showText = (text) => {
      const note = document.createElement("p");
      note.className = "coach-error";
      note.textContent = text;
      output.replaceChildren(note);
    };

    // In a live conversation, chat.js marks the composer's connection. While it is down the
    // server is unreachable: wait, and ask again once it is back, rather than fail.
    const offline = () => "connection" in form.dataset
      && !["ready", "page"].includes(form.dataset.connection);

    const ask = async () => {
      if (offline()) { waiting = true; return; }
      waiting = false;
      const draft = reply.value;
      const context = seeker ? seeker.value : "";
      const key = `${draft}\u0000${context}`;
      if (key === lastAsked) return;
      lastAsked = key;
      if (controller) controller.abort();
      controller = new AbortController();
      const mine = ++sequence;
      const body = new FormData();
      body.append("reply", draft);
      if (seeker) body.append("seeker", context);
      if (panel.dataset.coachScenario) body.append("scenario", panel.dataset.coachScenario);
      panel.setAttribute("aria-busy", "true");
      try {
        const response = await fetch(panel.dataset.coachUrl, {
          method: "POST", body, credentials: "same-origin", signal: controller.signal,
          headers: {"X-CSRFToken": token.value, "X-Requested-With": "fetch"},
        });
        const type = response.headers.get("Content-Type") || "";
        if (response.redirected) { // signed out: the answer is the sign-in page, not feedback
          if (mine === sequence) { lastAsked = null; showText(unavailable); }
          return;
        }
        const html = await response.text();
        if (mine !== sequence) return;
        // 200 feedback; 400 a reply over the limit; 429 the coach asks for a pause.
        if ([200, 400, 429].includes(response.status) && type.startsWith("text/html")) {
          show(html);
        } else {
          lastAsked = null;
          showText(unavailable);
        }
      } catch (error) {
        if (error.name === "AbortError") return;
        if (mine === sequence) { lastAsked = null; showText(unavailable); }
      } finally {
        if (mine === sequence) panel.removeAttribute("aria-busy");
      }
    };

    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(ask, PAUSE_MS);
    };
    reply.addEventListener("input", schedule);
    if (seeker) seeker.addEventListener("input", schedule);
    // chat.js empties the box after sending without an input event: look again afterwards.
    form.addEventListener("submit", () => { setTimeout(schedule, 0); });
    new MutationObserver(() => { if (waiting && !offline()) schedule(); })
      .observe(form, {attributes: true, attributeFilter: ["data-connection"]});
    if (reply.value.trim() && !output.textContent.trim()) schedule();
  };

  document.querySelectorAll("[data-coach-url]").forEach(start);
})();
