// Operations: the instances of the deployed nodes, filters, an instance's log, figures,
// operations and dependencies, and backfills.
import { $, api, ask, esc } from "./api.js";

const STATES = ["not_run", "waiting_time", "waiting_upstream", "waiting_resources", "running",
  "succeeded", "failed", "frozen", "stopped"];
let selected = null;
let logOffset = 0;
let logFor = null;
let logRuns = 0;
let nodes = [];

function fill(sel, values, keep) {
  const have = [...sel.options].map((o) => o.value).filter((v) => v);
  if (have.length === values.length && have.every((v, k) => v === values[k])) return;
  const cur = sel.value;
  sel.innerHTML = keep + values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join("");
  if ([...sel.options].some((o) => o.value === cur)) sel.value = cur;
}

async function loadNodes() {
  const r = await api("/api/nodes");
  nodes = r.nodes;
  fill($("#f-node"), nodes.map((n) => n.name), '<option value="">all</option>');
  const bf = $("#bf-nodes");
  const chosen = [...bf.selectedOptions].map((o) => o.value);
  bf.innerHTML = nodes
    .map((n) => `<option${chosen.includes(n.name) ? " selected" : ""}>${esc(n.name)}</option>`)
    .join("");
}

function row(i) {
  const backfill = i.backfill_id ? ` <span class="muted">backfill ${i.backfill_id}</span>` : "";
  return `<tr data-id="${i.id}" data-node="${esc(i.node)}" data-state="${i.state}"
    class="${i.id === selected ? "sel" : ""}">
   <td>${i.id}</td><td>${esc(i.node)}${backfill}</td><td>${esc(i.bizdate)}</td>
   <td>${esc(i.cyctime)}</td>
   <td class="state"><span class="st ${i.state}">${i.state.replace("_", " ")}</span></td>
   <td class="runs">${i.runs}</td>
   <td>${i.summary ? i.figures.records.toLocaleString() : ""}</td>
   <td>${i.summary ? i.figures.seconds.toFixed(1) : ""}</td>
   <td class="msg">${esc(i.message)}</td></tr>`;
}

async function refresh() {
  try {
    const q = new URLSearchParams();
    for (const [k, id] of [["bizdate", "#f-date"], ["node", "#f-node"], ["state", "#f-state"]]) {
      if ($(id).value) q.set(k, $(id).value);
    }
    const r = await api("/api/instances?" + q);
    fill($("#f-date"), r.bizdates, '<option value="">all</option>');
    const counts = {};
    r.instances.forEach((i) => (counts[i.state] = (counts[i.state] || 0) + 1));
    $("#summary").textContent = Object.entries(counts)
      .map(([s, n]) => n + " " + s.replace("_", " "))
      .join(" · ");
    $("#instances tbody").innerHTML = r.instances.map(row).join("");
    $("#err").textContent = "";
    if (selected) await detail(false);
  } catch (e) {
    $("#err").textContent = e.message;
  }
}

function figures(f) {
  return `<div class="figs"><div><b>${f.records.toLocaleString()}</b><span>records</span></div>
   <div><b>${(f.bytes / 1048576).toFixed(2)}</b><span>MB read</span></div>
   <div><b>${f.dirty}</b><span>dirty records</span></div>
   <div><b>${f.seconds.toFixed(1)}</b><span>seconds</span></div>
   <div><b>${Math.round(f.records_per_second).toLocaleString()}</b><span>records/s</span></div>
   </div>`;
}

function chart(runs) {
  runs = runs.slice().reverse();
  if (!runs.length) return '<p class="muted">No finished run yet.</p>';
  const W = 420;
  const H = 90;
  const max = Math.max(1, ...runs.map((r) => r.records_per_second));
  const bw = W / Math.max(runs.length, 1);
  const bars = runs.map((r, k) => {
    const h = Math.max(1, (r.records_per_second / max) * H);
    const title = `${esc(r.bizdate)} ${esc(r.cyctime)}: ${Math.round(r.records_per_second)} records/s`;
    return `<rect x="${k * bw + 1}" y="${H - h}" width="${Math.max(1, bw - 2)}" height="${h}"
      fill="${r.state === "failed" ? "#d64545" : "#2557d6"}"><title>${title}</title></rect>`;
  });
  return `<svg id="rate-chart" width="${W}" height="${H + 16}" role="img"
    aria-label="records per second, last ${runs.length} runs">${bars.join("")}
    <text x="0" y="${H + 13}">last ${runs.length} runs · max ${Math.round(max).toLocaleString()}
    records/s</text></svg>`;
}

