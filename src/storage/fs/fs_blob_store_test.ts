import assert from "node:assert/strict";
import { FsBlobStore } from "../fs/fs_blob_store.ts";

async function readAll(
  body: ReadableStream<Uint8Array>,
): Promise<{ bytes: number; error?: Error }> {
  let bytes = 0;
  try {
    for await (const chunk of body) bytes += chunk.length;
    return { bytes };
  } catch (error) {
    return { bytes, error: error as Error };
  }
}

Deno.test("FsBlobStore.open() streams a blob with its size and verifies it as it goes", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new FsBlobStore(root);
    const content = crypto.getRandomValues(new Uint8Array(60_000));
    const big = new Uint8Array(300_000).map((_, i) => content[i % content.length]!);
    const { hash } = await store.put(big);
    const opened = await store.open(hash);
    assert.equal(opened?.size, big.length);
    assert.deepEqual(await readAll(opened!.body), { bytes: big.length });
    assert.equal(await store.open("0".repeat(64)), undefined);

    // Corrupt the last byte: every chunk but the held-back last one may pass, then the stream fails.
    const path = store.pathOf(hash);
    const stored = await Deno.readFile(path);
    stored[stored.length - 1] = stored[stored.length - 1]! ^ 1;
    await Deno.writeFile(path, stored);
    const corrupt = await readAll((await store.open(hash))!.body);
    assert.match(String(corrupt.error), /is corrupt/);
    assert.ok(corrupt.bytes < big.length, `${corrupt.bytes} of ${big.length} bytes went out`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
