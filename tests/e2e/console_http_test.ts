import assert from "node:assert/strict";
import { CONSOLE_ASSETS } from "../../src/http/console_assets.ts";
import { startConsoleServer } from "../helpers/console_server.ts";

Deno.test("console: src/http/console_assets.ts is built from src/console (run `deno task console`)", async () => {
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-env",
      "scripts/console.ts",
      "--check",
    ],
    cwd: new URL("../../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(result.success, new TextDecoder().decode(result.stderr));
});

Deno.test("console: GET /admin is the page, under a strict policy, with nothing inline and nothing from elsewhere", async () => {
  const server = await startConsoleServer();
  try {
    for (const path of ["/admin", "/admin/"]) {
      const response = await fetch(server.httpUrl + path);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
      const csp = response.headers.get("content-security-policy")!;
      for (
        const directive of [
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "connect-src 'self'",
          "frame-ancestors 'none'",
          "require-trusted-types-for 'script'",
        ]
      ) assert.ok(csp.includes(directive), `${directive} in ${csp}`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|https?:/);
      assert.equal(response.headers.get("x-frame-options"), "DENY");
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.equal(response.headers.get("referrer-policy"), "no-referrer");
      const html = await response.text();
      assert.doesNotMatch(
        html,
        /<script(?![^>]*\ssrc="\/admin\/)/,
        "every script is a file of ours",
      );
      assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i, "no inline style or handlers");
      assert.doesNotMatch(html, /(src|href)="(?!\/admin\/)/, "nothing loaded from elsewhere");
    }
    for (const [name, asset] of Object.entries(CONSOLE_ASSETS)) {
      if (name === "index.html") continue;
      const response = await fetch(`${server.httpUrl}/admin/${name}`);
      assert.equal(response.status, 200, name);
      assert.equal(response.headers.get("content-type"), asset.type);
      assert.equal(await response.text(), asset.text);
      const again = await fetch(`${server.httpUrl}/admin/${name}`, {
        headers: { "if-none-match": asset.etag },
      });
      assert.equal(again.status, 304);
      await again.body?.cancel();
    }
    // The bundle reaches no other host and never parses markup from strings.
    const js = CONSOLE_ASSETS["console.js"]!.text;
    assert.doesNotMatch(js, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    assert.doesNotMatch(js, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(/);
    const missing = await fetch(`${server.httpUrl}/admin/nothing.js`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await server.close();
  }
});
