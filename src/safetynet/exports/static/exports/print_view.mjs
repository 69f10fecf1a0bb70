// The print view's Print button: shown only where script runs, it opens the browser's Print.
for (const button of document.querySelectorAll("[data-sn-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
