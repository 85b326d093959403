// Calls to the `ferry server` API: the token from the session, the anti-CSRF header on every
// call, errors as exceptions carrying the server's message and HTTP status.
export const $ = (s) => document.querySelector(s);

export const esc = (s) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );

export const token = () => sessionStorage.getItem("ferry-token") || "";

export class ApiError extends Error {
  constructor(message, status, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, opts = {}) {
  const headers = { "X-Ferry-Request": "1" };
  if (token()) headers["Authorization"] = "Bearer " + token();
  if (opts.body) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { ...opts, headers });
  let body = {};
  try {
    body = await r.json();
  } catch {
    // An empty or non-JSON body: the status says enough.
  }
  if (r.status === 401) $("#tokenbox").hidden = false;
  if (!r.ok) throw new ApiError(body.error || "HTTP " + r.status, r.status, body);
  return body;
}

export const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body ?? {}) });

// A modal yes/no question; resolves true on Confirm.
export function ask(text) {
  return new Promise((resolve) => {
    const d = $("#confirm");
    $("#confirm-text").textContent = text;
    $("#confirm-ok").onclick = () => {
      d.close();
      resolve(true);
    };
    $("#confirm-cancel").onclick = () => {
      d.close();
      resolve(false);
    };
    d.showModal();
  });
}
