/**
 * The deterministic message generator of tests/e2e/fuzz_test.ts.
 *
 * Every message is drawn from a seeded PRNG and is one of:
 * - VALID: built from a small set of templates whose effect is known (a fresh world, an op in the
 *   joined world, a fresh spell, a join, a leave); its effect is applied to the `Model` when it is
 *   generated, so the model always holds what the valid messages alone produce;
 * - a MUTANT of a valid template that is invalid by construction (a bad field, a non-object
 *   payload, an invalid JSON literal…) and must change nothing;
 * - a NO-STATE message (lookups of unknown ids, junk paths, unknown events, junk frames) that must
 *   change nothing either.
 * Each message also carries the one direct reply it must get (`expect`), in order, per connection.
 * Nothing here talks to the server: the harness sends, and learns server-made ids from the replies.
 */

/**
 * Server bugs this fuzzer found, all fixed; their triggers are sent by default as regression cases
 * (FUZZ_KNOWN_BUGS=none, or a comma-separated list, narrows that when bisecting):
 * - `event-number`: a Socket.IO event named by a number (`socket.emit(5, {})`, wire `42[5,{}]`)
 *   reaches `clip(event)` in Dispatcher.#run outside any try: an uncaught TypeError that takes the
 *   whole process down.
 * - `stored-text`: a world description holding U+0000 is read back truncated at it, and lone
 *   surrogates in a name or description are stored as U+FFFD, while `world.created` echoed the
 *   original text (world.list, world.get and /api/worlds then disagree with it).
 * - `reply-order`: the raw adapter answers an undecodable frame (invalid JSON, no type) at once,
 *   overtaking replies to earlier messages still queued behind an async handler (content.get_file).
 */
export const KNOWN_BUGS = ["event-number", "stored-text", "reply-order"] as const;
export type KnownBug = typeof KNOWN_BUGS[number];

/** Parses FUZZ_KNOWN_BUGS: unset/"" or "all" → all, "none" → none, else a comma-separated list. */
export function parseKnownBugs(value: string | undefined): KnownBug[] {
  if (value === undefined || value.trim() === "" || value === "all" || value === "1") {
    return [...KNOWN_BUGS];
  }
  if (value === "none") return [];
  const names = value.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(KNOWN_BUGS as readonly string[]).includes(name)) {
      throw new Error(`FUZZ_KNOWN_BUGS: unknown bug "${name}" (known: ${KNOWN_BUGS.join(", ")})`);
    }
  }
  return names as KnownBug[];
}

/** A value whose raw JSON text is spliced in verbatim (raw transport only). */
export class Lit {
  /** `value` is what JSON.parse makes of `text`; undefined when `text` is not valid JSON. */
  constructor(readonly text: string, readonly value?: number) {}
  get valid(): boolean {
    return this.value !== undefined;
  }
}

export type Transport = "raw" | "sio";

export interface ExpectedOp {
  op: "add_sphere" | "subtract_sphere";
  center: { x: number; y: number; z: number };
  radius: number;
  material_id?: number;
}

export interface WorldModel {
  /** Index in generation order (worlds are matched by it, never by the server's order). */
  key: number;
  name: string;
  description: string;
  /** Connection that created it (only it may clear it). */
  creator: number;
  /** Learned from the `world.created` reply. */
  id?: string;
  ops: ExpectedOp[];
}

export interface ConnModel {
  index: number;
  transport: Transport;
  joined?: WorldModel;
  /** Valid ops this connection sent since the last check (their apply_op must come back). */
  ownOps: ExpectedOp[];
}

/** What a message did, for the harness to check against its reply. */
export type Effect =
  | { kind: "world"; world: WorldModel }
  | { kind: "maybe-world"; world: WorldModel }
  | { kind: "join"; world: WorldModel }
  | { kind: "spell"; spellId: string; created: boolean }
  | { kind: "anon-spell" }
  | { kind: "leave" };

export interface FuzzMessage {
  /** Statistics bucket, e.g. "valid world.create", "mutant request_spell". */
  kind: string;
  /** Raw: the `type`; Socket.IO: the event name (a number only in known-bugs mode). */
  event: string | number;
  /** Raw: the fields next to `type` (an object); Socket.IO: the first argument, if any. */
  payload?: unknown;
  hasPayload: boolean;
  /** Raw: the exact frame to send instead of `{type, ...payload}`. */
  frame?: string | Uint8Array;
  /** Raw: a `"type":"…"` pair to put before the real one (JSON's last duplicate key wins). */
  shadowType?: string;
  /** Raw: send the encoded message as a binary frame. */
  binary?: boolean;
  /** Raw: whitespace around the JSON text. */
  padding?: [string, string];
  /** Socket.IO: further arguments after the payload (the server reads only the first). */
  extraArgs?: unknown[];
  /** Socket.IO: ask for an acknowledgement. */
  ack?: boolean;
  /** The direct reply types it may get (exactly one arrives); null: none (a valid op). */
  expect: string[] | null;
  effect?: Effect;
  /** A valid op's expected `apply_op.op`. */
  op?: ExpectedOp;
}

/** Events the server handles; anything else must get `unknown_type`. */
export const CLIENT_EVENTS = [
  "world.list",
  "world.create",
  "world.join",
  "world.leave",
  "world.get",
  "spell.create_draft",
  "spell.start_build",
  "spell.publish",
  "spell.list",
  "spell.get_revisions",
  "spell.cast_request",
  "content.get_manifest",
  "content.get_file",
  "content.list_files",
  "request_spell",
  "ping",
  "clear_world",
] as const;

const MAX_FRAME_BYTES = 900_000; // the server closes connections over 1 MiB, by design
const MAX_VALID_WORLDS = 80; // world.list_updated goes to everyone on each create: keep it small

/** mulberry32: small, fast, good enough, and the same on every platform. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks by weight; entries with weight 0 are skipped. */
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((sum, [weight]) => sum + weight, 0);
    let at = this.next() * total;
    for (const [weight, value] of entries) {
      if (weight <= 0) continue;
      if ((at -= weight) < 0) return value;
    }
    return entries.findLast(([weight]) => weight > 0)![1];
  }
  /** Usually small, sometimes a few thousand, rarely huge (but inside the frame budget). */
  size(): number {
    return this.weighted([[70, () => this.int(0, 40)], [25, () => this.int(41, 3000)], [
      5,
      () => this.int(3001, 100_000),
    ]])();
  }
}

