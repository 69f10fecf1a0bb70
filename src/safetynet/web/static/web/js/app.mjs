// safetynet front end: GOV.UK Frontend, MoJ Frontend, htmx and the blank-screen control.
// Loaded as an external ES module (the Content Security Policy forbids inline script).
import { initAll as initGovuk } from "../../vendor/govuk-frontend/govuk-frontend.min.mjs";
import { initAll as initMoj } from "../../vendor/moj-frontend/moj-frontend.min.mjs";
import htmx from "../../vendor/htmx/htmx.esm.mjs";
import { initBlankScreen } from "./blank-screen.mjs";
import { initNetworks } from "./network.mjs";

document.body.classList.add("govuk-frontend-supported", "js-enabled");
initGovuk();
initMoj();
initBlankScreen(document);
initNetworks(document);

// Content swapped in by htmx gets the same behaviour as a full page.
htmx.onLoad((element) => {
  if (element === document.body) return;
  initNetworks(element);
});
