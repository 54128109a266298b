// Locating build errors in the project: WIT errors carry `--> path:line:col` (wit-parser), Python
// errors from pre-initialisation carry a traceback whose frames name files inside the bundle
// (`File "/componentize-py/app.zip/app.py", line 3`).

/**
 * Finds where `message` points in the project. Returns `{ path, line, column, kind }` (line and
 * column from 1; column may be null) or null when the message names no project file.
 */
export function locateError(message, paths) {
  const wit = /-->\s+(\S+?):(\d+):(\d+)/.exec(message);
  if (wit) {
    const path = matchPath(wit[1], paths);
    if (path) return { path, line: +wit[2], column: +wit[3], kind: "wit" };
  }
  // The innermost traceback frame in a project file (SyntaxErrors have no ", in …").
  let found = null;
  for (const m of message.matchAll(/File "([^"]+)", line (\d+)/g)) {
    const path = matchPath(m[1], paths);
    if (path) found = { path, line: +m[2], column: null, kind: "python" };
  }
  if (found) {
    // A SyntaxError's caret line gives the column: "    def f(:\n          ^".
    const caret = /File "[^"]+", line \d+\n( *)(\S.*)\n( *)\^/.exec(
      message.slice(message.lastIndexOf(`", line ${found.line}`) - 400),
    );
    if (caret && /SyntaxError|IndentationError/.test(message)) {
      found.column = Math.max(1, caret[3].length - caret[1].length + 1);
    }
  }
  return found;
}

/** The project path that `reported` names: equal, or a suffix after a bundle prefix. */
function matchPath(reported, paths) {
  const clean = reported.replace(/\\/g, "/").replace(/^\.\//, "");
  if (paths.includes(clean)) return clean;
  // Python files are bundled under /componentize-py/<name>.zip/ (the Python path entry).
  const inZip = /\.zip\/(.+)$/.exec(clean);
  if (inZip && paths.includes(inZip[1])) return inZip[1];
  let best = null;
  for (const p of paths) {
    if (clean.endsWith(`/${p}`) && (!best || p.length > best.length)) best = p;
  }
  return best;
}

/** The line of an error message worth showing as a one-line summary. */
export function summary(message) {
  const lines = message.split("\n").map((l) => l.trim()).filter(Boolean);
  const exception = [...lines].reverse().find((l) => /^[A-Za-z_.]*(Error|Exception)\b.*:?/.test(l));
  return exception ?? lines[0] ?? message;
}
