// Alerts: the rules of the deployed schedule and the log of webhook deliveries (GET /api/alerts),
// and an editor of the schedule file's global `alerts:` (published with the schedule).
// A server built without alerts answers 404; the panel says so instead of failing.
import { $, api, esc } from "./api.js";
import { addAlertRow, alertRulesOf } from "./alert_rows.js";
import { editSchedule, readSchedule } from "./schedule_file.js";

let nodeNames = [];

// The global rules as written in the schedule file, into the editor (not refreshed on a timer,
// so typing is never overwritten). Without a project folder the editor is hidden.
async function loadEditor() {
  try {
    const s = await readSchedule();
    nodeNames = s.nodes.map((n) => n.name).filter((n) => n);
    const tbody = $("#galert-table tbody");
    tbody.innerHTML = "";
    for (const rule of s.alerts || []) addAlertRow(tbody, rule, nodeNames);
    $("#galert-note").textContent = s.file;
  } catch (e) {
    $("#galert-area").hidden = e.status === 404;
    $("#galert-note").textContent = e.message;
  }
}

async function saveRules() {
  try {
    const r = await editSchedule("/api/project/schedule/alerts",
      { alerts: alertRulesOf($("#galert-table tbody")) });
    if (r) $("#galert-note").textContent = `saved in ${r.file}; publish to apply`;
  } catch (e) {
    $("#galert-note").textContent = e.message;
  }
}

async function load() {
  try {
    const r = await api("/api/alerts");
    $("#alert-rules tbody").innerHTML = (r.rules || []).map((a) => `<tr>
      <td>${esc(a.node)}</td><td>${esc(a.on)}</td><td>${esc(a.at ?? a.threshold ?? "")}</td>
      <td>${esc(a.webhook)}</td></tr>`).join("");
    $("#alert-deliveries tbody").innerHTML = (r.deliveries || []).map((d) => `<tr>
      <td>${esc(d.time)}</td><td>${esc(d.node)}</td><td>${esc(d.instance)}</td>
      <td>${esc(d.event)}</td><td><span class="st ${esc(d.status)}">${esc(d.status)}</span></td>
      <td>${d.attempts}</td><td>${d.http_status || ""}</td><td class="msg">${esc(d.error)}</td>
      </tr>`).join("");
    $("#alerts-err").textContent = "";
  } catch (e) {
    $("#alerts-err").textContent = e.status === 404
      ? "Alerts are not available from this server (no /api/alerts)."
      : e.message;
  }
  $("#view-alerts").dataset.loaded = "1";
}

export function startAlerts() {
  load();
  loadEditor();
  $("#btn-galert-add").onclick = () => addAlertRow($("#galert-table tbody"), undefined, nodeNames);
  $("#btn-galert-save").onclick = saveRules;
  setInterval(() => {
    if (!$("#view-alerts").hidden) load();
  }, 5000);
}