const STATE_COLORS = { succeeded: "#1f9d55", failed: "#d64545", running: "#2557d6",
  frozen: "#5b6b8c", stopped: "#7a3e9d", waiting_upstream: "#c28b00" };

function graph(g) {
  const byName = {};
  g.nodes.forEach((n) => (byName[n.name] = n));
  const level = {};
  const ups = (n) => g.edges.filter((e) => e.to === n).map((e) => e.from);
  const depth = (n) => level[n] ?? (level[n] = Math.max(0, ...ups(n).map((u) => depth(u) + 1)));
  g.nodes.forEach((n) => depth(n.name));
  const cols = {};
  g.nodes.forEach((n) => (cols[level[n.name]] = cols[level[n.name]] || []).push(n.name));
  const pos = {};
  const CW = 150;
  const RH = 44;
  Object.entries(cols).forEach(([c, list]) =>
    list.forEach((n, r) => (pos[n] = { x: 10 + c * CW, y: 10 + r * RH })));
  const W = 20 + Object.keys(cols).length * CW;
  const H = 20 + Math.max(...Object.values(cols).map((l) => l.length)) * RH;
  const stateOf = (n) => {
    const i = byName[n].instances;
    return i.length ? i[i.length - 1].state : "not_run";
  };
  const lines = g.edges.map((e) => `<line x1="${pos[e.from].x + 120}" y1="${pos[e.from].y + 15}"
    x2="${pos[e.to].x}" y2="${pos[e.to].y + 15}" stroke="#9aa3af"/>`);
  const boxes = g.nodes.map((n) => {
    const p = pos[n.name];
    const s = stateOf(n.name);
    const me = n.name === g.node;
    return `<g><rect x="${p.x}" y="${p.y}" width="120" height="30" rx="5" fill="#fff"
      stroke="${me ? "#2557d6" : "#c4c9d1"}" stroke-width="${me ? 2 : 1}"/>
      <circle cx="${p.x + 11}" cy="${p.y + 15}" r="5" class="st ${s}"
      fill="${STATE_COLORS[s] || "#9aa3af"}"><title>${s}</title></circle>
      <text x="${p.x + 22}" y="${p.y + 19}">${esc(n.name)}</text></g>`;
  });
  return `<svg id="dep-graph" width="${W}" height="${H}">${lines.join("")}${boxes.join("")}</svg>`;
}

const OPS = [["rerun", "Rerun"], ["rerun-downstream", "Rerun with downstream"],
  ["rerun-from-scratch", "Rerun from scratch"], ["stop", "Stop"],
  ["set-succeeded", "Set succeeded"], ["freeze", "Freeze"], ["unfreeze", "Unfreeze"]];

// One panel refresh at a time; opening another instance (full) makes older refreshes drop
// their results, so two fetches never append the same log twice.
let detailBusy = false;
let detailGen = 0;

async function detail(full) {
  if (!full && (detailBusy || logFor !== selected)) return;
  const gen = full ? ++detailGen : detailGen;
  const id = selected;
  if (full) logFor = null;
  const current = () => gen === detailGen && id === selected;
  detailBusy = !full;
  try {
    const i = await api("/api/instances/" + id);
    if (full) {
      const node = encodeURIComponent(i.node);
      const [hist, g] = await Promise.all([api(`/api/nodes/${node}/history`),
        api(`/api/nodes/${node}/graph?bizdate=${i.bizdate}`)]);
      if (!current()) return;
      logOffset = -65536;
      logFor = id;
      logRuns = i.runs;
      $("#detail").innerHTML = `<h2>${esc(i.node)} · ${esc(i.cyctime)}
        <span class="st ${i.state}" id="d-state">${i.state}</span></h2>
        <div class="muted" id="d-msg"></div><div id="d-figs"></div>
        <div class="ops" id="ops">
        ${OPS.map(([op, t]) => `<button data-op="${op}">${t}</button>`).join("")}
        <button data-node-op="freeze">Freeze node</button>
        <button data-node-op="unfreeze">Unfreeze node</button></div>
        <h2 style="margin-top:10px">Log</h2><pre id="log"></pre>
        <h2 style="margin-top:10px">Records/s, last 30 runs of ${esc(i.node)}</h2>
        ${chart(hist.runs)}
        <h2 style="margin-top:10px">Dependencies (business date ${esc(i.bizdate)})</h2>
        <div style="overflow:auto">${graph(g)}</div>`;
      $("#ops").onclick = (e) => {
        const op = e.target.dataset.op;
        const nop = e.target.dataset.nodeOp;
        if (op) operate(i.id, op);
        if (nop) operateNode(i.node, nop);
      };
    }
    if (!current() || logFor !== id) return;
    if (logRuns !== i.runs) {
      logOffset = -65536;
      logRuns = i.runs;
    }
    $("#d-state").className = "st " + i.state;
    $("#d-state").textContent = i.state;
    $("#d-msg").textContent = i.message || "";
    $("#d-figs").innerHTML = i.summary ? figures(i.figures) : "";
    const from = logOffset;
    const l = await api(`/api/instances/${id}/log?offset=${from}`);
    if (!current() || logFor !== id || from !== logOffset) return;
    const pre = $("#log");
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    if (from < 0) pre.textContent = "";
    pre.textContent += l.text;
    if (atEnd) pre.scrollTop = pre.scrollHeight;
    logOffset = l.next_offset;
  } finally {
    if (!full) detailBusy = false;
  }
}

