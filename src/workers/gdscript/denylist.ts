/**
 * Token-level denylist for spell scripts.
 *
 * Spells run with engine privileges on every player's machine, so names and calls that reach
 * files, processes, the network, threads, arbitrary code or the scene tree are refused. This is
 * a mitigation, not a sandbox: it only sees what is written, never what a value holds.
 *
 * @module
 */

import type { LogicalLine, Token } from "./tokenize.ts";

/** A rule violation at a 1-based line. */
export interface Violation {
  readonly line: number;
  readonly message: string;
}

const DENIED_NAMES = new Set([
  "OS",
  "FileAccess",
  "DirAccess",
  "ResourceLoader",
  "ResourceSaver",
  "ProjectSettings",
  "ClassDB",
  "Engine",
  "EngineDebugger",
  "Expression",
  "GDScript",
  "JavaScriptBridge",
  "JavaClassWrapper",
  "HTTPRequest",
  "HTTPClient",
  "TCPServer",
  "UDPServer",
  "WebSocketPeer",
  "WebSocketMultiplayerPeer",
  "ENetConnection",
  "Thread",
  "Mutex",
  "Semaphore",
  "Marshalls",
  "IP",
]);
/** Denied whether called bare or as a method: `node.get_tree()` is the usual escape route. */
const DENIED_CALLS = new Set(["get_tree", "load", "preload"]);
/** String-driven dispatch and scene access; `.get(` stays allowed because Dictionary uses it. */
const DENIED_METHODS = new Set([
  "call",
  "callv",
  "call_deferred",
  "set",
  "set_script",
  "get_node",
  "get_script",
]);

/** The first denied token in source order, or null. */
export function findDeniedToken(lines: readonly LogicalLine[]): Violation | null {
  const contextNames = spellContextNames(lines);
  for (const { tokens } of lines) {
    for (let i = 0; i < tokens.length; i++) {
      const message = deniedAt(tokens, i, contextNames);
      if (message) return { line: (tokens[i] as Token).line, message };
    }
  }
  return null;
}

function deniedAt(
  tokens: readonly Token[],
  i: number,
  contextNames: ReadonlySet<string>,
): string | null {
  const token = tokens[i] as Token;
  if (token.kind === "annotation") {
    return token.text === "tool" ? "@tool is not allowed in spells" : null;
  }
  if (token.kind !== "ident") return null;
  const name = token.text;
  const prev = tokens[i - 1];
  const afterDot = isOp(prev, ".");
  const called = isOp(tokens[i + 1], "(");
  if (DENIED_NAMES.has(name) || name.startsWith("StreamPeer") || name.startsWith("PacketPeer")) {
    return `${name} is not allowed in spells`;
  }
  if (name === "class_name" && !afterDot) return "class_name is not allowed in spells";
  const isDefinition = prev?.kind === "ident" && prev.text === "func";
  if (called && DENIED_CALLS.has(name) && !isDefinition) {
    return `${name}() is not allowed in spells`;
  }
  if (called && afterDot && DENIED_METHODS.has(name)) return `.${name}() is not allowed in spells`;
  if (contextNames.has(name) && !afterDot && isOp(tokens[i + 1], ".")) {
    const member = tokens[i + 2];
    if (member?.kind === "ident" && member.text === "world_id") {
      return `${name}.world_id does not exist: SpellContext has no world_id`;
    }
  }
  return null;
}

/** `ctx` plus every name declared anywhere as `name: SpellContext`. */
function spellContextNames(lines: readonly LogicalLine[]): Set<string> {
  const names = new Set(["ctx"]);
  for (const { tokens } of lines) {
    for (let i = 2; i < tokens.length; i++) {
      const type = tokens[i] as Token;
      if (type.kind !== "ident" || type.text !== "SpellContext" || !isOp(tokens[i - 1], ":")) {
        continue;
      }
      const name = tokens[i - 2] as Token;
      if (name.kind === "ident") names.add(name.text);
    }
  }
  return names;
}

function isOp(token: Token | undefined, op: string): boolean {
  return token?.kind === "op" && token.text === op;
}
