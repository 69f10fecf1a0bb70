// "Blank screen": one click or Alt+Shift+B hides everything (someone walks past the control
// room desk) and the same again restores it. Focus returns to where it was.
const SHORTCUT_KEY = "B";

export function initBlankScreen(root) {
  const overlay = root.getElementById("sn-blank-overlay");
  const page = root.getElementById("sn-page");
  if (!overlay || !page) return;
  let savedTitle = null;
  let savedFocus = null;

  const blank = () => {
    savedTitle = document.title;
    savedFocus = document.activeElement;
    document.title = "safetynet";
    document.documentElement.classList.add("sn-blanked");
    page.inert = true;
    page.setAttribute("aria-hidden", "true");
    overlay.hidden = false;
    overlay.querySelector("button")?.focus();
  };
  const restore = () => {
    overlay.hidden = true;
    page.inert = false;
    page.removeAttribute("aria-hidden");
    document.documentElement.classList.remove("sn-blanked");
    if (savedTitle !== null) document.title = savedTitle;
    if (savedFocus instanceof HTMLElement) savedFocus.focus();
  };
  const toggle = () => (overlay.hidden ? blank() : restore());

  root.querySelectorAll("[data-sn-blank-toggle]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", toggle);
  });
  document.addEventListener("keydown", (event) => {
    if (event.altKey && event.shiftKey && event.key.toUpperCase() === SHORTCUT_KEY) {
      event.preventDefault();
      toggle();
    }
  });
}
