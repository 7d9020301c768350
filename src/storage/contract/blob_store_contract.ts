import assert from "node:assert/strict";
import type { BlobStoreFactory } from "./fixture.ts";

/** SHA-256 of "hello\n". */
const HELLO_HASH = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

/** The BlobStore contract: every implementation passes these. */
export function blobStoreContract(factory: BlobStoreFactory): void {
  Deno.test(`${factory.name}: BlobStore: content-addressed put, get and open; absent is undefined`, async () => {
    const { blobs, close } = await factory.make();
    try {
      const bytes = new TextEncoder().encode("hello\n");
      assert.deepEqual(await blobs.put(bytes), { hash: HELLO_HASH, size: 6 });
      assert.deepEqual(await blobs.put(bytes.slice()), { hash: HELLO_HASH, size: 6 });
      bytes[0] = 0; // the caller's buffer is not the stored copy
      assert.equal(new TextDecoder().decode(await blobs.get(HELLO_HASH)), "hello\n");
      const opened = (await blobs.open(HELLO_HASH))!;
      assert.equal(opened.size, 6);
      assert.equal(await new Response(opened.body).text(), "hello\n");
      const missing = "0".repeat(64);
      assert.equal(await blobs.get(missing), undefined);
      assert.equal(await blobs.open(missing), undefined);
      const empty = await blobs.put(new Uint8Array());
      assert.equal(empty.size, 0);
      assert.equal((await blobs.get(empty.hash))!.length, 0);
    } finally {
      await close();
    }
  });
}
