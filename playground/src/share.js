// Share links: the whole project (files, world, flags) in the URL's fragment, as JSON deflated
// with the browser's CompressionStream and encoded as base64url: `#project=…`. Nothing is sent
// to a server; the fragment never leaves the browser.

const KEY = "project";

async function pipe(bytes, transform) {
  const stream = new Blob([bytes]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64Url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The URL fragment that encodes `project`. */
export async function encodeProject(project) {
  const json = JSON.stringify({
    v: 1,
    files: project.files.map(({ path, text }) => [path, text]),
    world: project.world,
    stubWasi: project.stubWasi,
    args: project.args,
  });
  const packed = await pipe(new TextEncoder().encode(json), new CompressionStream("deflate-raw"));
  return `#${KEY}=${toBase64Url(packed)}`;
}

/** The project a URL fragment encodes, or null if it holds none (or a damaged one). */
export async function decodeProject(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const data = params.get(KEY);
  if (!data) return null;
  try {
    const json = await pipe(fromBase64Url(data), new DecompressionStream("deflate-raw"));
    const value = JSON.parse(new TextDecoder().decode(json));
    if (value.v !== 1 || !Array.isArray(value.files)) return null;
    return {
      files: value.files.map(([path, text]) => ({ path: String(path), text: String(text) })),
      world: String(value.world ?? ""),
      stubWasi: !!value.stubWasi,
      args: String(value.args ?? ""),
    };
  } catch {
    return null;
  }
}
