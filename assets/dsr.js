// Starts the design system's components (the header's menu at narrow widths, error summary
// focus, character counts). Every page works without it. The import path is rewritten to
// the file's hashed name when the service starts (web::assets).
import { initAll } from "/assets/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