// ---------------------------------------------------------------------------------------------
// Character pools

/** Text that is fine in a world name: no control characters, no whitespace at either end. */
const SOLID = [
  "a",
  "Z",
  "7",
  "_",
  "-",
  "é",
  "ß",
  "Ж",
  "中文",
  "日本語",
  "🪄",
  "🔥",
  "👩‍👩‍👧",
  "🏳️‍🌈",
  "مرحبا",
  "שלום",
  "\u202eevil",
  "\u200b",
  "\u200c",
  "\u200d",
  "\u2060",
  "e\u0301",
  "\ufffd",
  "\uffff",
  "𝔘𝔫𝔦",
  "Z\u0364\u0351\u0313",
  "'\"<>&\\/",
  "%s%n{0}",
];
/** Inner text that is fine in a name but not at its ends (JavaScript's trim removes it). */
const INNER = [" ", "\u00a0", "\u3000", "\u2028"];
/** Everything String.prototype.trim removes. */
const BLANK = [
  " ",
  "\t",
  "\n",
  "\r",
  "\v",
  "\f",
  "\u00a0",
  "\u1680",
  "\u2000",
  "\u2003",
  "\u200a",
  "\u2028",
  "\u2029",
  "\u202f",
  "\u205f",
  "\u3000",
  "\ufeff",
];
/** C0 and C1 controls, which a world name must not hold. */
const CONTROL = [
  "\u0000",
  "\u0001",
  "\u0007",
  "\b",
  "\t",
  "\n",
  "\v",
  "\f",
  "\r",
  "\u001b",
  "\u001f",
  "\u007f",
  "\u0080",
  "\u0085",
  "\u009f",
];
const LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "a\ud83d", "\ude00b"];
const ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_";
const HEX = "0123456789abcdef";

const codePoints = (text: string) => [...text].length;
export const isBlankOrEmpty = (text: string) => text.trim() === "";

// ---------------------------------------------------------------------------------------------
// The generator

export class FuzzGen {
  readonly rng: Rng;
  readonly worlds: WorldModel[] = [];
  /** Spells that exist (named ones when generated, anonymous ones once their reply names them). */
  readonly spells = new Set<string>();
  /** Spell ids known to exist at the start of the round (for re-drafts). */
  knownSpells: string[] = [];
  readonly stats = new Map<string, number>();
  /** Known bugs whose triggers are sent too (see KNOWN_BUGS); none by default. */
  readonly knownBugs: ReadonlySet<KnownBug>;
  #counter = 0;
  #validWorlds = 0;

  constructor(seed: number, options: { knownBugs?: Iterable<KnownBug> } = {}) {
    this.rng = new Rng(seed);
    this.knownBugs = new Set(options.knownBugs ?? []);
  }

  /** Worlds whose id a reply has told us (the only ones a valid join may name). */
  get joinable(): WorldModel[] {
    return this.worlds.filter((world) => world.id !== undefined);
  }

  /** `count` messages for one connection, applying the valid ones' effects to the model. */
  batch(conn: ConnModel, count: number): FuzzMessage[] {
    const out: FuzzMessage[] = [];
    while (out.length < count) {
      const message = this.#one(conn);
      if (encodedBytes(message, conn.transport) > MAX_FRAME_BYTES) continue; // stays deterministic
      this.#commit(conn, message);
      this.stats.set(message.kind, (this.stats.get(message.kind) ?? 0) + 1);
      out.push(message);
    }
    return out;
  }

