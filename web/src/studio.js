// Develop: the project's files, the job editor, template import, debug runs, scheduling
// properties and publish.
import { $, api, ApiError, ask, esc, post } from "./api.js";
import { addAlertRow, alertRulesOf } from "./alert_rows.js";
import { createEditor } from "./editor.js";
import { editSchedule, readSchedule } from "./schedule_file.js";
import { reloadOperations } from "./ops.js";

let editor = null;
let schema = null;
let open = null;  // {path, sha256, kind}
let dirty = false;
let paramNames = [];
let run = null;  // {id, offset, timer}

const yesterday = () => {
  const d = new Date(Date.now() - 86400000);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, "0")}` +
    String(d.getDate()).padStart(2, "0");
};

function setError(text, html) {
  if (html) $("#dev-err").innerHTML = html;
  else $("#dev-err").textContent = text || "";
}

function setDirty(d) {
  dirty = d;
  $("#file-state").textContent = open ? (d ? "modified" : "saved") : "";
}

async function loadFiles() {
  const r = await api("/api/project");
  $("#project-dir").textContent = r.dir;
  $("#files").innerHTML = r.files.map((f) => `<li data-path="${esc(f.path)}"
    class="${open && open.path === f.path ? "open" : ""}">${esc(f.path)}
    <span class="kind">${f.kind === "schedule" ? "schedule" : ""}</span></li>`).join("");
  return r;
}

async function openFile(path) {
  if (dirty && !(await ask(`Discard the unsaved changes to ${open.path}?`))) return;
  const f = await api("/api/project/file?path=" + encodeURIComponent(path));
  open = { path, sha256: f.sha256, kind: /\.json$/.test(path) ? "job" : "schedule" };
  $("#file-name").textContent = path;
  editor.load(f.text);
  setDirty(false);
  setError("");
  setParams(f.params || []);
  document.querySelectorAll("#files li").forEach((li) =>
    li.classList.toggle("open", li.dataset.path === path));
  await loadNodeForm();
}

async function save() {
  if (!open) return false;
  try {
    const r = await post("/api/project/file",
      { path: open.path, text: editor.text(), sha256: open.sha256 });
    open.sha256 = r.sha256;
    setDirty(false);
    setError("");
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      setError("", `<span class="warn" id="conflict">${esc(e.message)}</span>
        <button id="btn-reload">Reload from disk</button>`);
      $("#btn-reload").onclick = () => {
        dirty = false;
        openFile(open.path);
      };
    } else {
      setError(e.message);
    }
    return false;
  }
}

// The debug form's inputs: one per ${name} the job uses, values kept across edits.
function setParams(names) {
  const keep = {};
  document.querySelectorAll("#debug-params input").forEach((i) => (keep[i.dataset.name] = i.value));
  if (!names.includes("bizdate")) names = ["bizdate", ...names];
  if (names.join() === paramNames.join()) return;
  paramNames = names;
  $("#debug-params").innerHTML = names.map((n) => `<label for="dp-${esc(n)}">${esc(n)}</label>
    <input id="dp-${esc(n)}" data-name="${esc(n)}"
    value="${esc(keep[n] ?? (n === "bizdate" ? yesterday() : ""))}">`).join("");
}

function params() {
  const out = {};
  document.querySelectorAll("#debug-params input").forEach((i) => {
    if (i.dataset.name !== "bizdate" && i.value !== "") out[i.dataset.name] = i.value;
  });
  const bizdate = $("#dp-bizdate") ? $("#dp-bizdate").value : "";
  return { bizdate, params: out };
}

async function lint(text) {
  if (!open || open.kind !== "job") return [];
  let r;
  try {
    r = await post("/api/validate", { path: open.path, text, ...params() });
  } catch (e) {
    $("#diagnostics").innerHTML = `<li class="error">${esc(e.message)}</li>`;
    return [];
  }
  setParams(r.params || []);
  $("#diagnostics").innerHTML = r.diagnostics.length
    ? r.diagnostics.map((d) => `<li class="${d.severity}" data-line="${d.line}"
        data-severity="${d.severity}">${d.line}:${d.col}: ${esc(d.message)}</li>`).join("")
    : `<li class="ok" data-ok="1">${esc(r.output.trim() || "OK")}</li>`;
  return r.diagnostics;
}

async function importTemplate(e) {
  e.preventDefault();
  const reader = $("#tpl-reader").value;
  const writer = $("#tpl-writer").value;
  const path = $("#tpl-name").value.trim() || `jobs/${reader}_to_${writer}.json`;
  try {
    const t = await api(`/api/template?reader=${encodeURIComponent(reader)}` +
      `&writer=${encodeURIComponent(writer)}`);
    await post("/api/project/file", { path, text: t.text, sha256: "" });
    await loadFiles();
    dirty = false;
    await openFile(path);
  } catch (err) {
    setError(err.message);
  }
}

function showSummary(s) {
  if (!s) return "";
  const rows = [["status", s.status], ["records read", s.records_read],
    ["records written", s.records_written], ["dirty records", s.dirty_records],
    ["seconds", s.elapsed_seconds], ["error", s.error]];
  return `<table id="debug-summary-table">${rows.filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `<tr><th>${k}</th><td data-field="${k}">${esc(v)}</td></tr>`).join("")}
    </table>`;
}

async function poll() {
  if (!run) return;
  try {
    const r = await api(`/api/debug-runs/${run.id}?offset=${run.offset}`);
    run.offset = r.next_offset;
    const log = $("#debug-log");
    log.textContent += r.log;
    log.scrollTop = log.scrollHeight;
    $("#debug-state").innerHTML = `run ${esc(r.id)} of ${esc(r.file)}:
      <span class="st ${esc(r.state)}" id="debug-status">${esc(r.state)}</span>`;
    $("#debug-progress").textContent = r.progress;
    $("#debug-summary").innerHTML = showSummary(r.summary);
    $("#debug-dirty").innerHTML = r.dirty.length
      ? `<h2>First dirty records</h2><pre class="log">${esc(r.dirty.map((d) =>
        JSON.stringify(d)).join("\n"))}</pre>` : "";
    if (r.finished) {
      $("#btn-stop").disabled = true;
      $("#btn-run").disabled = false;
      run = null;
      return;
    }
  } catch (e) {
    $("#debug-state").textContent = e.message;
  }
  setTimeout(poll, 500);
}

async function startRun(e) {
  e.preventDefault();
  if (!open) return;
  if (dirty && !(await save())) return;
  try {
    const r = await post("/api/debug-runs", { path: open.path, ...params() });
    run = { id: r.id, offset: 0 };
    $("#debug-log").textContent = "";
    $("#debug-summary").innerHTML = "";
    $("#debug-dirty").innerHTML = "";
    $("#btn-stop").disabled = false;
    $("#btn-run").disabled = true;
    poll();
  } catch (err) {
    $("#debug-state").textContent = err.message;
  }
}


async function loadNodeForm() {
  if (!open || open.kind !== "job") return;
  // Said at once, in the same turn as the file's name: what is typed before the node arrives
  // would be overwritten by it.
  $("#sched-note").textContent = "loading the schedule…";
  const s = await readSchedule();
  const stem = open.path.replace(/^.*\//, "").replace(/\.json$/, "");
  const n = s.nodes.find((x) => x.job === open.path) || { name: stem };
  const up = Array.isArray(n.upstream) ? n.upstream.join(", ") : n.upstream || "";
  for (const [id, v] of [["#s-name", n.name], ["#s-cron", n.cron], ["#s-tz", n.timezone],
    ["#s-upstream", up], ["#s-params", n.params ?? "bizdate=$bizdate"],
    ["#s-retries", n.retries ?? 0], ["#s-timeout", n.timeout], ["#s-group", n.resource_group],
    ["#s-priority", n.priority ?? 0]]) {
    $(id).value = v ?? "";
  }
  $("#s-alerts tbody").innerHTML = "";
  for (const a of Array.isArray(n.alerts) ? n.alerts : []) addAlertRow($("#s-alerts tbody"), a);
  $("#sched-note").textContent = s.nodes.some((x) => x.job === open.path)
    ? `node ${n.name} in ${s.file}` : `not scheduled yet; saving adds it to ${s.file}`;
}

async function saveNode(e) {
  e.preventDefault();
  if (!open) return;
  const node = {
    name: $("#s-name").value.trim(),
    job: open.path,
    cron: $("#s-cron").value.trim(),
    timezone: $("#s-tz").value.trim(),
    upstream: $("#s-upstream").value.split(",").map((x) => x.trim()).filter((x) => x),
    params: $("#s-params").value.trim(),
    retries: +$("#s-retries").value || 0,
    timeout: $("#s-timeout").value.trim(),
    resource_group: $("#s-group").value.trim(),
    priority: +$("#s-priority").value || 0,
    alerts: alertRulesOf($("#s-alerts tbody")),
  };
  try {
    const r = await editSchedule("/api/project/schedule/node", { node });
    if (!r) return;
    $("#sched-note").textContent = `saved node ${node.name} in ${r.file}`;
    await loadFiles();
  } catch (err) {
    $("#sched-note").textContent = err.message;
  }
}

function changesHtml(c) {
  const items = [...c.added.map((n) => `<li class="added">+ ${esc(n)} (added)</li>`),
    ...c.removed.map((n) => `<li class="removed">− ${esc(n)} (removed)</li>`),
    ...c.changed.map((n) => `<li class="changed">~ ${esc(n.name)} (${esc(n.fields.join(", "))})
      </li>`)];
  return items.length ? `<ul class="changes">${items.join("")}</ul>` : "<p>No change.</p>";
}

async function publish() {
  if (dirty && !(await save())) return;
  const out = $("#publish-result");
  out.innerHTML = '<p class="muted">checking every job…</p>';
  const failed = (e) => {
    const errors = e.body && e.body.errors ? e.body.errors : e.message;
    out.innerHTML = `<p class="warn">Not published:</p><pre class="log" id="publish-errors">${
      esc(errors)}</pre>`;
  };
  let preview;
  try {
    preview = await post("/api/publish", { dry_run: true });
  } catch (e) {
    return failed(e);
  }
  out.innerHTML = `<div id="publish-preview"><b>Publishing changes:</b>${
    changesHtml(preview.changes)}</div>`;
  const summary = ["added", "removed"].map((k) => `${preview.changes[k].length} ${k}`)
    .concat(`${preview.changes.changed.length} changed`).join(", ");
  if (!(await ask(`Publish the schedule? Nodes: ${summary}.`))) return;
  try {
    const r = await post("/api/publish", {});
    out.innerHTML = `<p id="published">Published: ${r.checked.length} node(s) checked and
      deployed.</p>${changesHtml(r.changes)}`;
    reloadOperations();
  } catch (e) {
    failed(e);
  }
}

export async function startStudio() {
  editor = createEditor($("#editor"), {
    schema: () => schema,
    lint,
    changed: () => setDirty(true),
  });
  window.ferryStudio = { editor, open: () => open };
  $("#files").onclick = (e) => {
    const li = e.target.closest("li");
    if (li) openFile(li.dataset.path).catch((err) => setError(err.message));
  };
  $("#btn-save").onclick = save;
  $("#btn-check").onclick = () => editor.check();
  $("#template-form").onsubmit = importTemplate;
  $("#debug-form").onsubmit = startRun;
  $("#btn-stop").onclick = () => run && post(`/api/debug-runs/${run.id}/stop`).catch(() => {});
  $("#sched-form").onsubmit = saveNode;
  $("#btn-alert-add").onclick = () => addAlertRow($("#s-alerts tbody"));
  $("#btn-publish").onclick = publish;
  setParams([]);
  try {
    const [s, plugins] = await Promise.all([api("/api/schema"), api("/api/plugins"),
      loadFiles()]);
    schema = s;
    $("#tpl-reader").innerHTML = plugins.readers.map((p) => `<option>${esc(p)}</option>`).join("");
    $("#tpl-writer").innerHTML = plugins.writers.map((p) => `<option>${esc(p)}</option>`).join("");
  } catch (e) {
    setError(e.message);
  }
}
