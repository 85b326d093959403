// Data sources: the named connections of `ferry datasource` (list, add, test). Passwords are
// write-only: the API takes them and never returns them.
import { $, api, esc, post } from "./api.js";

async function load() {
  try {
    const r = await api("/api/datasources");
    $("#ds-table tbody").innerHTML = r.datasources.map((d) => `<tr data-name="${esc(d.name)}">
      <td>${esc(d.name)}</td><td>${esc(d.type)}</td><td>${esc(d.host)}</td>
      <td>${d.port || ""}</td><td>${esc(d.database)}</td><td>${esc(d.user)}</td>
      <td>${esc(d.password)}</td>
      <td>${d.testable ? `<button data-test="${esc(d.name)}">Test</button>` : ""}</td></tr>`)
      .join("");
    const types = $("#ds-type");
    if (!types.options.length) {
      types.innerHTML = r.types.map((t) => `<option>${esc(t)}</option>`).join("");
    }
    $("#ds-err").textContent = "";
  } catch (e) {
    $("#ds-err").textContent = e.message;
  }
}

async function add(e) {
  e.preventDefault();
  const body = {
    name: $("#ds-name").value,
    type: $("#ds-type").value,
    host: $("#ds-host").value,
    port: +$("#ds-port").value || 0,
    database: $("#ds-db").value,
    user: $("#ds-user").value,
    password: $("#ds-password").value,
    replace: $("#ds-replace").checked,
  };
  try {
    await post("/api/datasources", body);
    $("#ds-password").value = "";
    await load();
  } catch (err) {
    $("#ds-err").textContent = err.message;
  }
}

async function test(name) {
  $("#ds-test").textContent = `testing ${name}…`;
  try {
    const r = await post(`/api/datasources/${encodeURIComponent(name)}/test`);
    $("#ds-test").textContent = `${name}: ${r.message}`;
  } catch (err) {
    $("#ds-test").textContent = `${name}: ${err.message}`;
  }
}

export function startDatasources() {
  $("#ds-form").onsubmit = add;
  $("#ds-table").onclick = (e) => {
    if (e.target.dataset.test) test(e.target.dataset.test);
  };
  load();
}