  #commit(conn: ConnModel, message: FuzzMessage): void {
    const effect = message.effect;
    if (message.op) {
      conn.joined!.ops.push(message.op);
      conn.ownOps.push(message.op);
    }
    if (!effect) return;
    if (effect.kind === "world") {
      this.worlds.push(effect.world);
      this.#validWorlds++;
    } else if (effect.kind === "join") conn.joined = effect.world;
    else if (effect.kind === "leave") conn.joined = undefined;
    else if (effect.kind === "spell") this.spells.add(effect.spellId);
  }

  #one(conn: ConnModel): FuzzMessage {
    const t = conn.transport;
    const message = this.rng.weighted<() => FuzzMessage>([
      [this.#validWorlds < MAX_VALID_WORLDS ? 5 : 0, () => this.validCreateWorld(conn)],
      [this.joinable.length > 0 ? 6 : 0, () => this.validJoin()],
      [1, () => this.leave(t)],
      [conn.joined ? 22 : 2, () => this.validOp(conn)],
      [5, () => this.validDraft(t)],
      [5, () => this.simple(t)],
      [9, () => this.noState(conn)],
      [7, () => this.mutantCreateWorld(t)],
      [4, () => this.mutantJoin(t)],
      [conn.joined ? 12 : 3, () => this.mutantOp(conn)],
      [4, () => this.mutantDraft(t)],
      [0.25, () => this.invalidStartBuild(t)],
      [5, () => this.unknownEvent(t)],
      [t === "raw" ? 6 : 0, () => this.rawJunk()],
      [t === "sio" ? 6 : 0, () => this.sioNonObject()],
      [this.knownBugs.has("event-number") && t === "sio" ? 1 : 0, () => this.sioNumericEvent()],
    ])();
    return this.#decorate(message, t);
  }

  /** Harmless extras on any message, and poison (an invalid JSON literal) on some raw ones. */
  #decorate(message: FuzzMessage, t: Transport): FuzzMessage {
    const rng = this.rng;
    if (message.frame !== undefined) return message;
    const isObject = message.hasPayload && isPlain(message.payload);
    if ((isObject || t === "raw") && rng.chance(0.15)) {
      const payload = (message.payload ?? {}) as Record<string, unknown>;
      message.payload = payload;
      message.hasPayload = true;
      for (let i = rng.int(1, 3); i > 0; i--) setKey(payload, this.junkKey(payload), this.junk(t));
    }
    if (t === "raw") {
      if (rng.chance(0.03)) {
        // An invalid literal anywhere makes the whole frame invalid JSON: nothing else matters.
        const payload = (message.payload ?? {}) as Record<string, unknown>;
        setKey(payload, this.junkKey(payload), rng.pick(BAD_LITERALS));
        return this.#poisoned(message, payload);
      }
      if (rng.chance(0.05)) message.binary = true;
      if (rng.chance(0.05)) message.padding = [rng.pick(["", " ", "\n\t", "\r\n "]), " \n"];
      if (rng.chance(0.03)) message.shadowType = this.unknownEventName("raw");
    } else {
      if (message.hasPayload && rng.chance(0.05)) message.extraArgs = [this.junk(t), "extra"];
      if (rng.chance(0.08)) message.ack = true;
    }
    return message;
  }

  #poisoned(message: FuzzMessage, payload: Record<string, unknown>): FuzzMessage {
    return {
      kind: "poisoned (invalid JSON literal)",
      event: message.event,
      payload,
      hasPayload: true,
      expect: ["error"],
    };
  }

  // ----- valid templates --------------------------------------------------------------------

  validCreateWorld(conn: ConnModel): FuzzMessage {
    const rng = this.rng;
    const surrogate = this.knownBugs.has("stored-text") && rng.chance(0.1);
    let name = this.validName();
    if (surrogate) name += rng.pick(["\ud800", "\udfff"]);
    const raw = rng.chance(0.2) ? this.blank(1, 3) + name + this.blank(1, 3) : name;
    const payload: Record<string, unknown> = { name: raw };
    const description = this.validDescription();
    if (description !== undefined) payload.description = description;
    const buggy = surrogate ||
      (typeof description === "string" &&
        (description.includes("\u0000") || !description.isWellFormed()));
    const world: WorldModel = {
      key: this.worlds.length,
      name: raw.trim(),
      description: typeof description === "string" ? description : "",
      creator: conn.index,
      ops: [],
    };
    return {
      kind: buggy ? "known-bug world.create (NUL or lone surrogate)" : "valid world.create",
      event: "world.create",
      payload,
      hasPayload: true,
      // A fix may reject such text instead of storing it faithfully: either is fine.
      expect: buggy ? ["world.created", "error"] : ["world.created"],
      effect: { kind: buggy ? "maybe-world" : "world", world },
    };
  }

  /** A fresh name (unique prefix), 1-50 code points once trimmed, no control characters. */
  validName(): string {
    const rng = this.rng;
    let name = `W${this.#counter++}`;
    const target = rng.chance(0.15) ? 50 : rng.int(codePoints(name), 50);
    while (codePoints(name) < target) {
      const piece = rng.chance(0.1) ? rng.pick(INNER) + rng.pick(SOLID) : rng.pick(SOLID);
      if (codePoints(name + piece) > target) {
        if (target === 50) name += "🪄".repeat(target - codePoints(name));
        break;
      }
      name += piece;
    }
    return name;
  }

  /**
   * undefined (absent), null, "", or up to 500 code points of anything but NUL (controls are
   * allowed in descriptions). The `stored-text` bug mode adds NUL and lone surrogates.
   */
  validDescription(): string | null | undefined {
    const rng = this.rng;
    return rng.weighted<() => string | null | undefined>([
      [3, () => undefined],
      [1, () => null],
      [1, () => ""],
      [4, () => this.text(rng.int(1, 120), { controls: true }).replaceAll("\u0000", "\u0001")],
      [1, () => "é🪄".repeat(250)], // exactly 500 code points
      [this.knownBugs.has("stored-text") ? 0.5 : 0, () => "before\u0000after"],
      [this.knownBugs.has("stored-text") ? 0.5 : 0, () => "d" + rng.pick(LONE_SURROGATES)],
    ])();
  }

  validJoin(): FuzzMessage {
    const world = this.rng.pick(this.joinable);
    return {
      kind: "valid world.join",
      event: "world.join",
      payload: { world_id: world.id },
      hasPayload: true,
      expect: ["world.joined"],
      effect: { kind: "join", world },
    };
  }

  leave(t: Transport): FuzzMessage {
    return {
      kind: "valid world.leave",
      event: "world.leave",
      ...this.emptyPayload(t),
      expect: ["world.left"],
      effect: { kind: "leave" },
    };
  }

  validOp(conn: ConnModel): FuzzMessage {
    if (!conn.joined) return this.mutantOp(conn);
    const { spell, op } = this.validSpell(conn.transport);
    return {
      kind: "valid request_spell",
      event: "request_spell",
      payload: { spell },
      hasPayload: true,
      expect: null,
      op,
    };
  }

  /** A `request_spell.spell` that must become an op, and that op. */
  validSpell(t: Transport): { spell: Record<string, unknown>; op: ExpectedOp } {
    const rng = this.rng;
    const create = rng.chance(0.5);
    const spell: Record<string, unknown> = { type: create ? "create_land" : "dig" };
    const center = { x: 0, y: 0, z: 0 };
    const centerChoice = rng.int(0, 9);
    if (centerChoice === 1) spell.center = null;
    else if (centerChoice > 1) {
      const given: Record<string, unknown> = {};
      for (const axis of ["x", "y", "z"] as const) {
        const [value, number] = this.validCoordinate(t);
        given[axis] = value;
        center[axis] = number;
      }
      if (rng.chance(0.1)) setKey(given, this.junkKey(given), this.junk(t)); // only x, y, z are kept
      spell.center = given;
    }
    let radius = create ? 8 : 6;
    const radiusChoice = rng.int(0, 9);
    if (radiusChoice === 1) spell.radius = null;
    else if (radiusChoice > 1) [spell.radius, radius] = this.validRadius(t);
    const op: ExpectedOp = create
      ? { op: "add_sphere", center, radius, material_id: 1 }
      : { op: "subtract_sphere", center, radius };
    if (create) {
      const materialChoice = rng.int(0, 9);
      if (materialChoice === 1) spell.material_id = null;
      else if (materialChoice > 1) {
        const material = rng.pick([0, 255, 1, -0, rng.int(0, 255)]);
        spell.material_id = material;
        op.material_id = material;
      }
    } else if (rng.chance(0.15)) {
      spell.material_id = this.junk(t); // a dig ignores material_id, whatever it is
    }
    if (rng.chance(0.1)) setKey(spell, this.junkKey(spell), this.junk(t));
    return { spell, op };
  }

  validCoordinate(t: Transport): [unknown, number] {
    const rng = this.rng;
    const literals: [string, number][] = [
      ["1E3", 1000],
      ["-0.0", -0],
      ["1e-400", 0],
      ["1000000.0", 1e6],
      ["-1e6", -1e6],
      ["0.1e1", 1],
    ];
    if (t === "raw" && rng.chance(0.1)) {
      const [text, value] = rng.pick(literals);
      return [new Lit(text, value), value];
    }
    const value = rng.pick([
      0,
      -0,
      1e6,
      -1e6,
      5e-324,
      -999999.999,
      rng.int(-1000, 1000),
      (rng.next() - 0.5) * 2e6,
      rng.next() * 10,
    ]);
    return [value, value];
  }

  validRadius(t: Transport): [unknown, number] {
    const rng = this.rng;
    if (t === "raw" && rng.chance(0.1)) {
      const [text, value] = rng.pick([["6.4e1", 64], ["64.0", 64], ["1E-300", 1e-300]] as const);
      return [new Lit(text, value), value];
    }
    const value = rng.pick([
      5e-324,
      1e-300,
      0.001,
      64,
      63.99999,
      rng.int(1, 64),
      rng.next() * 64 || 1,
    ]);
    return [value, value];
  }

  validDraft(t: Transport): FuzzMessage {
    const rng = this.rng;
    const choice = rng.int(0, 9);
    if (choice < 5) {
      const spellId = this.freshSpellId();
      return {
        kind: "valid spell.create_draft",
        event: "spell.create_draft",
        payload: { spell_id: spellId },
        hasPayload: true,
        expect: ["spell.draft_created"],
        effect: { kind: "spell", spellId, created: true },
      };
    }
    if (choice < 7 && this.knownSpells.length > 0) {
      const spellId = rng.pick(this.knownSpells);
      return {
        kind: "valid spell.create_draft (existing)",
        event: "spell.create_draft",
        payload: { spell_id: spellId },
        hasPayload: true,
        expect: ["spell.draft_created"],
        effect: { kind: "spell", spellId, created: false },
      };
    }
    // No id (absent, null, "", or no payload at all): the server picks one and says which.
    const variants: (() => Pick<FuzzMessage, "payload" | "hasPayload">)[] = [
      () => ({ payload: {}, hasPayload: true }),
      () => ({ payload: { spell_id: null }, hasPayload: true }),
      () => ({ payload: { spell_id: "" }, hasPayload: true }),
    ];
    if (t === "sio") {
      variants.push(() => ({ hasPayload: false }), () => ({ payload: null, hasPayload: true }));
    }
    return {
      kind: "valid spell.create_draft (no id)",
      event: "spell.create_draft",
      ...rng.pick(variants)(),
      expect: ["spell.draft_created"],
      effect: { kind: "anon-spell" },
    };
  }

  /** 1-64 of [a-z0-9_], unique by its prefix. */
  freshSpellId(): string {
    const rng = this.rng;
    let id = `f${this.#counter++}_`;
    const length = rng.chance(0.2) ? 64 : rng.int(id.length, 30);
    while (id.length < length) id += rng.pick([...ID_CHARS]);
    return id;
  }

  /** ping, world.list, spell.list: always answered, never a change. */
  simple(t: Transport): FuzzMessage {
    const [event, reply] = this.rng.pick(
      [
        ["ping", "pong"],
        ["world.list", "world.list_result"],
        ["spell.list", "spell.list_result"],
      ] as const,
    );
    return { kind: `valid ${event}`, event, ...this.emptyPayload(t), expect: [reply] };
  }

  /** {} in the forms the transport allows: no payload, null (Socket.IO), or an empty object. */
  emptyPayload(t: Transport): Pick<FuzzMessage, "payload" | "hasPayload"> {
    const choice = this.rng.int(0, 2);
    if (t === "sio" && choice === 0) return { hasPayload: false };
    if (t === "sio" && choice === 1) return { payload: null, hasPayload: true };
    return { payload: {}, hasPayload: true };
  }

  // ----- no-state messages ------------------------------------------------------------------

  noState(conn: ConnModel): FuzzMessage {
    const rng = this.rng;
    const t = conn.transport;
    const validSpellId = () =>
      this.knownSpells.length > 0 && rng.chance(0.5)
        ? rng.pick(this.knownSpells)
        : this.freshSpellId();
    const revisionId = () => `rev_${String(rng.int(0, 999999)).padStart(6, "0")}_${this.hex(8)}`;
    const make = (
      kind: string,
      event: string,
      payload: Record<string, unknown>,
      expect: string,
    ): FuzzMessage => ({
      kind: `no-state ${kind}`,
      event,
      payload,
      hasPayload: true,
      expect: [expect],
    });
    return rng.weighted<() => FuzzMessage>([
      [this.joinable.length > 0 ? 2 : 0, () =>
        make("world.get (known)", "world.get", {
          world_id: rng.pick(this.joinable).id,
        }, "world.info")],
      [2, () =>
        make("world.get (unknown)", "world.get", {
          world_id: this.unknownWorldId(),
        }, "error")],
      [2, () =>
        make("spell.get_revisions", "spell.get_revisions", {
          spell_id: validSpellId(),
        }, "spell.revisions_result")],
      [1, () =>
        make("spell.get_revisions (bad id)", "spell.get_revisions", {
          spell_id: this.invalidSpellId(true),
        }, "error")],
      [2, () =>
        make("content.list_files", "content.list_files", {
          spell_id: validSpellId(),
          revision_id: revisionId(),
        }, "content.files_list")],
      [1, () =>
        make("content.list_files (bad ids)", "content.list_files", {
          spell_id: validSpellId(),
          revision_id: this.invalidRevisionId(),
        }, "error")],
      [2, () =>
        make("content.get_manifest", "content.get_manifest", {
          spell_id: rng.chance(0.8) ? validSpellId() : this.invalidSpellId(true),
          revision_id: rng.chance(0.7) ? revisionId() : this.invalidRevisionId(),
        }, "error")],
      [4, () =>
        make("content.get_file", "content.get_file", {
          spell_id: rng.chance(0.8) ? validSpellId() : this.invalidSpellId(true),
          revision_id: rng.chance(0.8) ? revisionId() : this.invalidRevisionId(),
          path: rng.chance(0.9) ? this.junkPath() : this.junk(t),
        }, "error")],
      [2, () =>
        make("spell.publish", "spell.publish", {
          spell_id: rng.chance(0.8) ? validSpellId() : this.invalidSpellId(true),
          revision_id: rng.chance(0.7) ? revisionId() : this.invalidRevisionId(),
          channel: rng.pick([undefined, "beta", "stable", "draft", "alpha", "", 5, "BETA"]),
        }, "error")],
      [3, () => this.castRequest(conn, validSpellId, revisionId)],
      [conn.joined?.creator === conn.index ? 0 : 2, () =>
        make(
          conn.joined ? "clear_world (not creator)" : "clear_world (not in a world)",
          "clear_world",
          {},
          "error",
        )],
    ])();
  }

  /**
   * The server checks, in order: in a world (else cast_rejected), spell_id a non-empty string (else
   * a plain error), the spell exists (else cast_rejected), revision_id a string if given (else a
   * plain error), then the revision (none exist here: cast_rejected).
   */
  castRequest(
    conn: ConnModel,
    validSpellId: () => string,
    revisionId: () => string,
  ): FuzzMessage {
    const rng = this.rng;
    const t = conn.transport;
    const payload: Record<string, unknown> = {};
    const idChoice = rng.int(0, 9);
    if (idChoice < 5) payload.spell_id = validSpellId();
    else if (idChoice < 7) payload.spell_id = this.invalidSpellId(false, t);
    else if (idChoice < 9) payload.spell_id = rng.pick([null, "", 5, true, [], {}]);
    if (rng.chance(0.5)) payload.revision_id = rng.chance(0.5) ? revisionId() : this.junk(t);
    if (rng.chance(0.5)) payload.cast_params = this.junk(t);
    const id = payload.spell_id;
    const revision = payload.revision_id;
    const missing = (value: unknown) => value === undefined || value === null || value === "";
    let expect = "spell.cast_rejected";
    if (conn.joined) {
      if (typeof id !== "string" || id === "") expect = "error";
      else if (
        this.knownSpells.includes(id) && !missing(revision) && typeof revision !== "string"
      ) {
        expect = "error";
      }
    }
    return {
      kind: "no-state spell.cast_request",
      event: "spell.cast_request",
      payload,
      hasPayload: true,
      expect: [expect],
    };
  }

  // ----- mutants: invalid by construction ---------------------------------------------------

  mutantCreateWorld(t: Transport): FuzzMessage {
    const rng = this.rng;
    const payload: Record<string, unknown> = { name: this.validName() };
    const description = this.validDescription();
    if (description !== undefined) payload.description = description;
    const how = rng.int(0, 6);
    if (how === 0) delete payload.name;
    else if (how === 1) payload.name = this.junkNonString(t, true);
    else if (how === 2) payload.name = rng.chance(0.2) ? "" : this.blank(1, 8);
    else if (how === 3) payload.name = this.tooLongName();
    else if (how === 4) payload.name = this.withControl();
    else if (how === 5) payload.description = this.invalidDescription(t);
    else {
      payload.name = this.tooLongName(); // several faults at once
      payload.description = this.invalidDescription(t);
    }
    return {
      kind: "mutant world.create",
      event: "world.create",
      payload,
      hasPayload: true,
      expect: ["error"],
    };
  }

  /** Over 50 code points once trimmed (up to a few thousand, rarely ~60k). */
  tooLongName(): string {
    const rng = this.rng;
    const target = rng.chance(0.3) ? 51 : Math.max(51, Math.min(rng.size(), 60_000));
    let name = "";
    let count = 0; // counted per piece: linear, not quadratic
    while (count < target) {
      const piece = rng.chance(0.05) ? rng.pick(LONE_SURROGATES) : rng.pick(SOLID);
      name += piece;
      count += codePoints(piece);
    }
    // Lone surrogates may have paired up into fewer code points: top up to what the server counts.
    while (codePoints(name) <= 50) name += "a";
    name += "a";
    if (rng.chance(0.2)) name = this.blank(1, 2) + name + this.blank(1, 2);
    return name;
  }

  /** A name of at most 50 code points with a control character inside (not at an end). */
  withControl(): string {
    const rng = this.rng;
    const name = rng.pick(SOLID) + rng.pick(CONTROL) +
      (rng.chance(0.2) ? rng.pick(LONE_SURROGATES) : "") + rng.pick(SOLID);
    return rng.chance(0.3) ? " " + name + "\n" : name;
  }

  invalidDescription(t: Transport): unknown {
    const rng = this.rng;
    if (rng.chance(0.4)) return this.junkNonString(t, false);
    const length = Math.max(501, Math.min(rng.size(), 80_000));
    let description = this.text(length, { controls: true, surrogates: true });
    // Lone surrogates may pair up into one code point: count what the server will count.
    const short = 501 - codePoints(description);
    if (short > 0) description += "x".repeat(short);
    return description;
  }

  mutantJoin(t: Transport): FuzzMessage {
    const rng = this.rng;
    const payload: Record<string, unknown> = {};
    const how = rng.int(0, 4);
    if (how === 1) payload.world_id = rng.pick([null, ""]);
    else if (how === 2) payload.world_id = this.junkNonString(t, false);
    else if (how >= 3) payload.world_id = this.unknownWorldId();
    return {
      kind: "mutant world.join",
      event: "world.join",
      payload,
      hasPayload: true,
      expect: ["error"],
    };
  }

  mutantOp(conn: ConnModel): FuzzMessage {
    const rng = this.rng;
    const t = conn.transport;
    const { spell } = this.validSpell(t);
    const payload: Record<string, unknown> = { spell };
    if (!conn.joined) {
      // Outside a world even a well-formed op is refused.
      return {
        kind: "mutant request_spell (not in a world)",
        event: "request_spell",
        payload,
        hasPayload: true,
        expect: ["spell_rejected"],
      };
    }
    const faults = rng.int(1, 2);
    for (let i = 0; i < faults; i++) {
      const how = rng.int(0, 5);
      if (how === 0) {
        payload.spell = rng.chance(0.3) ? rng.pick([undefined, null]) : this.junkNonObject(t);
        if (payload.spell === undefined) delete payload.spell;
        break;
      } else if (how === 1) {
        if (rng.chance(0.2)) delete spell.type;
        else spell.type = this.invalidOpType(t);
      } else if (how === 2) spell.radius = this.invalidRadius(t);
      else if (how === 3) {
        spell.type = "create_land";
        spell.material_id = this.invalidMaterial(t);
      } else spell.center = this.invalidCenter(t);
    }
    return {
      kind: "mutant request_spell",
      event: "request_spell",
      payload,
      hasPayload: true,
      expect: ["spell_rejected"],
    };
  }

  invalidOpType(t: Transport): unknown {
    const rng = this.rng;
    if (rng.chance(0.3)) return this.junkNonString(t, true);
    return rng.pick([
      "Dig",
      "DIG",
      "dig ",
      " dig",
      "dig\u0000",
      "create-land",
      "create_land\u200b",
      "fireball",
      "🪄",
      "\ud800",
      "",
      "x".repeat(rng.int(65, 20_000)),
      "constructor",
      "__proto__",
    ]);
  }

  invalidRadius(t: Transport): unknown {
    const rng = this.rng;
    if (rng.chance(0.3)) return this.junkNonNumber(t);
    const literals = t === "raw" ? [new Lit("1e999", Infinity), new Lit("-1e999", -Infinity)] : [];
    return rng.pick([0, -0, -1, -1e-300, 64.000001, 65, 1e308, -1e308, 2 ** 53, ...literals]);
  }

  invalidMaterial(t: Transport): unknown {
    const rng = this.rng;
    if (rng.chance(0.3)) return this.junkNonNumber(t);
    const literals = t === "raw" ? [new Lit("1e999", Infinity), new Lit("256.0", 256)] : [];
    return rng.pick([1.5, -1, 256, 1e308, 2 ** 53, 0.1 + 0.2, 255.5, -0.5, ...literals]);
  }

  invalidCenter(t: Transport): unknown {
    const rng = this.rng;
    const how = rng.int(0, 3);
    if (how === 0) return this.junkNonObject(t);
    const center: Record<string, unknown> = { x: 1, y: 2, z: 3 };
    const axis = rng.pick(["x", "y", "z"]);
    if (how === 1) delete center[axis];
    else if (how === 2) center[axis] = rng.chance(0.2) ? null : this.junkNonNumber(t);
    else {
      const literals = t === "raw"
        ? [
          new Lit("1e999", Infinity),
          new Lit("-1e999", -Infinity),
          new Lit("1000000.5", 1e6 + 0.5),
        ]
        : [];
      center[axis] = rng.pick([1e6 + 1, -1e6 - 0.001, 2e6, 1e308, -1e308, ...literals]);
    }
    return center;
  }

  mutantDraft(t: Transport): FuzzMessage {
    return {
      kind: "mutant spell.create_draft",
      event: "spell.create_draft",
      // Never null or "": those mean "no id", which creates a spell with a server-picked id.
      payload: { spell_id: this.invalidSpellId(false, t) },
      hasPayload: true,
      expect: ["error"],
    };
  }

  /** Not a valid spell id; `missingOk` also allows absent/null/"" (not for create_draft). */
  invalidSpellId(missingOk: boolean, t: Transport = "raw"): unknown {
    const rng = this.rng;
    if (missingOk && rng.chance(0.15)) return rng.pick([null, "", undefined]);
    if (rng.chance(0.25)) return this.junkNonString(t, false);
    const base = this.freshSpellId().slice(0, 40);
    return rng.pick([
      base.toUpperCase(),
      base + "-x",
      base + " ",
      " " + base,
      base + ".x",
      base + "\n",
      base + "\u0000",
      base + "\u200b",
      "\u202e" + base,
      base + "é",
      base + "🪄",
      base + "\ud800",
      "a".repeat(65),
      "../" + base,
      "x".repeat(rng.int(66, 50_000)),
    ]);
  }

  invalidRevisionId(): unknown {
    const rng = this.rng;
    return rng.pick([
      undefined,
      null,
      "",
      5,
      "rev_1_abc",
      "rev_000001_DEADBEEF",
      "rev_000001_deadbeef ",
      "../../ugc.db",
      "rev_000001_deadbee\u0000",
      "\ud800",
      "x".repeat(rng.int(100, 10_000)),
    ]);
  }

  /** A world id no world has (ids are `world_` + 8 lowercase hex digits). */
  unknownWorldId(): string {
    const rng = this.rng;
    const known = this.joinable.length > 0 ? rng.pick(this.joinable).id! : "world_0000000a";
    return rng.pick([
      `world_${this.hex(9)}`,
      `world_${this.hex(8).toUpperCase()}Z`,
      "world_0000000g",
      known + " ",
      " " + known,
      known.toUpperCase(),
      known + "\u0000",
      known.slice(0, -1),
      "../../etc/passwd",
      "🪄\u202e\u200b",
      "\ud800\udc00\udfff",
      "world_\u0000",
      "x".repeat(rng.int(65, 100_000)),
      "'; DROP TABLE worlds; --",
    ]);
  }

  junkPath(): string {
    return this.rng.pick([
      "../../ugc.db",
      "/etc/passwd",
      "code/../../../../secret.txt",
      "code\\..\\..\\ugc.db",
      "code/spell.gd\u0000.png",
      "./code/spell.gd",
      "code//spell.gd",
      "code/spell.gd",
      "assets/icon.png",
      "manifest.json",
      "%2e%2e/%2e%2e/ugc.db",
      "C:\\Windows\\win.ini",
      "code/\ud800",
      "code/🪄.gd",
      "",
      "a/".repeat(300),
    ]);
  }

  /** Only invalid builds: each must get an immediate error and create nothing. */
  invalidStartBuild(t: Transport): FuzzMessage {
    const rng = this.rng;
    const payload: Record<string, unknown> = {};
    const how = rng.int(0, 6);
    if (how === 0) {
      const id = this.invalidSpellId(true, t);
      if (id !== undefined) payload.spell_id = id;
      payload.code = "extends Node";
    } else {
      payload.spell_id = this.freshSpellId();
      if (how === 1) payload.code = this.junkNonString(t, false);
      else if (how === 2) payload.code = "#".repeat(48_001);
      else if (how === 3) {
        payload.prompt = rng.chance(0.5) ? this.junkNonString(t, false) : "p".repeat(2001);
      } else if (how === 4) payload.options = this.junkNonObject(t);
      else if (how === 5) {
        payload.options = {
          metadata: rng.pick<unknown>([
            5,
            "x",
            [1],
            { name: 5 },
            { name: "n".repeat(65) },
            { tags: "a" },
            { tags: [1] },
            { tags: Array(17).fill("t") },
            { preview_icon: "../x.png" },
          ]),
        };
      } else {
        payload.options = {
          parent_revision_id: rng.pick<unknown>(["rev_000001_deadbeef", "nope", 5, {}]),
        };
      }
    }
    return {
      kind: "invalid spell.start_build",
      event: "spell.start_build",
      payload,
      hasPayload: true,
      expect: ["error"],
    };
  }

  unknownEventName(t: Transport): string {
    const rng = this.rng;
    let name: string;
    do {
      name = rng.pick([
        "world.destroy",
        "__proto__",
        "constructor",
        "toString",
        "hasOwnProperty",
        "valueOf",
        "PING",
        "ping ",
        " ping",
        "ping\u0000",
        "world.list\u200b",
        "world..list",
        "spell.create_draft.",
        "request_spell\n",
        "🪄",
        "\u202eping",
        "\ud800",
        "connected",
        "pong",
        "error",
        "apply_op",
        "x".repeat(rng.int(65, 50_000)),
        t === "sio" ? "" : "unknown",
        this.text(rng.int(1, 30), { controls: true, surrogates: true }),
      ]);
    } while ((CLIENT_EVENTS as readonly string[]).includes(name));
    return name;
  }

  unknownEvent(t: Transport): FuzzMessage {
    const payload = this.rng.chance(0.7) ? { name: "W", world_id: "x" } : this.junk(t);
    return {
      kind: "unknown event",
      event: this.unknownEventName(t),
      payload: t === "raw" && !isPlain(payload) ? {} : payload,
      hasPayload: true,
      expect: ["error"],
    };
  }

  /** A frame no JSON encoder would produce, or a JSON value that is not a typed object. */
  rawJunk(): FuzzMessage {
    const rng = this.rng;
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    const frame: string | Uint8Array = rng.pick<() => string | Uint8Array>([
      () => "hello",
      () => "",
      () => " ",
      () => "{",
      () => '{"type":"ping"',
      () => '{"type":"ping"}}',
      () => '{"type":"ping"} {"type":"ping"}',
      () => "\ufeff" + '{"type":"ping"}',
      () => "{'type':'ping'}",
      () => '{"type":"ping",}',
      () => '{"type":"ping","x":NaN}',
      () => '{"type":"request_spell","spell":{"type":"dig","radius":Infinity}}',
      () => '{"type":"ping","x":-Infinity}',
      () => '{"type":"ping","x":undefined}',
      () => '{"type":"ping","x":0x10}',
      () => '{"type":"ping","x":01}',
      () => '{"type":"ping","x":"\\x41"}',
      () => '{"type":"ping","x":"\\u12"}',
      () => '{"type":"ping","x":"a\u0001b"}',
      () => '{"type":"ping"}\u0000',
      () => "// comment\n{}",
      () => "[]",
      () => "[1,2,3]",
      () => '["ping",{}]',
      () => '"ping"',
      () => "42",
      () => "-0",
      () => "1e999",
      () => "true",
      () => "null",
      () => "{}",
      () => '{"TYPE":"ping"}',
      () => '{"name":"x"}',
      () => '{"type":7}',
      () => '{"type":""}',
      () => '{"type":null}',
      () => '{"type":["ping"]}',
      () => '{"type":{"ping":1}}',
      () => '{"type":true}',
      () => '{"type":1e999}',
      () => deep(rng.int(1000, 150_000)),
      () => '{"a":'.repeat(5000) + "1" + "}".repeat(5000),
      () => this.text(rng.int(1, 100_000), { controls: true, surrogates: true }),
      () => new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]),
      () => new Uint8Array([0xc0, 0x80]),
      () => new Uint8Array(0),
    ])();
    return { kind: "junk raw frame", event: "", hasPayload: false, frame, expect: ["error"] };
  }

  /**
   * A real event with a payload that is not an object (arrays, strings, numbers…). Not binary: a
   * binary attachment closes the connection (transport_abuse_test.ts proves it), which is no
   * reply to fuzz.
   */
  sioNonObject(): FuzzMessage {
    return {
      kind: "socket.io non-object payload",
      event: this.rng.pick(CLIENT_EVENTS),
      payload: this.junkNonObject("sio"),
      hasPayload: true,
      expect: ["error"],
    };
  }

  /** The `event-number` bug: a numeric Socket.IO event name; it must get `unknown_type`. */
  sioNumericEvent(): FuzzMessage {
    return {
      kind: "known-bug socket.io numeric event name",
      event: this.rng.pick([5, 0, -1, 1.5]),
      payload: {},
      hasPayload: true,
      expect: ["error"],
    };
  }

  // ----- value pools --------------------------------------------------------------------------

  hex(n: number): string {
    let out = "";
    for (let i = 0; i < n; i++) out += this.rng.pick([...HEX]);
    return out;
  }

  blank(min: number, max: number): string {
    let out = "";
    for (let i = this.rng.int(min, max); i > 0; i--) out += this.rng.pick(BLANK);
    return out;
  }

  /** `length` code points (roughly) of mixed text. */
  text(length: number, options: { controls?: boolean; surrogates?: boolean } = {}): string {
    const rng = this.rng;
    const pools: (readonly string[])[] = [SOLID, INNER];
    if (options.controls) pools.push(CONTROL);
    if (options.surrogates && rng.chance(0.5)) pools.push(LONE_SURROGATES);
    if (length > 200) {
      // Long strings: repeat a short chunk (fast, and the frame size stays predictable).
      const chunk = this.text(20, options);
      return chunk.repeat(Math.ceil(length / Math.max(1, codePoints(chunk))));
    }
    let out = "";
    while (codePoints(out) < length) out += rng.pick(rng.pick(pools));
    return out;
  }

  junkKey(existing: Record<string, unknown>): string {
    let key: string;
    do {
      key = this.rng.pick([
        "__proto__",
        "constructor",
        "prototype",
        "toString",
        "extra",
        "",
        " ",
        "🪄",
        "\ud800",
        "\u0000",
        "k".repeat(300),
        "x" + this.rng.int(0, 1e6),
      ]);
    } while (Object.hasOwn(existing, key));
    return key;
  }

  /** Any JSON value (raw: also huge-number literals); never an invalid literal. */
  junk(t: Transport, depth = 0): unknown {
    const rng = this.rng;
    return rng.weighted<() => unknown>([
      [3, () => this.junkNumber(t)],
      [2, () => rng.pick([true, false, null])],
      [3, () => this.text(rng.size(), { controls: true, surrogates: true })],
      [
        depth < 3 ? 2 : 0,
        () => Array.from({ length: rng.int(0, 4) }, () => this.junk(t, depth + 1)),
      ],
      [depth < 3 ? 2 : 0, () => {
        const object: Record<string, unknown> = {};
        for (let i = rng.int(0, 4); i > 0; i--) {
          setKey(object, this.junkKey(object), this.junk(t, depth + 1));
        }
        return object;
      }],
      [0.5, () => this.deep(t)],
    ])();
  }

  junkNumber(t: Transport): unknown {
    const rng = this.rng;
    const literals = t === "raw"
      ? [
        new Lit("1e999", Infinity),
        new Lit("-1e999", -Infinity),
        new Lit("123456789012345678901234567890", 1.2345678901234568e29),
        new Lit("-0", -0),
        new Lit("1E+308", 1e308),
      ]
      : [];
    return rng.pick<unknown>([
      0,
      -0,
      1,
      -1,
      1.5,
      1e308,
      -1e308,
      5e-324,
      2 ** 53 + 2,
      Number.MAX_SAFE_INTEGER,
      ...literals,
    ]);
  }

  /** Deeply nested arrays: raw as literal text (any depth), Socket.IO as real arrays. */
  deep(t: Transport): unknown {
    const rng = this.rng;
    if (t === "raw") {
      const n = rng.int(100, 100_000);
      return new Lit("[".repeat(n) + "]".repeat(n), 0);
    }
    let value: unknown = [];
    for (let i = rng.int(100, 1500); i > 0; i--) value = [value];
    return value;
  }

  junkNonString(t: Transport, allowNull: boolean): unknown {
    let value: unknown;
    do value = this.junk(t); while (typeof value === "string" || (value === null && !allowNull));
    return value;
  }

  junkNonNumber(t: Transport): unknown {
    let value: unknown;
    do value = this.rng.chance(0.2)
      ? this.rng.pick(["8", "1", "0x10", "NaN", "Infinity"])
      : this.junk(t); while (typeof value === "number" || value === null || value instanceof Lit);
    return value;
  }

  /** Never null/undefined (they mean {}), never a plain object, never binary. */
  junkNonObject(t: Transport): unknown {
    let value: unknown;
    do value = this.junk(t); while (value === null || isPlain(value));
    return value;
  }
}

