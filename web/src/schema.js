// Completion and hover help from `ferry schema` (GET /api/schema): the schema of the value at a
// JSON path, following the document's own values through oneOf (DataWorks or DataX layout) and
// the per-plugin `if stepType ... then parameter` rules.
function get(doc, path) {
  let v = doc;
  for (const k of path) v = v == null ? undefined : v[k];
  return v;
}

function matches(cond, value) {
  if (!cond || !cond.properties || typeof value !== "object" || value === null) return false;
  return Object.entries(cond.properties).every(([k, s]) => s.const === undefined ||
    value[k] === s.const);
}

// `schema` with the `then` parts of its matching allOf rules merged in.
function expand(schema, value) {
  if (!schema || !schema.allOf) return schema;
  const merged = { ...schema, properties: { ...(schema.properties || {}) } };
  for (const rule of schema.allOf) {
    if (!matches(rule.if, value) || !rule.then || !rule.then.properties) continue;
    for (const [k, s] of Object.entries(rule.then.properties)) merged.properties[k] = s;
  }
  return merged;
}

function choose(schema, value) {
  if (!schema || !schema.oneOf) return schema;
  if (value && typeof value === "object" && "job" in value) {
    return schema.oneOf.find((s) => s.required && s.required.includes("job")) || schema.oneOf[0];
  }
  return schema.oneOf.find((s) => s.required && s.required.includes("steps")) || schema.oneOf[0];
}

export function schemaAt(root, doc, path) {
  let s = expand(choose(root, doc), doc);
  for (let k = 0; k < path.length && s; k++) {
    const key = path[k];
    let next = null;
    if (typeof key === "number") next = s.items;
    else if (s.properties) next = s.properties[key];
    const value = get(doc, path.slice(0, k + 1));
    s = next ? expand(choose(next, value), value) : null;
  }
  return s;
}

export function describe(s) {
  if (!s) return "";
  const parts = [];
  if (s.description) parts.push(s.description);
  const type = s.enum ? s.enum.map((v) => JSON.stringify(v)).join(" | ")
    : s.type || (s.oneOf ? s.oneOf.map((o) => o.type).join(" | ") : "");
  if (type) parts.push("type: " + type);
  if (s.default !== undefined) parts.push("default: " + JSON.stringify(s.default));
  return parts.join("\n");
}
