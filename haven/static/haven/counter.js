// "n / limit" under every text field with data-limit (set by HavenForm instead of maxlength,
// so that a browser never cuts pasted text silently). The visible count follows each key; a
// screen reader hears it only once typing pauses, and only near or past the limit.
(() => {
  const script = document.currentScript;
  const words = {
    count: script.dataset.count || "{n} of {limit} characters",
    over: script.dataset.over || "{n} of {limit} characters: {extra} too many",
  };
  const say = (template, values) =>
    template.replace(/\{(\w+)\}/g, (_match, key) => String(values[key]));
  const PAUSE_MS = 1200;

  function attach(field) {
    const limit = Number(field.dataset.limit);
    if (!limit || field.dataset.counted) return;
    field.dataset.counted = "1";
    const id = (field.id || field.name) + "_counter";
    const shown = document.createElement("p");
    shown.className = "counter";
    shown.id = id;
    const heard = document.createElement("span");
    heard.className = "visually-hidden";
    heard.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", shown);
    shown.insertAdjacentElement("afterend", heard);
    const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(id);
    field.setAttribute("aria-describedby", described.join(" "));
    let timer = null;
    let lastHeard = "";
    function update() {
      const n = field.value.length;
      const over = n > limit;
      shown.textContent = `${n} / ${limit}`;
      shown.classList.toggle("counter--over", over);
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (n < limit * 0.8 && !over) return; // far from the limit: nothing to say
        const sentence = say(over ? words.over : words.count, {n, limit, extra: n - limit});
        if (sentence !== lastHeard) heard.textContent = lastHeard = sentence;
      }, PAUSE_MS);
    }
    field.addEventListener("input", update);
    update();
  }

  const start = () => document.querySelectorAll("[data-limit]").forEach(attach);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
