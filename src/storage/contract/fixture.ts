import type { Stores, UnitOfWork } from "../../core/ports/unit_of_work.ts";
import type { BlobStore } from "../../core/ports/blob_store.ts";

/** A fresh, empty database behind the store ports. */
export interface StoreFixture {
  stores: Stores;
  unitOfWork: UnitOfWork;
  close(): Promise<void>;
}

/**
 * An implementation under contract: `make` opens an empty one. Every contract suite takes one of
 * these, so another implementation (Postgres, issue 17) joins by passing its own factory.
 */
export interface StoreFactory {
  name: string;
  make(): Promise<StoreFixture>;
}

export interface BlobStoreFactory {
  name: string;
  make(): Promise<{ blobs: BlobStore; close(): Promise<void> }>;
}

/** Registers `body` as a test of `factory`, with a fresh fixture closed afterwards. */
export function contractTest(
  factory: StoreFactory,
  name: string,
  body: (fixture: StoreFixture) => Promise<void>,
): void {
  Deno.test(`${factory.name}: ${name}`, async () => {
    const fixture = await factory.make();
    try {
      await body(fixture);
    } finally {
      await fixture.close();
    }
  });
}

export const AT = "2026-01-01T00:00:00.000Z";

/** An ISO timestamp `seconds` after AT. */
export function at(seconds: number): string {
  return new Date(Date.parse(AT) + seconds * 1000).toISOString();
}
