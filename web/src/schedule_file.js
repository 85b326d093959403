// The project's schedule file as the page edits it (the node form and the Alerts tab): the
// version the page last read, so a save over a file changed on disk is refused (409), and whether
// it has comments, which a save re-writes away — the user is asked first.
import { api, ask, post } from "./api.js";

let sha = "";
let comments = false;

// GET /api/project/schedule: {file, sha256, nodes, alerts, comments}.
export async function readSchedule() {
  const s = await api("/api/project/schedule");
  sha = s.sha256;
  comments = !!s.comments;
  return s;
}

// POSTs one edit (`route`, `body`) against the version last read; null when the user declines
// to drop the file's comments.
export async function editSchedule(route, body) {
  const dropComments = comments;
  if (dropComments && !(await ask("The schedule file has comments, which saving from the page "
    + "drops (the file is re-written). Save anyway?"))) return null;
  const r = await post(route, { ...body, sha256: sha, drop_comments: dropComments });
  sha = r.sha256;
  comments = false;
  return r;
}
