// The page of `ferry server`: tabs for Operations, Develop, Data sources and Alerts.
import { $ } from "./api.js";
import { startOperations } from "./ops.js";
import { startStudio } from "./studio.js";
import { startDatasources } from "./datasources.js";
import { startAlerts } from "./alerts.js";

const TABS = ["operations", "develop", "datasources", "alerts"];
const started = new Set();

function show(tab) {
  if (!TABS.includes(tab)) tab = "operations";
  for (const t of TABS) {
    $("#view-" + t).hidden = t !== tab;
    $(`#tabs [data-tab="${t}"]`).classList.toggle("active", t === tab);
  }
  if (!started.has(tab)) {
    started.add(tab);
    ({ operations: startOperations, develop: startStudio, datasources: startDatasources,
       alerts: startAlerts })[tab]();
  }
}

if (location.hash.startsWith("#token=")) {
  sessionStorage.setItem("ferry-token", decodeURIComponent(location.hash.slice(7)));
  history.replaceState(null, "", location.pathname);
}
$("#tabs").onclick = (e) => {
  const tab = e.target.dataset.tab;
  if (tab) location.hash = tab;
};
window.addEventListener("hashchange", () => show(location.hash.slice(1)));
$("#token").onchange = (e) => {
  sessionStorage.setItem("ferry-token", e.target.value);
  location.reload();
};
show(location.hash.slice(1));
