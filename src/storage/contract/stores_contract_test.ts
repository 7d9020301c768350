/**
 * Every store port's contract, run over every implementation: SQLite (the server's), in-memory
 * (unit tests). A new implementation adds its factory here (Postgres: issue 17).
 * @module
 */
import { join } from "node:path";
import { FsBlobStore } from "../fs/fs_blob_store.ts";
import { MemoryBlobStore } from "../memory/memory_blob_store.ts";
import { memoryStores } from "../memory/memory_stores.ts";
import { closeDatabase, openDatabase } from "../sqlite/db.ts";
import { sqliteStores } from "../sqlite/sqlite_stores.ts";
import { blobStoreContract } from "./blob_store_contract.ts";
import type { BlobStoreFactory, StoreFactory } from "./fixture.ts";
import { identityContract } from "./identity_contract.ts";
import { jobStoreContract } from "./job_store_contract.ts";
import { quotaLedgerContract } from "./quota_ledger_contract.ts";
import { spellStoreContract } from "./spell_store_contract.ts";
import { unitOfWorkContract } from "./unit_of_work_contract.ts";
import { worldStoreContract } from "./world_store_contract.ts";

const FACTORIES: StoreFactory[] = [
  {
    name: "sqlite",
    make: () => {
      const db = openDatabase(":memory:");
      const { stores, unitOfWork } = sqliteStores(db);
      return Promise.resolve({ stores, unitOfWork, close: () => Promise.resolve(db.close()) });
    },
  },
  {
    name: "sqlite file",
    make: async () => {
      const dir = await Deno.makeTempDir({ prefix: "ugc-contract-" });
      const db = openDatabase(join(dir, "ugc.db"));
      const { stores, unitOfWork } = sqliteStores(db);
      return {
        stores,
        unitOfWork,
        close: async () => {
          closeDatabase(db);
          await Deno.remove(dir, { recursive: true });
        },
      };
    },
  },
  {
    name: "memory",
    make: () => Promise.resolve({ ...memoryStores(), close: () => Promise.resolve() }),
  },
];

const BLOB_FACTORIES: BlobStoreFactory[] = [
  {
    name: "fs",
    make: async () => {
      const dir = await Deno.makeTempDir({ prefix: "ugc-contract-blobs-" });
      return {
        blobs: new FsBlobStore(dir),
        close: () => Deno.remove(dir, { recursive: true }),
      };
    },
  },
  {
    name: "memory",
    make: () => Promise.resolve({ blobs: new MemoryBlobStore(), close: () => Promise.resolve() }),
  },
];

for (const factory of FACTORIES) {
  worldStoreContract(factory);
  spellStoreContract(factory);
  jobStoreContract(factory);
  quotaLedgerContract(factory);
  unitOfWorkContract(factory);
  identityContract(factory);
}
for (const factory of BLOB_FACTORIES) blobStoreContract(factory);
