#include "ferry/server/web_assets.h"

namespace ferry {
namespace {

// One document; no file outside it and nothing from the internet.
constexpr std::string_view kPage = R"FERRYPAGE(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry operations</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--bg:#f6f7f9;--fg:#1d2330;--mute:#6b7280;--line:#dde1e7;--acc:#2557d6}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;align-items:center;gap:16px;padding:10px 18px;background:#1d2330;color:#fff}
header h1{font-size:17px;margin:0}header .sub{color:#aab;font-size:12px}
main{display:grid;grid-template-columns:minmax(0,1.35fr) minmax(0,1fr);gap:14px;padding:14px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px;min-width:0}
h2{font-size:14px;margin:0 0 8px}label{font-size:12px;color:var(--mute);margin-right:6px}
select,input{font:inherit;padding:3px 5px;border:1px solid var(--line);border-radius:4px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line);white-space:nowrap}
td.msg{white-space:normal;color:var(--mute);max-width:260px}tr.sel{background:#eef3ff}tbody tr{cursor:pointer}
.st{display:inline-block;padding:1px 7px;border-radius:9px;font-size:12px;color:#fff;background:#9aa3af}
.st.succeeded{background:#1f9d55}.st.failed{background:#d64545}.st.running{background:#2557d6}
.st.waiting_time{background:#9aa3af}.st.waiting_upstream{background:#c28b00}.st.waiting_resources{background:#b86e00}
.st.frozen{background:#5b6b8c}.st.stopped{background:#7a3e9d}.st.not_run{background:#c4c9d1;color:#333}
button{font:inherit;font-size:12px;padding:3px 8px;border:1px solid var(--line);border-radius:4px;background:#fff;cursor:pointer}
button:hover{border-color:var(--acc)}button.primary{background:var(--acc);color:#fff;border-color:var(--acc)}
.ops button{margin:2px 4px 2px 0}.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin-bottom:8px}
pre#log{background:#11151c;color:#d6dbe4;padding:8px;height:260px;overflow:auto;font-size:12px;margin:6px 0 0;white-space:pre-wrap}
.figs{display:grid;grid-template-columns:repeat(5,1fr);gap:6px;margin:8px 0}.figs div{background:var(--bg);padding:5px;border-radius:4px}
.figs b{display:block;font-size:15px}.figs span{font-size:11px;color:var(--mute)}
#err{color:#d64545;font-size:13px;min-height:18px}svg text{font-size:11px;fill:#1d2330}
dialog{border:1px solid var(--line);border-radius:8px;padding:16px;min-width:320px}dialog::backdrop{background:#0005}
.muted{color:var(--mute);font-size:12px}
</style></head><body>
<header><h1>Ferry operations</h1><span class="sub" id="summary"></span>
<span style="flex:1"></span><span id="tokenbox" hidden><label style="color:#ccd">token</label><input id="token" type="password" size="18"></span></header>
<main>
<section id="instances-panel">
 <div class="filters">
  <span><label for="f-date">business date</label><select id="f-date"><option value="">all</option></select></span>
  <span><label for="f-node">node</label><select id="f-node"><option value="">all</option></select></span>
  <span><label for="f-state">state</label><select id="f-state"><option value="">all</option></select></span>
 </div>
 <div id="err"></div><div id="note" class="muted"></div>
 <table id="instances"><thead><tr><th>id</th><th>node</th><th>business date</th><th>scheduled</th><th>state</th><th>runs</th><th>records</th><th>seconds</th><th>note</th></tr></thead><tbody></tbody></table>
 <h2 style="margin-top:16px">Backfill</h2>
 <form id="backfill" class="filters">
  <span><label>nodes</label><select id="bf-nodes" multiple size="3"></select></span>
  <span><label>from</label><input id="bf-from" placeholder="YYYYMMDD" size="9"></span>
  <span><label>to</label><input id="bf-to" placeholder="YYYYMMDD" size="9"></span>
  <span><label><input type="checkbox" id="bf-down"> with downstream</label></span>
  <span><label>order</label><select id="bf-order"><option value="oldest">oldest first</option><option value="newest">newest first</option></select></span>
  <span><label>dates at a time</label><input id="bf-par" type="number" value="1" min="1" max="100" style="width:55px"></span>
  <button class="primary" type="submit">Backfill…</button>
 </form>
</section>
<section id="detail"><p class="muted">Select an instance to see its log, figures, operations and dependencies.</p></section>
</main>
<dialog id="confirm"><p id="confirm-text"></p><div style="text-align:right"><button id="confirm-cancel">Cancel</button> <button id="confirm-ok" class="primary">Confirm</button></div></dialog>
<script>
"use strict";
const STATES=["not_run","waiting_time","waiting_upstream","waiting_resources","running","succeeded","failed","frozen","stopped"];
let selected=null,logOffset=0,logFor=null,logRuns=0,nodes=[];
const $=s=>document.querySelector(s);
const esc=s=>String(s??"").replace(/[&<>"']/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c]));
const token=()=>sessionStorage.getItem("ferry-token")||"";
async function api(path,opts={}){
  const headers={"X-Ferry-Request":"1"};if(token())headers["Authorization"]="Bearer "+token();
  if(opts.body)headers["Content-Type"]="application/json";
  const r=await fetch(path,{...opts,headers});let body={};try{body=await r.json()}catch(e){}
  if(r.status===401){$("#tokenbox").hidden=false}
  if(!r.ok)throw new Error(body.error||("HTTP "+r.status));return body}
function ask(text){return new Promise(res=>{const d=$("#confirm");$("#confirm-text").textContent=text;
  $("#confirm-ok").onclick=()=>{d.close();res(true)};$("#confirm-cancel").onclick=()=>{d.close();res(false)};d.showModal()})}
function fill(sel,values,keep){const have=[...sel.options].map(o=>o.value).filter(v=>v);
  if(have.length===values.length&&have.every((v,k)=>v===values[k]))return;const cur=sel.value;sel.innerHTML=keep+values.map(v=>`<option value="${esc(v)}">${esc(v)}</option>`).join("");if([...sel.options].some(o=>o.value===cur))sel.value=cur}
async function loadNodes(){const r=await api("/api/nodes");nodes=r.nodes;fill($("#f-node"),nodes.map(n=>n.name),'<option value="">all</option>');
  const bf=$("#bf-nodes"),chosen=[...bf.selectedOptions].map(o=>o.value);bf.innerHTML=nodes.map(n=>`<option${chosen.includes(n.name)?" selected":""}>${esc(n.name)}</option>`).join("")}
async function refresh(){
  try{const q=new URLSearchParams();for(const [k,id] of [["bizdate","#f-date"],["node","#f-node"],["state","#f-state"]]){if($(id).value)q.set(k,$(id).value)}
  const r=await api("/api/instances?"+q);fill($("#f-date"),r.bizdates,'<option value="">all</option>');
  const counts={};r.instances.forEach(i=>counts[i.state]=(counts[i.state]||0)+1);
  $("#summary").textContent=Object.entries(counts).map(([s,n])=>n+" "+s.replace("_"," ")).join(" · ");
  $("#instances tbody").innerHTML=r.instances.map(i=>`<tr data-id="${i.id}" data-node="${esc(i.node)}" data-state="${i.state}" class="${i.id===selected?"sel":""}">
   <td>${i.id}</td><td>${esc(i.node)}${i.backfill_id?` <span class="muted">backfill ${i.backfill_id}</span>`:""}</td><td>${esc(i.bizdate)}</td><td>${esc(i.cyctime)}</td>
   <td class="state"><span class="st ${i.state}">${i.state.replace("_"," ")}</span></td><td class="runs">${i.runs}</td>
   <td>${i.summary?i.figures.records.toLocaleString():""}</td><td>${i.summary?i.figures.seconds.toFixed(1):""}</td><td class="msg">${esc(i.message)}</td></tr>`).join("");
  $("#err").textContent="";if(selected)await detail(false)}catch(e){$("#err").textContent=e.message}}
function figures(f){return `<div class="figs"><div><b>${f.records.toLocaleString()}</b><span>records</span></div><div><b>${(f.bytes/1048576).toFixed(2)}</b><span>MB read</span></div>
 <div><b>${f.dirty}</b><span>dirty records</span></div><div><b>${f.seconds.toFixed(1)}</b><span>seconds</span></div><div><b>${Math.round(f.records_per_second).toLocaleString()}</b><span>records/s</span></div></div>`}
function chart(runs){runs=runs.slice().reverse();if(!runs.length)return '<p class="muted">No finished run yet.</p>';
  const W=420,H=90,max=Math.max(1,...runs.map(r=>r.records_per_second)),bw=W/Math.max(runs.length,1);
  return `<svg id="rate-chart" width="${W}" height="${H+16}" role="img" aria-label="records per second, last ${runs.length} runs">`+runs.map((r,k)=>{const h=Math.max(1,r.records_per_second/max*H);
   return `<rect x="${k*bw+1}" y="${H-h}" width="${Math.max(1,bw-2)}" height="${h}" fill="${r.state==="failed"?"#d64545":"#2557d6"}"><title>${esc(r.bizdate)} ${esc(r.cyctime)}: ${Math.round(r.records_per_second)} records/s</title></rect>`}).join("")+
   `<text x="0" y="${H+13}">last ${runs.length} runs · max ${Math.round(max).toLocaleString()} records/s</text></svg>`}
function graph(g){const byName={};g.nodes.forEach(n=>byName[n.name]=n);const level={};
  const ups=n=>g.edges.filter(e=>e.to===n).map(e=>e.from);
  const depth=n=>level[n]??(level[n]=Math.max(0,...ups(n).map(u=>depth(u)+1)));g.nodes.forEach(n=>depth(n.name));
  const cols={};g.nodes.forEach(n=>(cols[level[n.name]]=cols[level[n.name]]||[]).push(n.name));
  const pos={},CW=150,RH=44;Object.entries(cols).forEach(([c,list])=>list.forEach((n,r)=>pos[n]={x:10+c*CW,y:10+r*RH}));
  const W=20+Object.keys(cols).length*CW,H=20+Math.max(...Object.values(cols).map(l=>l.length))*RH;
  const stateOf=n=>{const i=byName[n].instances;return i.length?i[i.length-1].state:"not_run"};
  return `<svg id="dep-graph" width="${W}" height="${H}">`+g.edges.map(e=>`<line x1="${pos[e.from].x+120}" y1="${pos[e.from].y+15}" x2="${pos[e.to].x}" y2="${pos[e.to].y+15}" stroke="#9aa3af"/>`).join("")+
   g.nodes.map(n=>{const p=pos[n.name],s=stateOf(n.name);return `<g><rect x="${p.x}" y="${p.y}" width="120" height="30" rx="5" fill="#fff" stroke="${n.name===g.node?"#2557d6":"#c4c9d1"}" stroke-width="${n.name===g.node?2:1}"/>
   <circle cx="${p.x+11}" cy="${p.y+15}" r="5" class="st ${s}" fill="${({succeeded:"#1f9d55",failed:"#d64545",running:"#2557d6",frozen:"#5b6b8c",stopped:"#7a3e9d",waiting_upstream:"#c28b00"})[s]||"#9aa3af"}"><title>${s}</title></circle>
   <text x="${p.x+22}" y="${p.y+19}">${esc(n.name)}</text></g>`}).join("")+"</svg>"}
// One panel refresh at a time; opening another instance (full) makes older refreshes drop
// their results, so two fetches never append the same log twice.
let detailBusy=false,detailGen=0;
async function detail(full){
  if(!full&&(detailBusy||logFor!==selected))return;
  const gen=full?++detailGen:detailGen,id=selected;if(full)logFor=null;
  const current=()=>gen===detailGen&&id===selected;
  detailBusy=!full;
  try{
  const i=await api("/api/instances/"+id);
  if(full){
   const [hist,g]=await Promise.all([api(`/api/nodes/${encodeURIComponent(i.node)}/history`),api(`/api/nodes/${encodeURIComponent(i.node)}/graph?bizdate=${i.bizdate}`)]);
   if(!current())return;
   logOffset=-65536;logFor=id;logRuns=i.runs;
   $("#detail").innerHTML=`<h2>${esc(i.node)} · ${esc(i.cyctime)} <span class="st ${i.state}" id="d-state">${i.state}</span></h2>
   <div class="muted" id="d-msg"></div><div id="d-figs"></div>
   <div class="ops" id="ops">${[["rerun","Rerun"],["rerun-downstream","Rerun with downstream"],["rerun-from-scratch","Rerun from scratch"],["stop","Stop"],["set-succeeded","Set succeeded"],["freeze","Freeze"],["unfreeze","Unfreeze"]].map(([op,t])=>`<button data-op="${op}">${t}</button>`).join("")}
    <button data-node-op="freeze">Freeze node</button><button data-node-op="unfreeze">Unfreeze node</button></div>
   <h2 style="margin-top:10px">Log</h2><pre id="log"></pre>
   <h2 style="margin-top:10px">Records/s, last 30 runs of ${esc(i.node)}</h2>${chart(hist.runs)}
   <h2 style="margin-top:10px">Dependencies (business date ${esc(i.bizdate)})</h2><div style="overflow:auto">${graph(g)}</div>`;
   $("#ops").onclick=e=>{const op=e.target.dataset.op,nop=e.target.dataset.nodeOp;if(op)operate(i.id,op);if(nop)operateNode(i.node,nop)}}
  if(!current()||logFor!==id)return;
  if(logRuns!==i.runs){logOffset=-65536;logRuns=i.runs}
  $("#d-state").className="st "+i.state;$("#d-state").textContent=i.state;$("#d-msg").textContent=i.message||"";
  $("#d-figs").innerHTML=i.summary?figures(i.figures):"";
  const from=logOffset,l=await api(`/api/instances/${id}/log?offset=${from}`);
  if(!current()||logFor!==id||from!==logOffset)return;
  const pre=$("#log"),atEnd=pre.scrollTop+pre.clientHeight>=pre.scrollHeight-4;
  if(from<0)pre.textContent="";pre.textContent+=l.text;if(atEnd)pre.scrollTop=pre.scrollHeight;
  logOffset=l.next_offset}finally{if(!full)detailBusy=false}}
async function operateNode(node,op){if(!await ask(`${op} node ${node}? (all its instances ${op==="freeze"?"stop starting and hold their downstream":"may run again"})`))return;
  try{await api(`/api/nodes/${encodeURIComponent(node)}/${op}`,{method:"POST",body:"{}"});await refresh()}catch(e){$("#err").textContent=e.message}}
// A rerun resumes a run that failed after planning; "rerun-from-scratch" starts it over.
async function operate(id,op){const scratch=op==="rerun-from-scratch";
  if(!await ask(scratch?`Rerun instance ${id} from scratch in a new run directory? (What a failed run committed stays unless the job clears it.)`
    :`${op.replace("-"," ")} instance ${id}?${op.startsWith("rerun")?" (A run that failed after planning resumes: only its splits not yet committed run.)":""}`))return;
  try{await api(`/api/instances/${id}/${scratch?"rerun":op}`,{method:"POST",body:scratch?'{"from_scratch":true}':"{}"});await refresh()}catch(e){$("#err").textContent=e.message}}
$("#instances tbody").onclick=async e=>{const tr=e.target.closest("tr");if(!tr)return;selected=+tr.dataset.id;
  document.querySelectorAll("#instances tr.sel").forEach(r=>r.classList.remove("sel"));tr.classList.add("sel");
  try{await detail(true)}catch(err){$("#err").textContent=err.message}};
$("#backfill").onsubmit=async e=>{e.preventDefault();const body={nodes:[...$("#bf-nodes").selectedOptions].map(o=>o.value),from:$("#bf-from").value,to:$("#bf-to").value,
  downstream:$("#bf-down").checked,order:$("#bf-order").value,parallel:+$("#bf-par").value};
  if(!await ask(`Backfill ${body.nodes.join(", ")||"(no node)"} from ${body.from} to ${body.to}?`))return;
  try{const r=await api("/api/backfill",{method:"POST",body:JSON.stringify(body)});$("#note").textContent="backfill "+r.backfill_id+" created";await refresh()}catch(err){$("#err").textContent=err.message}};
$("#token").onchange=e=>{sessionStorage.setItem("ferry-token",e.target.value);loadNodes().then(refresh)};
fill($("#f-state"),STATES,'<option value="">all</option>');
["#f-date","#f-node","#f-state"].forEach(s=>$(s).onchange=refresh);
if(location.hash.startsWith("#token=")){sessionStorage.setItem("ferry-token",decodeURIComponent(location.hash.slice(7)));history.replaceState(null,"",location.pathname)}
loadNodes().then(refresh).catch(e=>$("#err").textContent=e.message);setInterval(refresh,2000);setInterval(()=>loadNodes().catch(()=>{}),15000);
</script></body></html>
)FERRYPAGE";

}  // namespace

std::string_view OpsPageHtml() { return kPage; }

}  // namespace ferry
