/**
 * The wire contract: event names, payload shapes, error and close codes and the field readers that
 * validate inbound payloads. Runtime-free; imports nothing else from `src/`.
 * @module
 */
export * from "./errors.ts";
export * from "./events.ts";
export * from "./fields.ts";
export * from "./size.ts";
