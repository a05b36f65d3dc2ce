// The header's disclosure menus (docs/architecture.md, "Navigation"). Each .nav-toggle is a
// <button aria-expanded aria-controls>; haven.css hides the panel after a button whose
// aria-expanded is "false", so this script only flips that attribute. Without scripts,
// nav-noscript.css shows every link instead.
(function () {
  "use strict";
  const toggles = Array.from(document.querySelectorAll(".site-header .nav-toggle"));
  const menuButton = document.querySelector(".site-header .menu-button");
  const menus = toggles.filter((button) => button !== menuButton);

  const isOpen = (button) => button.getAttribute("aria-expanded") === "true";
  const setOpen = (button, open) => button.setAttribute("aria-expanded", String(open));
  const closeMenus = (except) => menus.forEach((b) => { if (b !== except) setOpen(b, false); });

  toggles.forEach((button) => {
    button.addEventListener("click", () => {
      const open = !isOpen(button);
      closeMenus(button === menuButton ? null : button);
      setOpen(button, open);
    });
  });

  // Escape closes the innermost open menu (a group, then the phone's Menu) and puts focus
  // back on the button that opened it.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const visibleMenu = menuButton && menuButton.offsetParent !== null && isOpen(menuButton);
    const button = menus.find(isOpen) || (visibleMenu ? menuButton : null);
    if (!button) return;
    setOpen(button, false);
    button.focus();
  });

  // A click outside an open group closes it (the phone's Menu stays as it is). So does focus
  // moving out, where the group floats over the page; on a narrow screen the groups sit in the
  // flow, and closing one on focus (at mousedown) would move the button being clicked.
  const floats = (button) => getComputedStyle(button.nextElementSibling).position === "absolute";
  const closeOutside = (target, onlyFloating) => menus.forEach((button) => {
    if (isOpen(button) && !button.parentElement.contains(target)
        && (!onlyFloating || floats(button))) setOpen(button, false);
  });
  document.addEventListener("click", (event) => closeOutside(event.target, false));
  document.addEventListener("focusin", (event) => closeOutside(event.target, true));

  // One row, whatever the names, the font or the window (haven.css, "One row, always"): above
  // the narrow screens' width, try the whole navigation, then each data-fit in turn, and keep
  // the first that leaves every entry on one line. Measured again when the window changes.
  const header = document.querySelector(".site-header");
  const list = header && header.querySelector(".nav");
  if (!list) return;
  const narrow = window.matchMedia("(max-width: 64rem)");
  const oneRow = () => {
    const tallest = Math.max(...Array.from(list.children, (item) => item.offsetHeight));
    return list.offsetHeight < tallest * 1.5; // a second row would at least double it
  };
  const fit = () => {
    delete header.dataset.fit;
    if (narrow.matches) return; // haven.css shows the Menu button by width alone
    for (const level of ["avatar", "plain", "small", "menu"]) {
      if (oneRow()) return;
      header.dataset.fit = level;
    }
  };
  let queued = false;
  const refit = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fit(); });
  };
  fit();
  window.addEventListener("resize", refit);
  if (document.fonts) document.fonts.ready.then(refit);
})();
