// Alerts: the rules of the deployed schedule and the log of webhook deliveries (GET /api/alerts).
// A server built without alerts answers 404; the panel says so instead of failing.
import { $, api, esc } from "./api.js";

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
  setInterval(() => {
    if (!$("#view-alerts").hidden) load();
  }, 5000);
}
