// The people picker: a field marked data-picker becomes a combobox (WAI-ARIA 1.2, list
// autocomplete) that asks the server for people as one types. "one": a text input whose
// submitted value becomes the chosen person's work e-mail. "many": the textarea (one name or
// e-mail a line) stays the submitted value, hidden behind removable chips; with
// data-picker-free, a chip may also be any text typed and entered, and a chosen person's line
// is their name (the server reads such a field as free text). Without this
// script both fields take names or e-mails as typed, and the server checks them either way.
(() => {
  const script = document.currentScript;
  const data = script.dataset;
  const say = (template, values) =>
    template.replace(/\{(\w+)\}/g, (_match, key) => String(values[key]));
  const PAUSE_MS = 250;
  const MIN_LENGTH = 2;
  let made = 0;

  function found(count) {
    if (count === 0) return data.none;
    return say(count === 1 ? data.one : data.many, {n: count});
  }

  function make(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text) element.textContent = text;
    return element;
  }

  // The circle the {% avatar %} tag draws on every other page: the server sends its letters
  // and colour (haven/core/avatars.py), so the picker never works them out a second way.
  function avatar(person) {
    const colour = Number.isInteger(person.avatar.colour) ? person.avatar.colour : 0;
    const circle = make("span", `avatar avatar--${colour}`, person.avatar.initials);
    circle.setAttribute("aria-hidden", "true");
    return circle;
  }

  function attach(field) {
    field.dataset.pickerReady = "1"; // a saved copy of the page, loaded again, is left alone
    made += 1;
    const many = field.dataset.picker === "many";
    const free = many && field.dataset.pickerFree === "1";
    const valueOf = (person) => (free ? person.name : person.value);
    const id = `picker-${made}`;
    const wrapper = make("div", "picker");
    const live = make("p", "visually-hidden");
    live.setAttribute("role", "status");
    const list = make("ul", "picker__list");
    list.id = `${id}-list`;
    list.setAttribute("role", "listbox");
    list.hidden = true;

    let input = field;
    let submitted; // the control whose value the form sends
    let chips = null;
    if (many) {
      // The textarea keeps its name and is sent; a new input takes its id, so the label,
      // the help text and the error summary's link all lead to the combobox.
      input = make("input", "");
      input.type = "text";
      input.id = field.id;
      field.id = `${field.id}_lines`;
      field.hidden = true;
      submitted = field;
      chips = make("ul", "picker__chips");
      chips.setAttribute("aria-label", data.chosen);
      field.insertAdjacentElement("afterend", wrapper);
      wrapper.append(chips, input);
    } else {
      // The typed text is sent as it is, unless a person is chosen: then their e-mail.
      submitted = make("input", "");
      submitted.type = "hidden";
      submitted.name = field.name;
      submitted.value = field.value;
      field.removeAttribute("name");
      field.insertAdjacentElement("beforebegin", wrapper);
      wrapper.append(field, submitted);
    }
    wrapper.append(list, live);
    // A name or an e-mail is never near a length limit: counter.js's count is only noise here.
    const counter = document.getElementById(`${input.id}_counter`);
    if (counter) counter.hidden = true;
    for (const name of ["aria-describedby", "aria-invalid"]) {
      if (field.hasAttribute(name) && input !== field) {
        input.setAttribute(name, field.getAttribute(name));
      }
    }
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.autocomplete = "off";

    let people = [];
    let active = -1;
    let timer = null;
    let asking = null;
    let chosen = null; // in "one" mode, the person whose name the input shows

    function lines() {
      return submitted.value.split("\n").map((line) => line.trim()).filter(Boolean);
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      options.forEach((option, at) => option.setAttribute("aria-selected", String(at === index)));
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({block: "nearest"});
    }

    function show(answer) {
      const taken = new Set(many ? lines().map((line) => line.toLowerCase()) : []);
      people = answer.filter((person) => !taken.has(valueOf(person).toLowerCase()));
      list.replaceChildren(...people.map((person, at) => {
        const option = make("li", "picker__option");
        option.id = `${id}-option-${at}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const team = person.team ? make("span", "picker__team", person.team) : null;
        const words = make("span", "picker__words");
        words.append(make("span", "picker__name", person.name));
        if (team) words.append(make("span", "visually-hidden", ", "), team);
        option.append(avatar(person), words);
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => choose(at));
        return option;
      }));
      live.textContent = found(people.length);
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = people.length === 0;
      input.setAttribute("aria-expanded", String(people.length > 0));
    }

    async function ask(text) {
      if (asking) asking.abort();
      asking = new AbortController();
      const query = new URLSearchParams({q: text});
      if (field.dataset.pickerMe) query.set("me", "1");
      try {
        const response = await fetch(`${data.url}?${query}`, {
          signal: asking.signal, headers: {Accept: "application/json"}});
        const answer = await response.json();
        if (input.value.trim() !== text) return; // typed on since: a newer answer follows
        if (!response.ok) {
          close();
          live.textContent = answer.message || "";
          return;
        }
        show(answer.people);
      } catch (error) {
        if (error.name !== "AbortError") close(); // offline: typing still works
      }
    }

    function addChip(label, value) {
      const item = make("li", "picker__chip");
      item.dataset.value = value;
      const remove = make("button", "picker__remove");
      remove.type = "button";
      remove.setAttribute("aria-label", say(data.remove, {name: label}));
      remove.textContent = "×";
      remove.addEventListener("click", () => {
        const next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        submitted.value = lines().filter((line) => line !== value).join("\n");
        live.textContent = say(data.removed, {name: label});
        (next ? next.querySelector("button") : input).focus();
      });
      item.append(make("span", "picker__chip-name", label), remove);
      chips.append(item);
    }

    function add(label, value) {
      submitted.value = [...lines(), value].join("\n");
      addChip(label, value);
      input.value = "";
      live.textContent = say(data.added, {name: label});
    }

    function choose(index) {
      const person = people[index];
      if (!person) return;
      if (many) {
        add(person.name, valueOf(person));
      } else {
        chosen = person;
        input.value = person.name;
        submitted.value = person.value;
      }
      close();
      input.focus();
    }

    input.addEventListener("input", () => {
      if (!many) {
        if (!chosen || input.value !== chosen.name) {
          chosen = null;
          submitted.value = input.value;
        }
      }
      clearTimeout(timer);
      const text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        if (asking) asking.abort();
        close();
        return;
      }
      timer = setTimeout(() => ask(text), PAUSE_MS);
    });

    input.addEventListener("keydown", (event) => {
      const open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!people.length) return;
        event.preventDefault();
        if (!open) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + people.length) % people.length);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // Enter in the list chooses a person; it never sends the form
        choose(active);
      } else if (event.key === "Enter" && free && input.value.trim()) {
        event.preventDefault(); // in a free field, Enter makes what was typed a chip
        clearTimeout(timer);
        add(input.value.trim(), input.value.trim());
        close();
      } else if (event.key === "Enter" && open) {
        event.preventDefault();
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);

    if (many) {
      for (const line of lines()) addChip(line, line);
      // A name typed but not chosen is still sent: the server reads it, or says why not.
      field.form.addEventListener("submit", () => {
        const typed = input.value.trim();
        if (typed) submitted.value = [...lines(), typed].join("\n");
      });
    }
  }

  document.querySelectorAll("[data-picker]:not([data-picker-ready])").forEach(attach);
})();
