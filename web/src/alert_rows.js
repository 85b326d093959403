// Editable alert rules, one table row per rule, as the schedule file holds them: `on` (the
// event), `at` (HH:MM) for not_finished_by, `threshold` for dirty_above, `webhook`, and — for the
// file's global list only — `node` ("*": every node). Used by the node form (a node's own
// `alerts:`) and by the Alerts tab (the global `alerts:`).
import { esc } from "./api.js";

const EVENTS = ["failure", "timeout", "not_finished_by", "dirty_above"];

// Adds a row for `rule` to `tbody`; `nodes` (a list of node names) adds the node column.
export function addAlertRow(tbody, rule = { on: "failure" }, nodes = null) {
  const tr = document.createElement("tr");
  const nodeCell = nodes
    ? `<td><select class="a-node">${["*", ...nodes].map((n) =>
      `<option${n === (rule.node ?? "*") ? " selected" : ""}>${esc(n)}</option>`).join("")}
      </select></td>`
    : "";
  tr.innerHTML = `${nodeCell}<td><select class="a-on">${EVENTS.map((ev) =>
    `<option${ev === rule.on ? " selected" : ""}>${ev}</option>`).join("")}</select></td>
    <td><input class="a-arg" value="${esc(rule.at ?? rule.threshold ?? "")}"></td>
    <td><input class="a-webhook" placeholder="https://..." value="${esc(rule.webhook ?? "")}">
    </td><td><button type="button" class="a-remove" title="remove">×</button></td>`;
  const on = tr.querySelector(".a-on");
  const arg = tr.querySelector(".a-arg");
  const sync = () => {
    arg.disabled = on.value === "failure" || on.value === "timeout";
    arg.placeholder = on.value === "not_finished_by" ? "HH:MM"
      : on.value === "dirty_above" ? "N" : "";
  };
  on.onchange = sync;
  tr.querySelector(".a-remove").onclick = () => tr.remove();
  sync();
  tbody.append(tr);
}

// The rules of `tbody`'s rows; the server's check names what is wrong in any of them.
export function alertRulesOf(tbody) {
  return [...tbody.querySelectorAll("tr")].map((tr) => {
    const rule = {};
    const node = tr.querySelector(".a-node");
    if (node && node.value !== "*") rule.node = node.value;
    rule.on = tr.querySelector(".a-on").value;
    const arg = tr.querySelector(".a-arg").value.trim();
    if (rule.on === "not_finished_by") rule.at = arg;
    if (rule.on === "dirty_above") rule.threshold = /^\d+$/.test(arg) ? +arg : arg;
    rule.webhook = tr.querySelector(".a-webhook").value.trim();
    return rule;
  });
}