async function operateNode(node, op) {
  const what = op === "freeze" ? "stop starting and hold their downstream" : "may run again";
  if (!(await ask(`${op} node ${node}? (all its instances ${what})`))) return;
  try {
    await api(`/api/nodes/${encodeURIComponent(node)}/${op}`, { method: "POST", body: "{}" });
    await refresh();
  } catch (e) {
    $("#err").textContent = e.message;
  }
}

// A rerun resumes a run that failed after planning; "rerun-from-scratch" starts it over.
async function operate(id, op) {
  const scratch = op === "rerun-from-scratch";
  const resumeNote = op.startsWith("rerun")
    ? " (A run that failed after planning resumes: only its splits not yet committed run.)"
    : "";
  const question = scratch
    ? `Rerun instance ${id} from scratch in a new run directory? (What a failed run committed ` +
      "stays unless the job clears it.)"
    : `${op.replace("-", " ")} instance ${id}?${resumeNote}`;
  if (!(await ask(question))) return;
  try {
    await api(`/api/instances/${id}/${scratch ? "rerun" : op}`,
      { method: "POST", body: scratch ? '{"from_scratch":true}' : "{}" });
    await refresh();
  } catch (e) {
    $("#err").textContent = e.message;
  }
}

async function backfill(e) {
  e.preventDefault();
  const body = {
    nodes: [...$("#bf-nodes").selectedOptions].map((o) => o.value),
    from: $("#bf-from").value,
    to: $("#bf-to").value,
    downstream: $("#bf-down").checked,
    order: $("#bf-order").value,
    parallel: +$("#bf-par").value,
  };
  const names = body.nodes.join(", ") || "(no node)";
  if (!(await ask(`Backfill ${names} from ${body.from} to ${body.to}?`))) return;
  try {
    const r = await api("/api/backfill", { method: "POST", body: JSON.stringify(body) });
    $("#note").textContent = "backfill " + r.backfill_id + " created";
    await refresh();
  } catch (err) {
    $("#err").textContent = err.message;
  }
}

export function startOperations() {
  $("#instances tbody").onclick = async (e) => {
    const tr = e.target.closest("tr");
    if (!tr) return;
    selected = +tr.dataset.id;
    document.querySelectorAll("#instances tr.sel").forEach((r) => r.classList.remove("sel"));
    tr.classList.add("sel");
    try {
      await detail(true);
    } catch (err) {
      $("#err").textContent = err.message;
    }
  };
  $("#backfill").onsubmit = backfill;
  fill($("#f-state"), STATES, '<option value="">all</option>');
  ["#f-date", "#f-node", "#f-state"].forEach((s) => ($(s).onchange = refresh));
  loadNodes().then(refresh).catch((e) => ($("#err").textContent = e.message));
  setInterval(() => {
    if (!$("#view-operations").hidden) refresh();
  }, 2000);
  setInterval(() => loadNodes().catch(() => {}), 15000);
}

// Other views call this after a publish so that new nodes show at once.
export function reloadOperations() {
  loadNodes().then(refresh).catch(() => {});
}