/** JSON for `{...}` and arrays with Lit values spliced in verbatim. */
export function toJson(value: unknown): string {
  if (value instanceof Lit) return value.text;
  if (Array.isArray(value)) {
    if (value.length === 1 && Array.isArray(value[0])) {
      // Deep nesting: iterate instead of recursing.
      let depth = 0;
      let inner: unknown = value;
      while (Array.isArray(inner) && inner.length === 1 && Array.isArray(inner[0])) {
        inner = inner[0];
        depth++;
      }
      return "[".repeat(depth) + toJson(inner) + "]".repeat(depth);
    }
    return "[" + value.map((item) => toJson(item) ?? "null").join(",") + "]";
  }
  if (isPlain(value)) {
    return "{" +
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([key, v]) => JSON.stringify(key) + ":" + toJson(v))
        .join(",") +
      "}";
  }
  return JSON.stringify(value);
}

/** The frame the raw client sends for a message. */
export function rawFrame(message: FuzzMessage): string | Uint8Array {
  if (message.frame !== undefined) return message.frame;
  const fields = toJson(message.payload ?? {}).slice(1, -1);
  const shadow = message.shadowType !== undefined
    ? `"type":${JSON.stringify(message.shadowType)},`
    : "";
  const text = `{${shadow}"type":${JSON.stringify(message.event)}${fields ? "," + fields : ""}}`;
  const [before, after] = message.padding ?? ["", ""];
  const padded = before + text + after;
  return message.binary ? new TextEncoder().encode(padded) : padded;
}

/** Roughly how many bytes the message is on the wire (to stay under the inbound limit). */
export function encodedBytes(message: FuzzMessage, t: Transport): number {
  if (t === "raw") {
    const frame = rawFrame(message);
    return typeof frame === "string" ? utf8Bytes(frame) : frame.length;
  }
  return utf8Bytes(
    JSON.stringify([message.event, message.payload ?? null, ...(message.extraArgs ?? [])]) ?? "",
  );
}

function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
  }
  return bytes;
}

/** Sets an own, enumerable property even for keys like `__proto__` (plain assignment would not). */
function setKey(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Lit) && !(value instanceof Uint8Array);
}

/** Literals JSON.parse refuses: a frame holding one is `invalid_json`, whatever else it says. */
const BAD_LITERALS = [
  new Lit("NaN"),
  new Lit("Infinity"),
  new Lit("-Infinity"),
  new Lit("undefined"),
  new Lit("+1"),
  new Lit(".5"),
  new Lit("1."),
  new Lit("0x1F"),
  new Lit("'x'"),
  new Lit('"\\ud800'), // unterminated
];
